"""Feeds the index from the event log.

The index remembers the last event it applied (a meta document committed together with
the documents). Whichever process gets the writer lock applies the newer events; the
others carry on, so several processes share one index without lost or doubled work.
"""
from __future__ import annotations

import logging
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from workspace.db import db, read_only
from workspace.events import Event
from workspace.search import engine

log = logging.getLogger("samverkan.search")

# verb → how to find the paper whose documents must be refreshed
PAPER_VERBS = {
    "paper-created", "paper-imported", "paper-updated", "paper-status-changed", "section-added",
    "section-renamed", "sections-reordered", "section-removed", "section-restored", "section-saved",
    "revision-restored", "snapshot-created", "paper-adopted",
}


def index_path() -> Path:
    return Path(current_app.instance_path) / "search-index"


def get_index():
    ix = current_app.extensions.get("search-index")
    if ix is None or not Path(ix.storage.folder).exists():
        ix = engine.open_index(index_path())
        current_app.extensions["search-index"] = ix
    return ix


def _paper_docs(paper):
    from workspace.papers.sanitize import html_to_text

    org = paper.lead_organization.name if paper.lead_organization else ""
    base = dict(workspace_id=str(paper.workspace_id), paper_id=str(paper.id), paper_kind=paper.kind,
                status=paper.status, organization=org, updated=paper.updated_at.replace(tzinfo=None))
    body = " ".join(s.title for s in paper.live_sections)
    yield dict(doc_id=f"paper:{paper.id}", kind="paper", title=paper.title, body=body,
               raw=f"{paper.title} {body}", author="", **base)
    for s in paper.live_sections:
        author = s.current_revision.author.name if s.current_revision and s.current_revision.author else ""
        text = html_to_text(s.html)
        yield dict(doc_id=f"section:{s.id}", kind="section", section_id=str(s.id),
                   title=f"{paper.title} – {s.title}", body=text, raw=f"{s.title} {text}", author=author, **base)


def _reindex_paper(w, paper_id: int) -> None:
    from workspace.papers.models import Paper

    w.delete_by_term("paper_id", str(paper_id))
    paper = db.session.get(Paper, paper_id)
    if paper is not None:
        for doc in _paper_docs(paper):
            w.add_document(**doc)


def _paper_of(ev: Event) -> int | None:
    if ev.payload and ev.payload.get("paper_id"):
        return int(ev.payload["paper_id"])
    if ev.object_type == "paper":
        return ev.object_id
    return None


def sync_index(batch: int = 500) -> int:
    """Apply events newer than the index's last one; returns how many were applied."""
    ix = get_index()
    with read_only():
        newest = db.session.scalar(select(func.max(Event.id))) or 0
    done = engine.last_applied(ix)
    if newest <= done:
        return 0
    if done == 0 and newest > batch:
        return rebuild()  # a lost or new index: build it whole rather than replay the log
    w = engine.writer(ix)
    if w is None:
        return 0  # another process is applying them
    try:
        done = engine.last_applied(ix)  # re-read under the lock
        with read_only():
            events = db.session.scalars(select(Event).where(Event.id > done).order_by(Event.id).limit(batch)).all()
            papers = {p for p in (_paper_of(e) for e in events if e.verb in PAPER_VERBS) if p}
            for pid in sorted(papers):
                _reindex_paper(w, pid)
        if events:
            engine.set_last_applied(w, events[-1].id)
        w.commit()
        return len(events)
    except Exception:
        w.cancel()
        raise


def rebuild() -> int:
    """Rebuild the whole index from the database (atomically swapped in)."""
    from workspace.papers.models import Paper

    count = 0
    with read_only():
        newest = db.session.scalar(select(func.max(Event.id))) or 0

        def fill(w):
            nonlocal count
            for paper in db.session.scalars(select(Paper)):
                for doc in _paper_docs(paper):
                    w.add_document(**doc)
                    count += 1
            engine.set_last_applied(w, newest)

        engine.rebuild_dir(index_path(), fill)
    current_app.extensions.pop("search-index", None)
    return count


def status() -> tuple[int, int]:
    ix = get_index()
    with read_only():
        newest = db.session.scalar(select(func.max(Event.id))) or 0
    return engine.last_applied(ix), newest


def sync_quietly() -> None:
    """After a request's commit: keep search fresh, never fail the request for it."""
    try:
        sync_index()
    except Exception:  # the index is derived data; the next sync or a rebuild repairs it
        log.exception("search index sync failed")
