"""The bell in the header: every page knows the person's unread count."""
from flask import Flask
from flask_login import current_user

from workspace.web.context import layout_facts


def init_app(app: Flask) -> None:
    @app.context_processor
    def inject_notifications():
        def unread_notifications() -> int:
            # With the menu's workspaces in one query (the layout draws both).
            return layout_facts()[1] if current_user.is_authenticated else 0

        return {"unread_notifications": unread_notifications}
