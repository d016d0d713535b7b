"""The event log: one append-only table that every write appends to.

Audit, notifications, live updates and the search index all read it. A service records
an event in the same transaction as the change it describes (flush, never commit), so
the log and the data never disagree.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, bindparam, func, literal_column, select, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workspace.db import db, utcnow


class Event(db.Model):
    __tablename__ = "event"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    workspace_id: Mapped[int | None] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # kebab-case: "workspace-updated", "member-invited", "section-saved" …
    verb: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None]
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The paper the event changed (the payload's paper_id), as a column: the newest such
    # event names the state of the paper's page, which keys its cached sections (issue 10).
    paper_id: Mapped[int | None]

    actor = relationship("User", lazy="joined")

    # AUTOINCREMENT on SQLite: an event id is never reused, even after rows are deleted,
    # so a stream's cursor (Last-Event-ID) can never point at a different event.
    __table_args__ = (Index("ix_event_workspace_id_id", "workspace_id", "id"),
                      Index("ix_event_paper_id_id", "paper_id", "id"), {"sqlite_autoincrement": True})


# Events that change nothing stored about a paper: who has it open. They name their paper in
# the payload (live updates need it) but do not mark the paper as changed.
TRANSIENT_VERBS = frozenset({"presence-changed"})


def record_event(
    actor,
    verb: str,
    obj=None,
    *,
    workspace=None,
    object_type: str | None = None,
    object_id: int | None = None,
    **payload: Any,
) -> Event:
    """Append an event for `obj` done by `actor` (a User or None for the system)."""
    if obj is not None:
        db.session.flush()
        object_type = object_type or obj.__tablename__
        object_id = object_id if object_id is not None else obj.id
    if workspace is not None and db.session.get_bind().dialect.name == "postgresql":
        # Events of one workspace commit in id order, so a live stream that has seen id N
        # can never later meet a smaller id (no gap on resume). SQLite writers are serial.
        db.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": 7_000_000 + workspace.id})
    ev = Event(
        workspace_id=workspace.id if workspace is not None else None,
        actor_id=actor.id if actor is not None else None,
        verb=verb,
        object_type=object_type or "system",
        object_id=object_id,
        payload=payload,
        paper_id=payload.get("paper_id") if verb not in TRANSIENT_VERBS else None,
    )
    db.session.add(ev)
    db.session.flush()
    for listener in _LISTENERS:
        listener(ev)
    return ev


_LISTENERS: list = []


def add_event_listener(fn) -> None:
    """Call `fn(event)` after every recorded event, in the same transaction (notifications)."""
    if fn not in _LISTENERS:
        _LISTENERS.append(fn)


def _newest_of_paper(*columns):
    # LIMIT 1 written out, not sent as a parameter: PostgreSQL cannot know a parameter's value
    # when it plans a prepared statement once for all executions, guesses a larger one, and then
    # plans the paper page's first query anew every time (issue 10).
    return (select(*columns).where(Event.paper_id == bindparam("paper_id")).order_by(Event.id.desc())
            .limit(literal_column("1")))


# Built once (every page with live updates, every paper page and part asks them): building a
# statement costs more than running it.
NEWEST_EVENT_ID = select(func.max(Event.id))
_PAPER_STATE = _newest_of_paper(Event.id, Event.created_at)
_PAPER_STATE_AND_NEWEST = select(NEWEST_EVENT_ID.scalar_subquery(),
                                 _newest_of_paper(Event.id).scalar_subquery(),
                                 _newest_of_paper(Event.created_at).scalar_subquery())


def _state(event_id: int | None, created_at: datetime | None) -> tuple[int, str] | None:
    return (event_id, created_at.isoformat()) if event_id is not None else None


def paper_state(paper_id: int) -> tuple[int, str] | None:
    """The newest event that changed `paper_id`: its id and time, or None.

    The time makes the answer unique even where ids are given again: after a restore from a
    backup (SQLite's sequence is restored too) or in a test database emptied between tests.
    """
    row = db.session.execute(_PAPER_STATE, {"paper_id": paper_id}).first()
    return _state(*row) if row else None


def paper_state_and_newest(paper_id: int) -> tuple[tuple[int, str] | None, int]:
    """`paper_state(paper_id)` and the newest event of all (where the paper page's live stream
    starts), in one query: the paper page asks both."""
    return state_and_newest(*db.session.execute(_PAPER_STATE_AND_NEWEST, {"paper_id": paper_id}).one())


def with_paper_state_and_newest(stmt):
    """`stmt` (with a `:paper_id` parameter) with three more columns, which `state_and_newest`
    makes into what `paper_state_and_newest` answers: one query instead of two."""
    return stmt.add_columns(*_PAPER_STATE_AND_NEWEST.selected_columns)


def state_and_newest(newest: int | None, event_id: int | None, created_at: datetime | None):
    return _state(event_id, created_at), newest or 0


_PAPER_CHANGES = (select(Event.id, Event.payload)
                  .where(Event.paper_id == bindparam("paper_id"), Event.id > bindparam("after_id"),
                         Event.id <= bindparam("upto_id"))
                  .order_by(Event.id).limit(bindparam("limit")))


def paper_changes(paper_id: int, after_id: int, upto_id: int, limit: int) -> list[tuple[int, int | None]]:
    """The events that changed `paper_id` after event `after_id`, up to `upto_id`, oldest
    first, at most `limit`: each as its id and the section it names (None: the whole paper)."""
    rows = db.session.execute(_PAPER_CHANGES, {"paper_id": paper_id, "after_id": after_id,
                                               "upto_id": upto_id, "limit": limit})
    return [(event_id, (payload or {}).get("section_id")) for event_id, payload in rows]


def events_for_workspace(workspace_id: int, *, after_id: int = 0, limit: int | None = None):
    stmt = (
        select(Event)
        .where(Event.workspace_id == workspace_id, Event.id > after_id)
        .order_by(Event.id)
    )
    if limit:
        stmt = stmt.limit(limit)
    return db.session.scalars(stmt).all()


def _labels():
    from flask_babel import lazy_gettext as _l

    return {
        "workspace-created": _l("skapade samverkansorganet"),
        "workspace-updated": _l("ändrade inställningarna"),
        "organization-added": _l("lade till medlemmen %(name)s"),
        "organization-removed": _l("tog bort medlemmen %(name)s"),
        "member-invited": _l("bjöd in %(email)s"),
        "member-role-changed": _l("ändrade rollen för %(user)s"),
        "member-deactivated": _l("inaktiverade %(user)s"),
        "member-activated": _l("aktiverade %(user)s"),
        "invitation-accepted": _l("tackade ja till inbjudan"),
        "password-reset": _l("återställde sitt lösenord"),
    }


EVENT_LABELS: dict = {}


def register_event_labels(labels: dict) -> None:
    """Domains add readable labels for their verbs (lazy strings with %(payload)s)."""
    EVENT_LABELS.update(labels)


register_event_labels(_labels())


def event_label(ev: Event) -> str:
    label = EVENT_LABELS.get(ev.verb)
    if label is None:
        return ev.verb
    try:
        return str(label) % {k: v for k, v in (ev.payload or {}).items()}
    except (KeyError, TypeError, ValueError):
        return str(label).split("%(")[0].strip()
