"""What every template can use: the user's workspaces, permission checks, labels."""
from __future__ import annotations

from flask import Flask, request
from flask_babel import get_locale
from flask_login import current_user

from workspace.events import event_label
from workspace.workspaces import permissions
from workspace.workspaces.forms import ROLE_LABELS, RULE_LABELS, SIDE_LABELS


def init_app(app: Flask) -> None:
    @app.context_processor
    def inject():
        def my_workspaces():
            if not current_user.is_authenticated:
                return []
            from workspace.workspaces.services import workspaces_of

            return workspaces_of(current_user)

        return {
            "my_workspaces": my_workspaces,
            "event_label": event_label,
            "perm": permissions,
            "ROLE_LABELS": ROLE_LABELS,
            "SIDE_LABELS": SIDE_LABELS,
            "RULE_LABELS": RULE_LABELS,
            "current_locale": str(get_locale()),
            "current_path": request.full_path.rstrip("?") if request else "/",
        }

    @app.template_filter("datetime")
    def format_dt(value):
        from flask_babel import format_datetime

        return format_datetime(value, "yyyy-MM-dd HH:mm") if value else ""
