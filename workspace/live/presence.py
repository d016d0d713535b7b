"""Who has a paper open, and who edits which section.

A page sends a heartbeat every 20 s (and when editing starts or stops) — never per
keystroke. Only changes (joined, started/stopped editing, left) become events in the log,
so presence reaches every process through the same stream as everything else.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import ForeignKey, String, UniqueConstraint, bindparam, delete, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workspace.accounts.models import User, initials_of
from workspace.db import db, json_rows, read_only, rows, utcnow
from workspace.events import record_event

IDLE_AFTER = timedelta(seconds=50)


class Presence(db.Model):
    __tablename__ = "presence"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    paper_id: Mapped[int] = mapped_column(ForeignKey("paper.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    client_id: Mapped[str] = mapped_column(String(40))  # one browser tab
    section_id: Mapped[int | None]  # the section being edited, if any
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    user = relationship("User", lazy="joined")

    __table_args__ = (UniqueConstraint("paper_id", "client_id"),)


def _changed(actor, paper, section_id, state: str) -> None:
    record_event(actor, "presence-changed", paper, workspace=paper.workspace,
                 paper_id=paper.id, section_id=section_id, state=state, user=actor.name)


def touch_presence(actor, paper, client_id: str, section_id: int | None) -> Presence:
    row = db.session.scalar(
        select(Presence).where(Presence.paper_id == paper.id, Presence.client_id == client_id)
    )
    if row is None:
        row = Presence(workspace_id=paper.workspace_id, paper_id=paper.id, user_id=actor.id,
                       client_id=client_id, section_id=section_id)
        db.session.add(row)
        db.session.flush()
        _changed(actor, paper, section_id, "editing" if section_id else "joined")
    else:
        if row.user_id != actor.id:
            raise PermissionError("another user's tab")
        if row.section_id != section_id:
            previous = row.section_id
            row.section_id = section_id
            _changed(actor, paper, section_id or previous, "editing" if section_id else "stopped-editing")
        row.last_seen_at = utcnow()
    return row


def leave(actor, paper, client_id: str) -> None:
    removed = db.session.execute(
        delete(Presence).where(Presence.paper_id == paper.id, Presence.client_id == client_id,
                               Presence.user_id == actor.id)
    ).rowcount
    if removed:
        _changed(actor, paper, None, "left")


class PresentPerson(NamedTuple):
    """Someone who has a paper open, as the page draws them."""
    user_id: int
    section_id: int | None  # the section they edit, if any
    name: str
    email: str

    @property
    def initials(self) -> str:
        return initials_of(self.name, self.email)


# Built once (every paper page asks it): building a statement costs more than running it.
# Plain rows, not objects: loading objects cost the page three times as much.
_PRESENT_ON = (select(Presence.user_id, Presence.section_id, User.name, User.email)
               .join(User, User.id == Presence.user_id)
               .where(Presence.paper_id == bindparam("paper_id"), Presence.last_seen_at >= bindparam("presence_cutoff"))
               .order_by(Presence.id))


def presence_params() -> dict:
    """The parameter of `_PRESENT_ON` and `present_column`: since when a heartbeat counts."""
    return {"presence_cutoff": utcnow() - IDLE_AFTER}


def present_on(paper_id: int) -> list[PresentPerson]:
    return people(rows(_PRESENT_ON, {"paper_id": paper_id, **presence_params()}))


def present_column(paper_id):
    """`present_on` as a column of another query (a scalar subquery on `paper_id`, a column or
    a parameter, with `presence_params()`): the paper page asks it with the paper itself, one
    round trip fewer. `people(value)` makes the list."""
    return (select(json_rows(Presence.user_id, Presence.section_id, User.name, User.email, Presence.id))
            .select_from(Presence).join(User, User.id == Presence.user_id)
            .where(Presence.paper_id == paper_id, Presence.last_seen_at >= bindparam("presence_cutoff"))
            .scalar_subquery())


def people(found) -> list[PresentPerson]:
    """Who is present, from the rows (user id, section id, name, e-mail) of either query, oldest
    first: one entry per person, editing wins over just looking."""
    present: dict[int, PresentPerson] = {}
    for user_id, section_id, name, email in found or ():
        if user_id not in present or (section_id and not present[user_id].section_id):
            present[user_id] = PresentPerson(user_id, section_id, name, email)
    return list(present.values())


def expire_presence() -> None:
    """Remove idle rows; the process whose DELETE wins records the 'left' event."""
    from workspace.papers.models import Paper

    cutoff = utcnow() - IDLE_AFTER
    with read_only():
        stale_ids = db.session.scalars(select(Presence.id).where(Presence.last_seen_at < cutoff)).all()
        db.session.remove()
    if not stale_ids:
        return
    try:
        for row in db.session.scalars(select(Presence).where(Presence.id.in_(stale_ids))).all():
            won = db.session.execute(
                delete(Presence).where(Presence.id == row.id, Presence.last_seen_at < cutoff)
            ).rowcount
            if won:
                paper = db.session.get(Paper, row.paper_id)
                if paper is not None:
                    record_event(row.user, "presence-changed", paper, workspace=paper.workspace,
                                 paper_id=paper.id, section_id=None, state="left", user=row.user.name)
        db.session.commit()
    finally:
        db.session.remove()
