"""What every template can use: the user's workspaces, permission checks, labels."""
from __future__ import annotations

import functools

from flask import Flask, g, request
from flask_babel import get_locale
from flask_login import current_user

from workspace.db import rows
from workspace.events import event_label
from workspace.workspaces import permissions
from workspace.workspaces.forms import ROLE_LABELS, RULE_LABELS, SIDE_LABELS


@functools.cache
def _layout_statement():
    """The menu's workspaces (id, slug and name: what it draws, as plain rows, not objects), each
    row with the bell's unread count beside it (the same for every row: SQLite and PostgreSQL
    run the uncorrelated count once). Built once."""
    from workspace.notifications.services import unread_count_statement
    from workspace.workspaces.models import Workspace
    from workspace.workspaces.services import workspaces_of_statement

    return (workspaces_of_statement().with_only_columns(Workspace.id, Workspace.slug, Workspace.name)
            .add_columns(unread_count_statement().scalar_subquery().label("unread")))


def layout_facts() -> tuple[list, int]:
    """What the layout shows of the logged-in person on every page: their workspaces (the menu:
    rows with id, slug and name) and their unread notifications (the bell), in one query, once
    per request."""
    facts = g.get("_layout_facts")
    if facts is None:
        found = rows(_layout_statement(), {"user_id": current_user.id})
        if found:
            facts = (found, found[0].unread or 0)
        else:  # in no workspace: notifications of none (an account's own) may still be unread
            from workspace.notifications.services import unread_count

            facts = ([], unread_count(current_user))
        g._layout_facts = facts
    return facts


def current_path() -> str:
    """The request's path with its query: where the language switch returns."""
    return request.full_path.rstrip("?") if request else "/"


def init_app(app: Flask) -> None:
    @app.context_processor
    def inject():
        def my_workspaces():
            return layout_facts()[0] if current_user.is_authenticated else []

        return {
            "my_workspaces": my_workspaces,
            "event_label": event_label,
            "perm": permissions,
            "ROLE_LABELS": ROLE_LABELS,
            "SIDE_LABELS": SIDE_LABELS,
            "RULE_LABELS": RULE_LABELS,
            "current_locale": str(get_locale()),
            "current_path": current_path(),
        }

    @app.template_filter("datetime")
    def format_dt(value):
        from flask_babel import format_datetime

        return format_datetime(value, "yyyy-MM-dd HH:mm") if value else ""
