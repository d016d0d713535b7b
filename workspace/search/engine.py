"""The only module that knows Whoosh: schema, Swedish analysis, locked writers, queries, facets.

The index is derived data under instance/search-index; losing it loses nothing. It holds one
meta document with the last event applied and the schema version it was built with; an index
of another version is rebuilt by the indexer.
"""
from __future__ import annotations

import fcntl
import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from whoosh import index as windex
from whoosh import sorting
from whoosh.analysis import LanguageAnalyzer, StandardAnalyzer
from whoosh.fields import DATETIME, ID, STORED, TEXT, Schema
from whoosh.highlight import ContextFragmenter, HtmlFormatter
from whoosh.index import LockError
from whoosh.qparser import MultifieldParser
from whoosh.query import NullQuery, Or, Term

META_ID = "meta:last-event"
WRITER_TIMEOUT = 2.0
# Bump whenever make_schema() or what goes into a field changes: older indexes are rebuilt.
SCHEMA_VERSION = 2
# Facet name → index field. Each is a single-valued, sortable ID so grouping reads a column.
FACET_FIELDS = ("workspace_id", "kind", "policy_area", "status", "organization", "year")
OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"}


def make_schema() -> Schema:
    sv = LanguageAnalyzer("sv")
    return Schema(
        doc_id=ID(stored=True, unique=True),
        # Which object's documents these are ("paper:12"); re-indexing an object replaces them all.
        scope=ID(),
        kind=ID(stored=True, sortable=True),
        workspace_id=ID(stored=True, sortable=True),
        paper_id=ID(stored=True),
        section_id=ID(stored=True),
        # Whatever the document source needs to build the link (a thread id, a list year …).
        target=STORED(),
        title=TEXT(stored=True, analyzer=sv, field_boost=2.0),
        body=TEXT(stored=True, analyzer=sv),
        # Unstemmed words as typed, so that prefix* finds "stambano*" and the
        # corrector suggests real words.
        raw=TEXT(analyzer=StandardAnalyzer(minsize=1, stoplist=None), spelling=True),
        author=TEXT(stored=True, analyzer=StandardAnalyzer(minsize=1, stoplist=None)),
        status=ID(stored=True, sortable=True),
        policy_area=ID(stored=True, sortable=True),
        organization=ID(stored=True, sortable=True),
        year=ID(stored=True, sortable=True),
        updated=DATETIME(stored=True, sortable=True),
        last_event=STORED(),
        schema_version=STORED(),
        gaps=STORED(),
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


@dataclass
class IndexState:
    last_event: int = 0
    schema_version: int | None = None
    # Event ids below last_event not seen yet (a transaction that had not committed) → first seen.
    gaps: dict[int, float] = field(default_factory=dict)
    documents: int = 0


def state(ix) -> IndexState:
    with ix.searcher() as s:
        doc = s.document(doc_id=META_ID)
        count = s.doc_count()
    if not doc:
        return IndexState(documents=count)
    return IndexState(int(doc.get("last_event") or 0), doc.get("schema_version"), dict(doc.get("gaps") or {}),
                      count - 1)


def last_applied(ix) -> int:
    return state(ix).last_event


def set_state(w, event_id: int, gaps: dict[int, float] | None = None) -> None:
    w.update_document(doc_id=META_ID, kind="meta", last_event=event_id, schema_version=SCHEMA_VERSION,
                      gaps=dict(gaps or {}))


def is_current(st: IndexState) -> bool:
    return st.schema_version == SCHEMA_VERSION


@contextmanager
def rebuild_lock(path: str | os.PathLike):
    """One rebuild at a time across processes (the others wait, then find it done)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".rebuild-lock"), "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def rebuild_dir(path: str | os.PathLike, fill) -> None:
    """Build a fresh index beside the live one, then swap it in."""
    path = Path(path)
    tmp = path.with_name(path.name + f".new-{os.getpid()}-{int(time.time() * 1000)}")
    tmp.mkdir(parents=True)
    try:
        ix = windex.create_in(str(tmp), make_schema())
        w = ix.writer(procs=1, limitmb=128)
        fill(w)
        w.commit(optimize=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = path.with_name(path.name + f".old-{os.getpid()}-{int(time.time() * 1000)}")
    if path.exists():
        path.rename(old)
    tmp.rename(path)
    shutil.rmtree(old, ignore_errors=True)


def to_fields(doc_id: str, scope: str, **values) -> dict:
    """Whoosh wants text for ID fields and no None values."""
    out = {"doc_id": doc_id, "scope": scope}
    for k, v in values.items():
        if v is None or v == "":
            continue
        out[k] = v if isinstance(v, (datetime, dict)) else str(v)
    return out


@dataclass
class Hit:
    doc_id: str
    kind: str
    workspace_id: int
    paper_id: int | None
    section_id: int | None
    title: str
    snippet: str
    status: str
    policy_area: str
    organization: str
    year: str
    author: str
    updated: datetime | None
    target: dict


@dataclass
class Results:
    hits: list[Hit]
    total: int
    # facet field → [(value, count)], most frequent first; selected values are always present.
    facets: dict[str, list[tuple[str, int]]]
    suggestion: str | None = None


def _parser(schema) -> MultifieldParser:
    return MultifieldParser(["title", "body", "raw"], schema=schema)  # words AND-ed, like a web search


def parse(schema, text: str):
    parser = _parser(schema)
    try:
        return parser.parse(text)
    except Exception:  # Whoosh's parser raises many kinds on junk; fall back to plain words
        return parser.parse(" ".join(w for w in text.split() if w.isalnum()))


def _docsets(results, fieldname: str) -> dict[str, set[int]]:
    out: dict[str, set[int]] = {}
    for key, docnums in results.groups(fieldname).items():
        if key is None or key == "" or key == b"":
            continue
        key = key.decode("utf-8") if isinstance(key, bytes) else str(key)
        out.setdefault(key, set()).update(docnums)
    return out


def search(ix, text: str, workspace_ids: list[int], *, selected: dict[str, set[str]] | None = None,
           sort: str = "relevance", limit: int = 20, page: int = 1, facet_limit: int = 12) -> Results:
    """Hits the user may see (only their workspaces), with highlighted snippets and facet counts.

    Facets count "disjunctively": a facet's counts apply every other facet's selection but not
    its own, so ticking one kind still shows how many hits the other kinds would add.
    """
    selected = {f: set(v) for f, v in (selected or {}).items() if f in FACET_FIELDS and v}
    if not workspace_ids or not text.strip():
        return Results([], 0, {f: [] for f in FACET_FIELDS})
    query = parse(ix.schema, text)
    if query is NullQuery or isinstance(query, type(NullQuery)):
        return Results([], 0, {f: [] for f in FACET_FIELDS})
    allowed = Or([Term("workspace_id", str(wid)) for wid in workspace_ids])
    facets = sorting.Facets()
    for f in FACET_FIELDS:
        facets.add_field(f, maptype=sorting.UnorderedList)
    sort_kw = {"sortedby": "updated", "reverse": True} if sort == "date" else {}
    page = max(1, page)
    with ix.searcher() as s:
        first = s.search(query, filter=allowed, limit=page * limit, groupedby=facets, **sort_kw)
        sets = {f: _docsets(first, f) for f in FACET_FIELDS}
        matched = set().union(*sets["kind"].values()) if sets["kind"] else set()
        chosen = {f: set().union(*(sets[f].get(v, set()) for v in vals)) for f, vals in selected.items()}
        counts: dict[str, list[tuple[str, int]]] = {}
        for f in FACET_FIELDS:
            base = matched
            for g, docs in chosen.items():
                if g != f:
                    base = base & docs
            values = [(v, len(docs & base)) for v, docs in sets[f].items()]
            values = [(v, n) for v, n in values if n or v in selected.get(f, ())]
            values.sort(key=lambda vn: (-vn[1], vn[0]))
            keep = values[:facet_limit] + [vn for vn in values[facet_limit:] if vn[0] in selected.get(f, ())]
            keep += [(v, 0) for v in sorted(selected.get(f, ())) if v not in sets[f]]
            counts[f] = keep
        if chosen:
            final = matched
            for docs in chosen.values():
                final = final & docs
            total = len(final)
            results = s.search(query, filter=final, limit=page * limit, **sort_kw) if final else None
        else:
            total, results = len(matched), first
        hits: list[Hit] = []
        if results is not None:
            results.fragmenter = ContextFragmenter(maxchars=200, surround=60)
            results.formatter = HtmlFormatter(tagname="mark", classname="hit", termclass="t")
            for r in results[(page - 1) * limit:page * limit]:
                hits.append(_hit(r))
        suggestion = _did_you_mean(s, text, allowed) if not matched else None
        return Results(hits, total, counts, suggestion)


def _int(v) -> int | None:
    return int(v) if v not in (None, "") else None


def _hit(r) -> Hit:
    snippet = (r.highlights("body") if r.get("body") else "") or r.highlights("title") or ""
    if not snippet and r.get("body"):
        snippet = _escape(r["body"][:200])
    return Hit(r["doc_id"], r["kind"], int(r["workspace_id"]), _int(r.get("paper_id")), _int(r.get("section_id")),
               r.get("title", ""), snippet, r.get("status", ""), r.get("policy_area", ""),
               r.get("organization", ""), r.get("year", ""), r.get("author", ""), r.get("updated"),
               dict(r.get("target") or {}))


def _escape(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


def _did_you_mean(s, text: str, allowed) -> str | None:
    """A corrected query that finds something in the user's own workspaces, or None.

    The corrector knows every word of the index, so a candidate is only offered if it hits
    inside the workspaces allowed: another workspace's words must never leak this way.
    """
    corrector = s.corrector("raw")
    words = text.split()
    fixed = []
    changed = False
    for w in words:
        bare = w.lower()
        if w in OPERATORS or not bare.isalpha():
            fixed.append(w)
            continue
        if s.search(Term("raw", bare), filter=allowed, limit=1).scored_length():
            fixed.append(w)
            continue
        pick = None
        for cand in corrector.suggest(bare, limit=5, maxdist=2):
            if s.search(Term("raw", cand), filter=allowed, limit=1).scored_length():
                pick = cand
                break
        fixed.append(pick or w)
        changed = changed or pick is not None
    if not changed:
        return None
    suggestion = " ".join(fixed)
    if not s.search(parse(s.schema, suggestion), filter=allowed, limit=1).scored_length():
        return None
    return suggestion
