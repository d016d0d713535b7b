"""Who may do what in a workspace. Views and templates ask these same functions."""
from __future__ import annotations

import functools

from flask import abort
from sqlalchemy import bindparam, select
from sqlalchemy.orm import contains_eager, lazyload

from workspace.db import db
from workspace.workspaces.models import Membership, Workspace

SECRETARIAT = "secretariat"
OFFICIAL = "official"
POLITICIAN = "politician"
READER = "reader"


def _logged_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def _active_memberships(user):
    """The query for `user`'s active memberships, or None for nobody logged in."""
    return _active_memberships_of(user.id) if _logged_in(user) else None


def _active_memberships_of(user_id: int):
    return select(Membership).where(Membership.user_id == user_id, Membership.active.is_(True))


def active_role(user_id: int, workspace_id: int) -> str | None:
    """The person's role in the workspace; None if they are not (or no longer) a member. For
    code that holds ids, not rows (a live stream between its checks)."""
    return db.session.scalar(_active_memberships_of(user_id).with_only_columns(Membership.role)
                             .where(Membership.workspace_id == workspace_id))


def membership_of(user, workspace: Workspace) -> Membership | None:
    query = _active_memberships(user)
    return None if query is None else db.session.scalar(query.where(Membership.workspace_id == workspace.id))


@functools.cache
def _membership_by_slug():
    """The active membership of `:user_id` in the workspace `:slug`, with the workspace from the
    join (the member is the logged-in person, loaded already). Built once, on first use (loader
    options need every model mapped): every workspace page asks it first, and building a
    statement costs more than running it."""
    return (_active_memberships_of(bindparam("user_id"))
            .join(Workspace, Membership.workspace_id == Workspace.id)
            .where(Workspace.slug == bindparam("slug"))
            .options(contains_eager(Membership.workspace), lazyload(Membership.user)))


def load_workspace(slug: str, user) -> tuple[Workspace, Membership]:
    """The workspace and the user's membership, or 404: others' workspaces do not exist.

    One query: the membership with its workspace (every workspace page asks this first)."""
    membership = db.session.scalar(_membership_by_slug(), {"user_id": user.id, "slug": slug}) \
        if _logged_in(user) else None
    if membership is None:
        abort(404)
    return membership.workspace, membership


@functools.cache
def _extended(extend):
    return extend(_membership_by_slug())


def load_workspace_with(slug: str, user, extend, **params):
    """`load_workspace` and, in the same query, what `extend(statement)` adds to it (entities,
    columns, joins, conditions; built once per `extend`): the workspace, the membership and the
    rest of the row, or 404 if there is no such row."""
    row = db.session.execute(_extended(extend), {"user_id": user.id, "slug": slug, **params}).first() \
        if _logged_in(user) else None
    if row is None:
        abort(404)
    membership, *rest = row
    return membership.workspace, membership, rest


def can_manage_workspace(m: Membership | None) -> bool:
    return m is not None and m.active and m.role == SECRETARIAT


def can_view_audit(m: Membership | None) -> bool:
    return can_manage_workspace(m)


def can_write_papers(m: Membership | None) -> bool:
    return m is not None and m.active and m.role in (OFFICIAL, SECRETARIAT)


def can_decide(m: Membership | None) -> bool:
    return m is not None and m.active and m.role == POLITICIAN


def can_comment(m: Membership | None) -> bool:
    return m is not None and m.active and m.role in (OFFICIAL, SECRETARIAT, POLITICIAN, READER)


def require(allowed: bool) -> None:
    if not allowed:
        abort(403)
