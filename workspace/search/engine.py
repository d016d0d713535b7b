"""The only module that knows Whoosh: schema, Swedish analysis, locked writers, queries.

The index is derived data under instance/search-index; losing it loses nothing.
"""
from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as windex
from whoosh.analysis import LanguageAnalyzer, StandardAnalyzer
from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.highlight import ContextFragmenter, HtmlFormatter
from whoosh.index import LockError
from whoosh.qparser import MultifieldParser
from whoosh.query import And, Or, Term

META_ID = "meta:last-event"
WRITER_TIMEOUT = 2.0


def make_schema() -> Schema:
    sv = LanguageAnalyzer("sv")
    return Schema(
        doc_id=ID(stored=True, unique=True),
        kind=ID(stored=True),  # paper | section
        workspace_id=ID(stored=True),
        paper_id=ID(stored=True),
        section_id=ID(stored=True),
        title=TEXT(stored=True, analyzer=sv, field_boost=2.0),
        body=TEXT(stored=True, analyzer=sv),
        # Unstemmed words as typed, so that prefix* finds "stambano*" and the
        # corrector suggests real words.
        raw=TEXT(analyzer=StandardAnalyzer(minsize=1, stoplist=None), spelling=True),
        author=TEXT(stored=True),
        paper_kind=ID(stored=True),
        status=ID(stored=True),
        organization=KEYWORD(stored=True, commas=True),
        updated=DATETIME(stored=True, sortable=True),
        last_event=STORED(),
    )


class SearchUnavailable(RuntimeError):
    pass


def open_index(path: str | os.PathLike):
    path = Path(path)
    if windex.exists_in(str(path)):
        return windex.open_dir(str(path))
    path.mkdir(parents=True, exist_ok=True)
    try:
        return windex.create_in(str(path), make_schema())
    except FileExistsError:  # another process was quicker
        return windex.open_dir(str(path))


def writer(ix, timeout: float = WRITER_TIMEOUT):
    """A writer taken with a timeout; None if another process holds the lock."""
    try:
        return ix.writer(timeout=timeout)
    except LockError:
        return None


def last_applied(ix) -> int:
    with ix.searcher() as s:
        doc = s.document(doc_id=META_ID)
        return int(doc["last_event"]) if doc else 0


def set_last_applied(w, event_id: int) -> None:
    w.update_document(doc_id=META_ID, kind="meta", last_event=event_id)


def rebuild_dir(path: str | os.PathLike, fill) -> None:
    """Build a fresh index beside the live one, then swap it in."""
    path = Path(path)
    tmp = path.with_name(path.name + f".new-{os.getpid()}-{int(time.time() * 1000)}")
    tmp.mkdir(parents=True)
    ix = windex.create_in(str(tmp), make_schema())
    w = ix.writer()
    fill(w)
    w.commit()
    old = path.with_name(path.name + f".old-{os.getpid()}")
    if path.exists():
        path.rename(old)
    tmp.rename(path)
    shutil.rmtree(old, ignore_errors=True)


@dataclass
class Hit:
    doc_id: str
    kind: str
    workspace_id: int
    paper_id: int
    section_id: int | None
    title: str
    snippet: str
    status: str
    paper_kind: str
    updated: object


def search(ix, text: str, workspace_ids: list[int], *, limit: int = 50, sort: str = "relevance"):
    """Hits the user may see (only their workspaces), with highlighted snippets."""
    if not workspace_ids:
        return [], None, 0
    parser = MultifieldParser(["title", "body", "raw"], schema=ix.schema)  # words AND-ed, like a web search
    try:
        query = parser.parse(text)
    except Exception:  # Whoosh's parser raises many kinds on junk; fall back to plain words
        query = parser.parse(" ".join(w for w in text.split() if w.isalnum()))
    allowed = Or([Term("workspace_id", str(wid)) for wid in workspace_ids])
    with ix.searcher() as s:
        kw = {"limit": limit, "filter": allowed}
        if sort == "date":
            kw.update(sortedby="updated", reverse=True)
        results = s.search(And([query, Or([Term("kind", "paper"), Term("kind", "section")])]), **kw)
        results.fragmenter = ContextFragmenter(maxchars=200, surround=60)
        results.formatter = HtmlFormatter(tagname="mark", classname="hit", termclass="t")
        hits = []
        for r in results:
            snippet = r.highlights("body") or r.highlights("title") or ""
            sid = r.get("section_id")
            hits.append(Hit(r["doc_id"], r["kind"], int(r["workspace_id"]), int(r["paper_id"]),
                            int(sid) if sid else None,
                            r["title"], snippet, r.get("status", ""), r.get("paper_kind", ""), r.get("updated")))
        suggestion = None
        if not hits and text.strip():
            corrector = s.corrector("raw")
            words = text.lower().split()
            fixed = [(corrector.suggest(w, limit=1) or [w])[0] if w.isalpha() else w for w in words]
            if fixed != words:
                suggestion = " ".join(fixed)
        return hits, suggestion, results.estimated_length() if hits else 0
