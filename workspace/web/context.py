"""What every template can use: the user's workspaces, permission checks, labels."""
from __future__ import annotations

import functools
from typing import NamedTuple

from flask import Flask, g, request
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import select

from workspace.db import db, json_rows, rows
from workspace.events import event_label
from workspace.workspaces import permissions
from workspace.workspaces.forms import ROLE_LABELS, RULE_LABELS, SIDE_LABELS


class MenuWorkspace(NamedTuple):
    id: int
    slug: str
    name: str


@functools.cache
def _layout_columns():
    """What the layout shows of the person `:user_id`, as two columns of one row: the menu's
    workspaces as one JSON column (id, slug and name: what it draws; ordered by name) and the
    bell's unread count. Built once."""
    from workspace.notifications.services import unread_count_statement
    from workspace.workspaces.models import Workspace
    from workspace.workspaces.services import workspaces_of_statement

    menu = (workspaces_of_statement().order_by(None)
            .with_only_columns(json_rows(Workspace.id, Workspace.slug, Workspace.name, Workspace.name))
            .scalar_subquery())
    return menu.label("menu"), unread_count_statement().scalar_subquery().label("unread")


def _with_layout(session_user_statement):
    return session_user_statement.add_columns(*_layout_columns())


@functools.cache
def _layout_statement():
    return select(*_layout_columns())


def _keep_layout(menu, unread) -> tuple[list, int]:
    """The layout's facts from the two columns, kept for the request."""
    workspaces = [MenuWorkspace(*w[:3]) for w in menu or ()]
    if db.engine.dialect.name == "sqlite":  # cannot order inside the aggregate (db.json_rows)
        workspaces.sort(key=lambda w: w.name)
    facts = g._layout_facts = (workspaces, unread or 0)
    return facts


def session_user_and_layout(user_id: int, version: int, token: str | None):
    """The logged-in person (accounts.services.session_user) and, in the same query, what the
    layout shows of them (`layout_facts`, kept for the request): what a whole page asks first,
    one round trip fewer."""
    from workspace.accounts.services import session_user

    row = session_user(user_id, version, token, with_columns=_with_layout)
    if row is None:
        return None
    user, menu, unread = row
    _keep_layout(menu, unread)
    return user


def layout_facts() -> tuple[list, int]:
    """What the layout shows of the logged-in person on every page: their workspaces (the menu)
    and their unread notifications (the bell), in one query, once per request: on a whole page
    with the person's own (`session_user_and_layout`), elsewhere (a fragment that draws the
    layout after all, an error page) a query of their own."""
    facts = g.get("_layout_facts")
    if facts is None:
        facts = _keep_layout(*rows(_layout_statement(), {"user_id": current_user.id})[0])
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
