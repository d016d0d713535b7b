"""What every template can use: the user's workspaces, permission checks, labels."""
from __future__ import annotations

import functools
from typing import NamedTuple

from flask import Flask, g, request
from flask_babel import get_locale
from flask_login import current_user

from workspace.db import db, json_rows, rows
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


class MenuWorkspace(NamedTuple):
    id: int
    slug: str
    name: str


def _with_layout(session_user_statement):
    """The session's user with the layout's facts beside it: the menu's workspaces as one JSON
    column (id, slug, name; ordered by name) and the bell's count."""
    from workspace.notifications.services import unread_count_statement
    from workspace.workspaces.models import Workspace
    from workspace.workspaces.services import workspaces_of_statement

    menu = (workspaces_of_statement().order_by(None)
            .with_only_columns(json_rows(Workspace.id, Workspace.slug, Workspace.name, Workspace.name))
            .scalar_subquery())
    return session_user_statement.add_columns(menu.label("menu"),
                                              unread_count_statement().scalar_subquery().label("unread"))


def session_user_and_layout(user_id: int, version: int, token: str | None):
    """The logged-in person (accounts.services.session_user) and, in the same query, what the
    layout shows of them (`layout_facts`, kept for the request): what a whole page asks first,
    one round trip fewer."""
    from workspace.accounts.services import session_user

    row = session_user(user_id, version, token, with_columns=_with_layout)
    if row is None:
        return None
    user, menu, unread = row
    workspaces = [MenuWorkspace(*w[:3]) for w in menu or ()]
    if db.engine.dialect.name == "sqlite":  # cannot order inside the aggregate (db.json_rows)
        workspaces.sort(key=lambda w: w.name)
    g._layout_facts = (workspaces, unread or 0)
    return user


def layout_facts() -> tuple[list, int]:
    """What the layout shows of the logged-in person on every page: their workspaces (the menu:
    rows with id, slug and name) and their unread notifications (the bell), in one query, once
    per request: on a whole page the person's own (`session_user_and_layout`), elsewhere (a
    fragment that draws the layout after all, an error page) a query of their own."""
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
