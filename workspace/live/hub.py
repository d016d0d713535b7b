"""Per-process fan-out of the event log to open live streams.

The event log in the database is the only source of truth, so every process (and later
every machine) sees the same events. Within one process a single poller thread reads new
events and wakes the streams; streams never query the database on their own except to
catch up on what is older than the in-memory window.
"""
from __future__ import annotations

import itertools
import logging
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from sqlalchemy import select

from workspace.db import read_only

log = logging.getLogger("samverkan.live")

_serials = itertools.count(1)
POLL_INTERVAL = 0.2  # seconds between looks at the event log
WINDOW = 5000  # events kept in memory for catching up


@dataclass(frozen=True)
class LiveEvent:
    id: int
    workspace_id: int | None
    verb: str
    object_type: str
    object_id: int | None
    actor_id: int | None
    actor_name: str | None
    payload: dict = field(default_factory=dict)
    # Unique in the process (ids are not, after a restore): what the streams woken by this
    # event share is keyed on it. Events read again from the database get new ones.
    serial: int = field(default_factory=lambda: next(_serials), compare=False)

    def keys(self) -> list[str]:
        """What a page region can listen for: the workspace, the paper, the section…"""
        keys = ["workspace"]
        if self.object_type == "paper" and self.object_id:
            keys.append(f"paper:{self.object_id}")
        if self.payload.get("paper_id"):
            keys.append(f"paper:{self.payload['paper_id']}")
        if self.object_type == "section" and self.object_id:
            keys.append(f"section:{self.object_id}")
        if self.payload.get("section_id"):
            keys.append(f"section:{self.payload['section_id']}")
        if self.payload.get("round_id"):
            keys.append(f"round:{self.payload['round_id']}")
        # People notified by this event: their bell refreshes (streams drop others' keys).
        for uid in self.payload.get("recipient_ids") or ():
            keys.append(f"user:{uid}")
        if self.payload.get("list_id"):
            keys.append(f"priority-list:{self.payload['list_id']}")
        return sorted(set(keys))


def _to_live(ev) -> LiveEvent:
    return LiveEvent(
        id=ev.id,
        workspace_id=ev.workspace_id,
        verb=ev.verb,
        object_type=ev.object_type,
        object_id=ev.object_id,
        actor_id=ev.actor_id,
        actor_name=ev.actor.name if ev.actor is not None else None,
        payload=dict(ev.payload or {}),
    )


def fetch_events(after_id: int, *, workspace_id: int | None = None, limit: int = 500) -> list[LiveEvent]:
    from workspace.db import db
    from workspace.events import Event

    stmt = select(Event).where(Event.id > after_id).order_by(Event.id).limit(limit)
    if workspace_id is not None:
        stmt = stmt.where(Event.workspace_id == workspace_id)
    return [_to_live(e) for e in db.session.scalars(stmt)]


def newest_event_id() -> int:
    from workspace.db import db
    from workspace.events import NEWEST_EVENT_ID

    return db.session.scalar(NEWEST_EVENT_ID) or 0


class Hub:
    def __init__(self, app):
        self.app = app
        self.cond = threading.Condition()
        self.window: deque[LiveEvent] = deque(maxlen=WINDOW)
        self.last_id = 0
        self.thread: threading.Thread | None = None
        self.stopped = threading.Event()
        self.housekeeping: list = []  # callables run every few seconds (presence expiry)

    def start(self) -> None:
        with self.cond:
            if self.thread is not None and self.thread.is_alive():
                return
            with self.app.app_context(), read_only():
                self.last_id = newest_event_id()
            self.thread = threading.Thread(target=self._run, name="live-hub", daemon=True)
            self.thread.start()

    def stop(self) -> None:
        self.stopped.set()

    def _run(self) -> None:
        next_housekeeping = 0.0
        while not self.stopped.is_set():
            try:
                if time.monotonic() >= next_housekeeping:
                    for job in self.housekeeping:
                        with self.app.app_context():
                            job()
                    next_housekeeping = time.monotonic() + 5
                with self.app.app_context(), read_only():
                    new = fetch_events(self.last_id)
                if new:
                    with self.cond:
                        self.window.extend(new)
                        self.last_id = new[-1].id
                        self.cond.notify_all()
                    if len(new) == 500:
                        continue
            except Exception:  # the database may be restarting; keep the thread alive
                log.exception("live hub poll failed")
                time.sleep(1)
            self.stopped.wait(POLL_INTERVAL)

    def events_after(self, after_id: int, workspace_id: int) -> list[LiveEvent]:
        """Events of one workspace after `after_id`, from memory or (if older) the database."""
        with self.cond:
            oldest = self.window[0].id if self.window else self.last_id + 1
            if after_id >= oldest - 1 or after_id >= self.last_id:
                # Walk back from the newest: the cost is the number of new events, not the
                # window's size, so 200 woken streams stay cheap.
                out = []
                for e in reversed(self.window):
                    if e.id <= after_id:
                        break
                    if e.workspace_id == workspace_id:
                        out.append(e)
                out.reverse()
                return out
        with self.app.app_context(), read_only():
            return fetch_events(after_id, workspace_id=workspace_id)

    def wait(self, after_id: int, timeout: float) -> None:
        with self.cond:
            if self.last_id <= after_id:
                self.cond.wait(timeout)


_hubs: dict[int, Hub] = {}
_hubs_lock = threading.Lock()


def get_hub(app) -> Hub:
    with _hubs_lock:
        hub = _hubs.get(id(app))
        if hub is None:
            hub = _hubs[id(app)] = Hub(app)
            from workspace.live.presence import expire_presence

            hub.housekeeping.append(expire_presence)
            from workspace.decisions.services import close_due_job

            hub.housekeeping.append(close_due_job)
        hub.start()
        return hub
