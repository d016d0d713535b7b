"""The bell in the header: every page knows the person's unread count."""
from flask import Flask
from flask_login import current_user

from workspace.notifications.services import unread_count


def init_app(app: Flask) -> None:
    @app.context_processor
    def inject_notifications():
        def unread_notifications() -> int:
            return unread_count(current_user) if current_user.is_authenticated else 0

        return {"unread_notifications": unread_notifications}
