"""Feeds the index from the event log, through a registry of document sources.

The index remembers the last event it applied (a meta document committed together with
the documents). Whichever process gets the writer lock applies the newer events; the
others carry on, so several processes share one index without lost or doubled work.

A domain makes its objects searchable by registering a DocumentSource (see
`workspace/search/sources.py` for papers and sections):

    register_source(DocumentSource(
        name="thread",                                   # scope prefix: "thread:<id>"
        kinds={"comment": _l("Kommentar")},              # kind → label (results, facet)
        verbs={"comment-added", "comment-edited"},       # events that touch its documents
        object_ids=lambda ev: [ev.payload["thread_id"]], # which objects an event touches
        documents=thread_documents,                      # object id → SearchDocs (none if gone)
        all_object_ids=all_thread_ids,                   # every object id, for `flask search rebuild`
        link=lambda hit, ws: url_for("papers.detail", slug=ws.slug, paper_id=hit.paper_id,
                                     _anchor=f"thread-{hit.target['thread_id']}"),
        status_labels={"open": _l("öppen"), "resolved": _l("löst")},
    ))

Re-indexing an object replaces all documents it produced before, so `documents` simply
describes the object as it is now (and yields nothing once it is deleted).
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import func, or_, select

from workspace.db import db, read_only
from workspace.events import Event
from workspace.search import engine

log = logging.getLogger("samverkan.search")

# An event id below the newest one that is still missing after this long was rolled back.
GAP_PATIENCE = 120.0


@dataclass
class SearchDoc:
    """One searchable document, as a source describes it."""

    id: str  # unique across the index, e.g. "comment:12"
    kind: str  # one of its source's kinds
    workspace_id: int
    title: str
    body: str = ""
    author: str = ""
    status: str = ""
    policy_area: str = ""
    organization: str = ""
    year: int | None = None
    updated: datetime | None = None
    paper_id: int | None = None
    section_id: int | None = None
    target: dict = field(default_factory=dict)  # what the source's link() needs


@dataclass
class DocumentSource:
    name: str
    kinds: Mapping[str, object]
    verbs: Collection[str]
    object_ids: Callable[[Event], Iterable[int]]
    documents: Callable[[int], Iterable[SearchDoc]]
    all_object_ids: Callable[[], Iterable[int]]
    link: Callable[[engine.Hit, object], str]
    status_labels: Mapping[str, object] = field(default_factory=dict)
    # Optional: every document at once, for a faster rebuild than documents() per object.
    all_documents: Callable[[], Iterable[tuple[int, SearchDoc]]] | None = None


SOURCES: dict[str, DocumentSource] = {}


def register_source(source: DocumentSource) -> None:
    if ":" in source.name:
        raise ValueError("a source name must not contain ':'")
    SOURCES[source.name] = source


def source_of_kind(kind: str) -> DocumentSource | None:
    for source in SOURCES.values():
        if kind in source.kinds:
            return source
    return None


def kind_labels() -> dict[str, object]:
    return {k: label for s in SOURCES.values() for k, label in s.kinds.items()}


def status_labels() -> dict[str, str]:
    """Status → label in the request's language, capitalised alike whichever domain wrote it
    ("fastställt" beside "Öppen" looked like two kinds of thing in one facet)."""
    out: dict[str, str] = {}
    for s in SOURCES.values():
        for k, label in s.status_labels.items():
            if k not in out:
                text = str(label)
                out[k] = text[:1].upper() + text[1:]
    return out


def link_for(hit: engine.Hit, workspace) -> str | None:
    source = source_of_kind(hit.kind)
    return source.link(hit, workspace) if source else None


def _ensure_sources() -> None:
    # The papers source lives in this package; importing it registers it.
    from workspace.search import sources  # noqa: F401


# --- the index ---------------------------------------------------------------------

def index_path() -> Path:
    return Path(current_app.instance_path) / "search-index"


def get_index():
    ix = current_app.extensions.get("search-index")
    if ix is None or not Path(ix.storage.folder).exists():
        ix = engine.open_index(index_path())
        current_app.extensions["search-index"] = ix
    return ix


def _fields(scope: str, doc: SearchDoc) -> dict:
    return engine.to_fields(
        doc.id, scope, kind=doc.kind, workspace_id=doc.workspace_id, title=doc.title, body=doc.body,
        raw=f"{doc.title} {doc.body}", author=doc.author, status=doc.status, policy_area=doc.policy_area,
        organization=doc.organization, year=doc.year,
        updated=doc.updated.replace(tzinfo=None) if doc.updated else None,
        paper_id=doc.paper_id, section_id=doc.section_id, target=doc.target or None)


def _reindex(w, source: DocumentSource, object_id: int) -> None:
    scope = f"{source.name}:{object_id}"
    w.delete_by_term("scope", scope)
    for doc in source.documents(object_id):
        w.add_document(**_fields(scope, doc))


def _touched(events) -> list[tuple[DocumentSource, int]]:
    out: dict[tuple[str, int], DocumentSource] = {}
    for ev in events:
        for source in SOURCES.values():
            if ev.verb in source.verbs:
                for oid in source.object_ids(ev):
                    if oid is not None:
                        out[(source.name, int(oid))] = source
    return [(src, oid) for (_, oid), src in sorted(out.items())]


def _newest_event() -> int:
    return db.session.scalar(select(func.max(Event.id))) or 0


def sync_index(batch: int = 500, budget: float = 5.0) -> int:
    """Apply events newer than the index's last one; returns how many were applied.

    Returns at once if another process holds the writer (it is applying them).
    """
    _ensure_sources()
    ix = get_index()
    with read_only():
        newest = _newest_event()
    st = engine.state(ix)
    if not engine.is_current(st) or (st.last_event == 0 and newest > batch):
        # A lost, new or outdated index: build it whole rather than replay the log.
        return rebuild(only_if_stale=True)
    if newest <= st.last_event and not st.gaps:
        return 0
    w = engine.writer(ix)
    if w is None:
        return 0
    applied = 0
    try:
        st = engine.state(ix)  # re-read under the lock
        done, gaps = st.last_event, st.gaps
        started = time.monotonic()
        with read_only():
            while True:
                cond = Event.id > done
                if gaps:
                    cond = or_(cond, Event.id.in_(list(gaps)))
                events = db.session.scalars(select(Event).where(cond).order_by(Event.id).limit(batch)).all()
                for source, oid in _touched(events):
                    _reindex(w, source, oid)
                gaps = _next_gaps(gaps, done, events)
                fresh = [e.id for e in events if e.id > done]
                if fresh:
                    done = fresh[-1]
                applied += len(events)
                if len(events) < batch or time.monotonic() - started > budget:
                    break
        if not applied and gaps == st.gaps:
            w.cancel()  # nothing new: no empty commit
            return 0
        engine.set_state(w, done, gaps)
        w.commit()
        return applied
    except Exception:
        w.cancel()
        raise


def _next_gaps(gaps: dict[int, float], done: int, events) -> dict[int, float]:
    """Ids skipped over may belong to transactions not yet committed (PostgreSQL hands out
    ids before commit): look for them again next time, for a while."""
    now = time.time()
    seen = {e.id for e in events}
    out = {i: t for i, t in gaps.items() if i not in seen and now - t < GAP_PATIENCE}
    fresh = sorted(i for i in seen if i > done)
    if fresh:
        expected = set(range(done + 1, fresh[-1]))
        for i in expected - seen:
            if done > 0:
                out.setdefault(i, now)
    return out


def rebuild(only_if_stale: bool = False) -> int:
    """Rebuild the whole index from the database (atomically swapped in); returns documents."""
    _ensure_sources()
    path = index_path()
    try:
        with engine.rebuild_lock(path, wait=not only_if_stale):
            return _rebuild(path, only_if_stale)
    except engine.Busy:
        return 0  # another process is rebuilding; meanwhile searches use the index as it is


def _rebuild(path: Path, only_if_stale: bool) -> int:
    if only_if_stale:
        st = engine.state(engine.open_index(path))
        if engine.is_current(st) and st.last_event:
            return 0  # another process rebuilt it just before us
    count = 0
    with read_only():
        newest = _newest_event()

        def fill(w):
            nonlocal count
            for source in SOURCES.values():
                if source.all_documents is not None:
                    pairs = source.all_documents()
                else:
                    pairs = ((oid, doc) for oid in source.all_object_ids() for doc in source.documents(oid))
                for oid, doc in pairs:
                    w.add_document(**_fields(f"{source.name}:{oid}", doc))
                    count += 1
            engine.set_state(w, newest)

        engine.rebuild_dir(path, fill)
    current_app.extensions.pop("search-index", None)
    return count


@dataclass
class Status:
    applied: int
    newest: int
    documents: int
    schema_version: int | None
    pending_gaps: int
    path: Path

    @property
    def behind(self) -> int:
        return max(0, self.newest - self.applied)

    @property
    def schema_version_wanted(self) -> int:
        return engine.SCHEMA_VERSION

    @property
    def needs_rebuild(self) -> bool:
        return self.schema_version != engine.SCHEMA_VERSION


def status() -> Status:
    ix = get_index()
    with read_only():
        newest = _newest_event()
    st = engine.state(ix)
    return Status(st.last_event, newest, st.documents, st.schema_version, len(st.gaps), index_path())


def follow(stop: threading.Event, interval: float = 0.5) -> None:
    """Keep the index up to date with the event log until `stop` is set: what `flask search
    follow` runs, in a process of its own beside the web workers (gunicorn.conf.py starts it).

    A commit of the index costs tens of milliseconds of Python per changed section. In a web
    worker it held the interpreter against that worker's requests: a search right after a save
    spent most of its time indexing, and indexing in a thread of the worker doubled the saves'
    latency (issue 10). A process of its own takes the other core instead. Searches still
    apply whatever it has not yet, so a search finds what was saved a moment ago either way.
    """
    while not stop.is_set():
        try:
            if sync_index():
                continue  # more than a batch, or more came meanwhile
        except Exception:  # the index is derived data; the next round or a rebuild repairs it
            log.exception("search index follow failed")
            stop.wait(5)
        finally:
            db.session.remove()  # the next round reads the log as it is then, not this snapshot
        stop.wait(interval)


def sync_quietly() -> None:
    """Before a search: keep it fresh, never fail the request for it."""
    try:
        sync_index()
    except Exception:  # the index is derived data; the next sync or a rebuild repairs it
        log.exception("search index sync failed")
