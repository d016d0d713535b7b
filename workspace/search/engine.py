"""The only module that knows Whoosh: schema, Swedish analysis, locked writers, queries, facets.

The index is derived data under instance/search-index; losing it loses nothing. It holds one
meta document with the last event applied and the schema version it was built with; an index
of another version is rebuilt by the indexer.
"""
from __future__ import annotations

import fcntl
import functools
import heapq
import io
import operator
import os
import re
import shutil
import struct
import sys
import threading
import time
from array import array
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from itertools import accumulate, chain, compress, repeat
from pathlib import Path
from pickle import loads as _unpickle
from types import MappingProxyType

from markupsafe import escape
from whoosh import index as windex
from whoosh.analysis import LowercaseFilter, RegexTokenizer, StandardAnalyzer, StemFilter, StopFilter
from whoosh.fields import DATETIME, ID, STORED, TEXT, Schema
from whoosh.index import LockError
from whoosh.lang.snowball.swedish import SwedishStemmer
from whoosh.qparser import MultifieldParser
from whoosh import query as wq
from whoosh.matching.wrappers import FilterMatcher
from whoosh.query import NullQuery, Or, Term
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3PerDocReader, _lenfield
from whoosh.columns import NumericColumn, VarBytesColumn
from whoosh.filedb.structfile import BufferFile
from whoosh.formats import Positions
from whoosh.formats import _INT_SIZE as _POSITIONS_AT
from whoosh.util.numeric import byte_to_length

from workspace.cache import BoundedCache


class _MappedFile(io.RawIOBase):
    """A read-only file over a buffer, without copying it.

    Whoosh maps each segment file into memory and hands its parts out as BufferFiles, which
    wrap the mapped bytes in a BytesIO, and a BytesIO copies a buffer that is not `bytes`. So
    every searcher copied most of the index into the process's own memory: 8 idle searchers
    in the pool held 440 MB of copies, and a worker grew past 1 GB after a burst of searches
    (issue 10). Over the mapping, the pages stay the system's page cache, shared by every
    searcher and process."""

    def __init__(self, buf) -> None:
        super().__init__()
        self._buf = memoryview(buf)
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, pos: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: len(self._buf)}[whence]
        self._pos = max(0, base + pos)
        return self._pos

    def read(self, size: int | None = -1) -> bytes:
        end = len(self._buf) if size is None or size < 0 else min(len(self._buf), self._pos + size)
        out = self._buf[self._pos:end].tobytes() if end > self._pos else b""
        self._pos = max(self._pos, end)
        return out

    def peek(self, size: int = 0) -> bytes:
        # The unpickler reads ahead through peek() rather than byte by byte, as from a BytesIO:
        # Whoosh unpickles a small header before every block of postings.
        return self._buf[self._pos:self._pos + min(max(size, 1), 1024)].tobytes()

    def readinto(self, b) -> int:
        data = self.read(len(b))
        b[:len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        line = bytearray()
        while size is None or size < 0 or len(line) < size:
            chunk = self.read(256 if size is None or size < 0 else min(256, size - len(line)))
            if not chunk:
                break
            cut = chunk.find(b"\n")
            if cut >= 0:
                line += chunk[:cut + 1]
                self._pos -= len(chunk) - cut - 1
                break
            line += chunk
        return bytes(line)

    def close(self) -> None:
        self._buf.release()
        super().close()


def _buffer_file_init(self, buf, name=None, onclose=None) -> None:
    _copying_init(self, b"", name=name, onclose=onclose)
    self._buf = buf
    self.file = _MappedFile(buf)


_copying_init = BufferFile.__init__
BufferFile.__init__ = _buffer_file_init

META_ID = "meta:last-event"
WRITER_TIMEOUT = 2.0
# Bump whenever make_schema() or what goes into a field changes: older indexes are rebuilt.
SCHEMA_VERSION = 4
# Facet name → index field. Each is a single-valued, sortable ID so grouping reads a column.
FACET_FIELDS = ("workspace_id", "kind", "policy_area", "status", "organization", "year")
COLUMN_FIELDS = FACET_FIELDS + ("updated",)
OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"}

_stemmer = SwedishStemmer()
TOKEN_RE = re.compile(r"\w+(\.?\w+)*")  # Whoosh's default token pattern


@functools.lru_cache(maxsize=200_000)
def swedish_stem(word: str) -> str:
    """Whoosh's Swedish Snowball stemmer behind a C-level cache (its own cache is slow Python)."""
    return _stemmer.stem(word)


# The words the Swedish fields leave out (and do not count positions for): stop words and
# words shorter than its minimum. The highlighter asks it too (_only_left_out).
_SWEDISH_STOPS = StopFilter(lang="sv")


def swedish_analyzer():
    return (RegexTokenizer(TOKEN_RE.pattern) | LowercaseFilter() | _SWEDISH_STOPS
            | StemFilter(stemfn=swedish_stem, cachesize=None))


def make_schema() -> Schema:
    sv = swedish_analyzer()
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
        ix = windex.create_in(str(path), make_schema())
        _stamp(path)
        return ix
    except FileExistsError:  # another process was quicker
        return windex.open_dir(str(path))


def writer(ix, timeout: float = WRITER_TIMEOUT):
    """A writer taken with a timeout; None if another process holds the lock."""
    try:
        return ix.writer(timeout=timeout)
    except LockError:
        return None


IDENTITY_FILE = "samverkan-index-id"


def _identity(folder) -> str:
    """A random id written when an index is created (inode numbers are reused)."""
    try:
        return (Path(folder) / IDENTITY_FILE).read_text()
    except FileNotFoundError:
        return f"ino:{os.stat(folder).st_ino}"


def _stamp(folder) -> None:
    (Path(folder) / IDENTITY_FILE).write_text(os.urandom(8).hex())


_pool_lock = threading.Lock()
_pool: dict[str, list] = {}  # index folder → idle (identity, searcher)
POOL_SIZE = 8


@contextmanager
def searcher(ix):
    """A searcher on the latest state of the index, borrowed from a small per-process pool.

    Opening a searcher reads the table of contents and every segment's header; reusing an
    idle one saves that on each search. Searchers are not shared between threads at once.
    A rebuilt or re-created index has a new identity (see _identity), so a searcher of the
    old one is never reused, even at the same generation number; a changed index gets a
    fresh reader, not Searcher.refresh(), which reuses segment readers that then miss
    deletions committed to those segments since.
    """
    folder = ix.storage.folder
    ident = _identity(folder)
    s = None
    with _pool_lock:
        idle = _pool.setdefault(folder, [])
        while idle and s is None:
            held_ident, held = idle.pop()
            if held_ident == ident and held.up_to_date():
                s = held
            else:
                held.close()
    if s is None:
        s = ix.searcher()
    try:
        yield s
    finally:
        with _pool_lock:
            idle = _pool.setdefault(folder, [])
            if len(idle) < POOL_SIZE:
                idle.append((ident, s))
            else:
                s.close()


@dataclass
class IndexState:
    last_event: int = 0
    schema_version: int | None = None
    # Event ids below last_event not seen yet (a transaction that had not committed) → first seen.
    gaps: dict[int, float] = field(default_factory=dict)
    documents: int = 0


def state(ix) -> IndexState:
    """What the index has applied, as of its latest commit. Every search asks (is anything left
    to apply?): a searcher reads one generation of the index, so what it found is kept on it."""
    with searcher(ix) as s:
        found = getattr(s, "_samverkan_state", None)
        if found is None:
            doc = s.document(doc_id=META_ID)
            found = s._samverkan_state = (doc, s.doc_count())
    doc, count = found
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


class Busy(RuntimeError):
    """Another process is rebuilding the index."""


@contextmanager
def rebuild_lock(path: str | os.PathLike, *, wait: bool = True):
    """One rebuild at a time across processes. Without `wait`, raise Busy if one is running
    (a search request should not hang for minutes behind another's rebuild)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".rebuild-lock"), "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise Busy() from None
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
        _stamp(tmp)
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


_PARSERS: dict[int, tuple] = {}


def _parser(schema) -> MultifieldParser:
    held = _PARSERS.get(id(schema))
    if held is None or held[0] is not schema:
        if len(_PARSERS) > 16:
            _PARSERS.clear()
        # Words are AND-ed, like a web search.
        held = _PARSERS[id(schema)] = (schema, MultifieldParser(["title", "body", "raw"], schema=schema))
    return held[1]


def parse(schema, text: str):
    parser = _parser(schema)
    try:
        return parser.parse(text)
    except Exception:  # Whoosh's parser raises many kinds on junk; fall back to plain words
        return parser.parse(" ".join(w for w in text.split() if w.isalnum()))


# Data decoded from segments, shared by every thread and searcher. A Whoosh segment is never
# changed once written: new documents go to new segments, merges write new segments, and only
# the set of deleted documents (kept in the table of contents) changes. So whatever is decoded
# from a segment alone stays true for as long as that segment exists, and is keyed on the
# segment's id (a random name Whoosh gives its files). Nothing that depends on deletions or on
# index-wide statistics is stored without them in its key or value.
# Per process (each gunicorn worker has one). bench/search_bench.py's queries over 10,000
# sections fill about 28 MB of it.
SEGMENT_CACHE_BYTES = 64 * 1024 * 1024
_segment_cache = BoundedCache(SEGMENT_CACHE_BYTES)
# Rough CPython sizes, for the cache's budget: a tuple slot, a small int, a float.
_SLOT, _INT, _FLOAT = 8, 28, 24


def _segment_id(reader) -> str | None:
    """The key of a leaf reader's segment in the cache; None (nothing cached) for readers
    without one."""
    seg = reader.segment()
    return seg.segment_id() if seg is not None else None


def _cached(reader, key: tuple, make):
    """The segment's value for key, made by make() → (value, estimated bytes) on a miss.
    A None value (the segment cannot be read this way) is not stored."""
    seg_id = _segment_id(reader)
    full = (seg_id,) + key
    value = _segment_cache.get(full) if seg_id else None
    if value is None:
        value, size = make()
        if seg_id and value is not None:
            _segment_cache.put(full, value, size)
    return value


def _columns(s) -> dict[str, list]:
    """Every document's facet values, by document number, for this searcher's segments."""
    out: dict[str, list] = {f: [] for f in COLUMN_FIELDS}
    for reader, _offset in s.reader().leaf_readers():
        cols = _segment_columns(reader)
        for f in COLUMN_FIELDS:
            out[f] += cols[f]
    return out


def _segment_columns(reader) -> dict[str, tuple]:
    """One segment's facet columns, read once per process (deleted documents are never
    matched, so their values do no harm)."""
    def make():
        cols = {}
        for f in COLUMN_FIELDS:
            if reader.has_column(f):
                # Dates stay Whoosh's sortable integers: only their order matters here.
                translate = f != "updated"
                values = _column_at_once(reader, f, translate)
                if values is None:
                    values = reader.column_reader(f, translate=translate)
                values = list(values)
                # One object per distinct value, not one per document (a facet has few values);
                # no value (b"", "", 0) is None.
                canonical = {v: v if v else None for v in set(values)}
                cols[f] = tuple(map(canonical.__getitem__, values))
            else:
                cols[f] = (None,) * reader.doc_count_all()
        # Dates are mostly distinct: an int each.
        return cols, (len(COLUMN_FIELDS) * _SLOT + _INT) * reader.doc_count_all()

    return _cached(reader, ("columns",), make)


def _column_at_once(reader, fieldname: str, translate: bool) -> list | None:
    """A segment's column, every document's value, read from the column file in one piece:
    Whoosh's readers fetch and translate one document at a time (about 20 ms a column of
    15,000 documents, six columns on a word's first search after a restart or a merge). Text
    columns (VarBytes) are decoded once per distinct value; the dates (Numeric, "Q") come as
    integers. None for other kinds of column (the caller reads them as Whoosh does)."""
    col = reader.column_reader(fieldname, translate=False)
    count = reader.doc_count_all()
    if type(col) is VarBytesColumn.Reader and len(col._lengths) == count:
        lengths, offsets = col._lengths, col._offsets
        # Values are written one after another, and documents without one get the offset where
        # the data ends so far: the last document's offset and length end the data.
        end = offsets[-1] + lengths[-1] if count else 0
        data = col._dbfile.get(col._basepos, end) if end else b""
        raw = list(map(data.__getitem__, map(slice, offsets, map(operator.add, offsets, lengths))))
        if not translate:
            return raw
        from_column = reader.schema[fieldname].from_column_value
        decoded = {b: from_column(b) for b in set(raw)}
        return list(map(decoded.__getitem__, raw))
    if type(col) is NumericColumn.Reader and not translate:
        return _numbers_at_once(col, count)
    return None


def _numbers_at_once(col, count: int) -> list[int] | None:
    """Every document's number in a Whoosh numeric column (dates, field lengths), read in one
    piece; documents after the last one stored get the column's default, as Whoosh's reader
    gives them. None for a column that is not of whole numbers as Whoosh 3 writes them."""
    if (type(col) is not NumericColumn.Reader or col._typecode not in "bBhHiIlLqQ"
            or col._fixedlen != struct.calcsize(col._typecode) or col._count > count):
        return None
    values = array(col._typecode)
    values.frombytes(col._dbfile.get(col._basepos, col._count * col._fixedlen))
    if sys.byteorder == "little" and col._fixedlen > 1:
        values.byteswap()  # stored big-endian ("!")
    return values.tolist() + [col._default] * (count - col._count)


def search(ix, text: str, workspace_ids: list[int], *, selected: dict[str, set[str]] | None = None,
           sort: str = "relevance", limit: int = 20, page: int = 1, facet_limit: int = 12) -> Results:
    """Hits the user may see (only their workspaces), with highlighted snippets and facet counts.

    Facets count "disjunctively": a facet's counts apply every other facet's selection but not
    its own, so ticking one kind still shows how many hits the other kinds would add.
    """
    selected = {f: set(v) for f, v in (selected or {}).items() if f in FACET_FIELDS and v}
    empty = Results([], 0, {f: [] for f in FACET_FIELDS})
    if not workspace_ids or not text.strip():
        return empty
    with searcher(ix) as s:
        query = parse(s.schema, text)
        if query is NullQuery:
            return empty
        allowed_ids = {str(w) for w in workspace_ids}
        page = max(1, page)
        cols = _columns(s)
        scores = _scores(s, query)
        ws_col, allowed = cols["workspace_id"], allowed_ids.__contains__
        # Permission first: nothing outside the user's workspaces is counted or shown.
        matched = set(compress(scores, map(allowed, map(ws_col.__getitem__, scores))))
        final, counts = _facet_counts(matched, cols, selected, facet_limit)
        hits: list[Hit] = []
        if final:
            if sort == "date":
                updated = cols["updated"]
                ranked = heapq.nlargest(page * limit, final, key=lambda d: (updated[d] or 0, d))
            else:
                ranked = _best(final, scores, page * limit)
            marker = _Marker(query, s.reader())
            hits = [_hit(s.stored_fields(d), marker) for d in ranked[(page - 1) * limit:page * limit]]
        allowed_q = Or([Term("workspace_id", w) for w in sorted(allowed_ids)])
        suggestion = _did_you_mean(s, text, allowed_q) if not matched else None
        return Results(hits, len(final), counts, suggestion)


def _best(docs: set[int], scores: dict[int, float], n: int) -> list[int]:
    """The n best-scored documents, best first, ties by document number (the lower first): what
    `heapq.nlargest(n, docs, key=lambda d: (scores[d], -d))` gives, without a Python call and a
    tuple for every matching document (thousands for a common word). Every document scoring at
    least the n-th best score is a candidate; only those are ordered by the full key."""
    if len(docs) <= n:
        candidates = docs
    else:
        nth = heapq.nlargest(n, map(scores.__getitem__, docs))[-1]
        candidates = [d for d in docs if scores[d] >= nth]
    return sorted(candidates, key=lambda d: (-scores[d], d))[:n]


def _scores(s, query) -> dict[int, float]:
    """Every matching document (global number) with its BM25F score, as Whoosh scores it.

    Whoosh's matchers step through the documents one Python call at a time, several calls per
    document for a word searched in three fields. Queries made of words (terms combined with
    AND, OR, NOT — what people type) are scored here from whole blocks of postings instead, with
    the same formula and statistics; other queries (phrases, prefixes, fuzzy words) go through
    their matchers in one pass. The result may be a word's scores kept for later searches
    (read-only): never changed by callers.
    """
    parts = []
    context = s.context()
    for sub, offset in s.leaf_searchers():
        local = _term_tree_scores(query, sub, context.weighting)
        if local is None:
            local = {}
            m = query.matcher(sub, context)
            while m.is_active():
                local[m.id()] = m.score()
                m.next()
        if local:
            parts.append((local, offset))
    if len(parts) == 1 and not parts[0][1]:
        return parts[0][0]  # most often: only the big segment matches; not copied
    out: dict[int, float] = {}
    for local, offset in parts:
        out.update({d + offset: v for d, v in local.items()} if offset else local)
    return out


def _term_tree_scores(q, sub, weighting) -> dict[int, float] | None:
    """Scores of a tree of terms in one segment (local numbers); None for other shapes."""
    if type(q) is wq.Term:  # not its subclasses (fuzzy terms, variations)
        return _term_scores(q, sub, weighting)
    if type(q) is wq.Phrase:
        return _phrase_scores(q, sub, weighting)
    if type(q) is wq.Or and not q.minmatch and not q.scale:
        def make():
            out: dict[int, float] = {}
            for c in q.subqueries:
                # The fields' scores of a kept word are not kept apart as well.
                part = _term_scores(c, sub, weighting, keep=False) if type(c) is wq.Term else \
                    _term_tree_scores(c, sub, weighting)
                if part is None:
                    return None
                out = _add_scores(out, part)
            return _compound_boost(q, out)

        if all(type(c) is wq.Term for c in q.subqueries):
            # A word searched in every field (what the parser makes of each word typed).
            key = ("or", q.boost, tuple((c.fieldname, c.text, c.boost) for c in q.subqueries))
            return _kept_scores(sub, weighting, key, make)
        return make()
    if type(q) is wq.And:
        parts, nots = [], []
        for c in q.subqueries:
            part = _term_tree_scores(c.query if isinstance(c, wq.Not) else c, sub, weighting)
            if part is None:
                return None
            (nots if isinstance(c, wq.Not) else parts).append(part)
        if not parts:
            return None
        parts.sort(key=len)
        out = parts[0]
        for part in parts[1:]:
            out = {d: v + part[d] for d, v in out.items() if d in part}
        for part in nots:
            # Whoosh intersects with an inverse matcher, whose score is a constant 1.0.
            out = {d: v + 1.0 for d, v in out.items() if d not in part}
        return _compound_boost(q, out)
    if type(q) is wq.AndNot:
        a, b = _term_tree_scores(q.a, sub, weighting), _term_tree_scores(q.b, sub, weighting)
        return None if a is None or b is None else {d: v for d, v in a.items() if d not in b}
    if type(q) is wq.AndMaybe:
        a, b = _term_tree_scores(q.a, sub, weighting), _term_tree_scores(q.b, sub, weighting)
        return None if a is None or b is None else {d: v + b.get(d, 0.0) for d, v in a.items()}
    return None


def _add_scores(a: dict[int, float], b: dict[int, float]) -> dict[int, float]:
    """Every document of either, with the sum of its scores (a's + b's, in that order, so the
    sums are those of adding one after the other). Done in C: a word searched in three fields
    adds up thousands of documents' scores twice."""
    if not a or not b:
        return dict(b or a)
    both = a.keys() & b.keys()
    out = {**a, **b}
    out.update(zip(both, map(operator.add, map(a.__getitem__, both), map(b.__getitem__, both))))
    return out


def _compound_boost(q, scores: dict[int, float]) -> dict[int, float]:
    """An And's or Or's boost, as Whoosh applies it: its matcher (a tree of several subqueries'
    matchers) is wrapped to multiply every score by the boost (a word searched in all fields,
    `hamn^2`, is an Or of the fields' terms with the boost on the Or). A compound of one
    subquery returns that subquery's matcher as it is, unboosted. Boosts of leaf terms and
    phrases are applied where they are scored; AndNot and AndMaybe have no boost of their own."""
    if q.boost == 1.0 or len(q.subqueries) < 2:
        return scores
    boost = q.boost
    return {d: v * boost for d, v in scores.items()}


def _kept_scores(sub, weighting, key: tuple, make):
    """A word's {doc: score} in one segment (live documents only), computed once for each state
    of the index and kept for the searches after it, read-only. Scores depend on index-wide
    statistics (the idf, the average field length) and on the segment's deletions, and every
    commit changes the index's generation: a kept value is used only at the generation it was
    made for (a commit replaces it on the next search). Computing a common word's scores in
    three fields costs milliseconds (a dict of thousands of documents each, then their sum)."""
    reader = sub.reader()
    seg_id = _segment_id(reader)
    generation = sub.get_parent().reader().generation()
    if not seg_id or generation is None:
        return make()
    stamp = (generation, type(weighting), weighting.B, weighting.K1, tuple(sorted(weighting._field_B.items())))
    full = (seg_id, "scores") + key
    held = _segment_cache.get(full)
    if held is not None and held[0] == stamp:
        return held[1]
    made = make()
    if made is None:
        return None
    value = MappingProxyType(made)
    # The dict's table and a float a document (the keys are the postings' own ints).
    _segment_cache.put(full, (stamp, value), sys.getsizeof(made) + _FLOAT * len(made))
    return value


def _field_lengths(reader, fieldname: str) -> tuple[int, ...]:
    """Each document's length in a field, by segment-local number."""
    def make():
        lengths = _stored_lengths(reader, fieldname)
        if lengths is None:
            lengths = tuple(reader.doc_field_length(d, fieldname, 1) for d in range(reader.doc_count_all()))
        return lengths, (_SLOT + _INT) * len(lengths)

    return _cached(reader, ("lengths", fieldname), make)


# A stored length byte's length, as W3PerDocReader.doc_field_length gives it (None for 0).
_LENGTH_OF_BYTE = (None,) + tuple(byte_to_length(b) for b in range(1, 256))


def _stored_lengths(reader, fieldname: str) -> tuple | None:
    """Every document's length in a field read from the segment's lengths column at once: one
    byte a document, where `doc_field_length` costs several Python calls a document (90 ms
    for three fields of a 15,000-document segment, the first time a word is searched). None
    where the segment is not stored as Whoosh 3 stores it (the caller asks each document)."""
    perdoc = getattr(reader, "_perdoc", None)
    if type(perdoc) is not W3PerDocReader or getattr(reader, "is_closed", False):
        return None
    count = reader.doc_count_all()
    column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is None:
        return (1,) * count  # no lengths stored: doc_field_length's default, as asked for
    stored = _numbers_at_once(column, count) if getattr(column, "_typecode", None) == "B" else None
    return None if stored is None else tuple(map(_LENGTH_OF_BYTE.__getitem__, stored))


def _decode_postings(reader, fieldname: str, text: bytes, *, values: bool = False):
    """A term's postings in one segment, deleted documents included, read a block at a time:
    (document numbers, term frequencies, encoded values if asked). None where Whoosh's own
    matcher must do it."""
    if (fieldname, text) not in reader:
        return (), (), ()
    m = reader.postings(fieldname, text)
    if isinstance(m, FilterMatcher):  # deletions: applied to every query, not to what is cached
        m = m.child
        m.reset()
    if not all(hasattr(m, a) for a in ("_next_block", "_read_ids", "_read_weights", "_read_values")):
        return None
    ids: list[int] = []
    tfs: list[float] = []
    encoded: list[bytes] = []
    while m.is_active():
        m._read_data()
        block = m._data[0]
        # As W3LeafMatcher._read_ids, with the deltas summed in C rather than a generator.
        ids += block if m._byteids else accumulate(block)
        m._read_weights()
        tfs += m._weights
        if values:
            m._read_values()
            encoded += m._values
        m._next_block()
    return tuple(ids), tuple(tfs), tuple(encoded)


def _postings(reader, fieldname: str, text: bytes):
    """(document numbers, term frequencies) of a term in one segment, decoded once per process."""
    def make():
        read = _decode_postings(reader, fieldname, text)
        if read is None:
            return None, 0
        ids, tfs, _encoded = read
        return (ids, tfs), (2 * _SLOT + _INT + _FLOAT) * len(ids)

    return _cached(reader, ("postings", fieldname, text), make)


# A word's place in a segment as one int, document number above position: a phrase's next
# word is then looked for in all documents at once, with set operations done in C.
_POSITION_BITS = 32


def _position_keys(reader, field, fieldname: str, text: bytes) -> frozenset[int] | None:
    """Every (document, position) of a term in one segment, deleted documents included, as
    doc << _POSITION_BITS | position; decoded once per process (Whoosh decodes positions with
    a Python loop per position)."""
    def make():
        read = _decode_postings(reader, fieldname, text, values=True)
        if read is None:
            return None, 0
        ids, _tfs, encoded = read
        if type(field.format) is Positions:
            # As Positions.decode_positions (a pickled list of gaps after the frequency), with
            # the gaps summed and the keys made in C rather than a Python step per position.
            keys_ = set()
            add = keys_.update
            for d, value in zip(ids, encoded):
                gaps = _unpickle(value[_POSITIONS_AT:] if value.endswith(b".") else value[_POSITIONS_AT:] + b".")
                add(map((d << _POSITION_BITS).__or__, accumulate(gaps)))
            keys = frozenset(keys_)
        else:
            decode = field.format.decoder("positions")
            keys = frozenset(d << _POSITION_BITS | p for d, value in zip(ids, encoded) for p in decode(value))
        # The set's table, and an int of two 30-bit digits for each key.
        return keys, sys.getsizeof(keys) + (_INT + 4) * len(keys)

    return _cached(reader, ("positions", fieldname, text), make)


def _bm25_factors(reader, weighting, fieldname: str, text: bytes, postings, avgfl: float) -> tuple[float, ...]:
    """Each posting's BM25F score without the idf factor, which is the same for all of them.

    The factors depend on the index-wide average field length besides the segment, so they
    are stored with the parameters they were computed for and recomputed when those change
    (any commit changes the average), replacing the old ones.
    """
    B, K1 = weighting._field_B.get(fieldname, weighting.B), weighting.K1
    params = (avgfl, B, K1)
    seg_id = _segment_id(reader)
    key = (seg_id, "bm25", fieldname, text)
    held = _segment_cache.get(key) if seg_id else None
    if held is not None and held[0] == params:
        return held[1]
    lengths = _field_lengths(reader, fieldname)
    ids, tfs = postings
    # whoosh.scoring.bm25 term for term, so that idf * factor is exactly Whoosh's own score.
    factors = tuple([(tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * lengths[d] / avgfl)) for d, tf in zip(ids, tfs)])
    if seg_id:
        _segment_cache.put(key, (params, factors), (_SLOT + _FLOAT) * len(factors))
    return factors


def _term_scores(q, sub, weighting, *, keep: bool = True) -> dict[int, float] | None:
    scores = (_word_scores if keep else _read_postings)(sub, weighting, q.fieldname, q.text)
    if scores is None:
        return None
    if q.boost != 1.0:
        return {d: v * q.boost for d, v in scores.items()}
    return scores


def _phrase_scores(q, sub, weighting) -> dict[int, float] | None:
    """As Whoosh's Phrase (SpanNear2, ordered): each next word 1..slop positions after the
    span so far; scored as the sum of its words' scores."""
    schema = sub.schema
    if q.fieldname not in schema:
        return {}
    field = schema[q.fieldname]
    if not field.format or not field.format.supports("positions") or not q.words:
        return None  # Whoosh's own matcher says why
    scores = []
    for word in q.words:
        part = _word_scores(sub, weighting, q.fieldname, word)
        if part is None:
            return None
        if not part:
            return {}
        scores.append(part)
    reader = sub.reader()
    keys = [_position_keys(reader, field, q.fieldname, field.to_bytes(word)) for word in q.words]
    if None in keys:
        return None
    if q.slop == 1:
        # Word i stands at start + i. Candidates for the start come from the rarest word; each
        # other word then keeps the starts it stands after (membership tests in C, no shifted
        # copy of a common word's every position).
        order = sorted(range(len(keys)), key=lambda i: len(keys[i]))
        starts = list(map((-order[0]).__add__, keys[order[0]]))
        for i in order[1:]:
            starts = list(compress(starts, map(keys[i].__contains__, map(i.__add__, starts))))
            if not starts:
                return {}
        ends = starts
    else:
        # Where the phrase so far ends, in every document at once: the next word must come
        # 1..slop positions after an end (no position comes near 2 ** _POSITION_BITS).
        ends = keys[0]
        for later in keys[1:]:
            ends = later.intersection(chain.from_iterable(map(step.__add__, ends) for step in range(1, q.slop + 1)))
            if not ends:
                return {}
    # The documents (live ones: deleted ones have no scores), each scored as the sum of its
    # words' scores, added in the phrase's order as Whoosh adds them.
    docs = list(filter(scores[0].__contains__, set(map(operator.rshift, ends, repeat(_POSITION_BITS)))))
    totals = map(scores[0].__getitem__, docs)
    for part in scores[1:]:
        totals = map(operator.add, totals, map(part.__getitem__, docs))
    if q.boost != 1.0:
        totals = map(operator.mul, totals, repeat(q.boost))
    return dict(zip(docs, totals))


def _word_scores(sub, weighting, fieldname: str, word):
    """_read_postings' scores, kept for the searches after this one (read-only)."""
    return _kept_scores(sub, weighting, ("term", fieldname, word),
                        lambda: _read_postings(sub, weighting, fieldname, word))


def _read_postings(sub, weighting, fieldname: str, word) -> dict[int, float] | None:
    """A term's {doc: BM25F score} in one segment, live documents only; None where Whoosh's
    own matcher must do it."""
    from whoosh.scoring import BM25F

    schema = sub.schema
    if fieldname not in schema:
        return {}
    field = schema[fieldname]
    if type(weighting) is not BM25F or not field.scorable:
        return None
    try:
        text = field.to_bytes(word)
    except ValueError:
        return {}
    reader = sub.reader()
    postings = _postings(reader, fieldname, text)
    if postings is None:
        return None
    if not postings[0]:
        return {}
    parent = sub.get_parent()
    idf, avgfl = parent.idf(fieldname, text), parent.avg_field_length(fieldname) or 1
    factors = _bm25_factors(reader, weighting, fieldname, text, postings, avgfl)
    scores = dict(zip(postings[0], map(operator.mul, repeat(idf), factors)))
    # Deletions change without the segment changing: applied here, on every query.
    deleted = reader.deleted_docs_set
    if deleted:
        for d in deleted.intersection(scores):
            del scores[d]
    return scores


def _facet_counts(matched: set[int], cols, selected, facet_limit: int):
    """The documents passing every selection, and each facet's counts under the others'."""
    from collections import Counter

    # For each selected facet, the matched documents whose value is ticked.
    passing = {}
    for f, values in selected.items():
        col = cols[f]
        passing[f] = {d for d, ok in zip(matched, map(values.__contains__, map(col.__getitem__, matched))) if ok}

    def passing_all_but(skip: str | None) -> set[int]:
        out = matched
        for f, docs in passing.items():
            if f != skip:
                out = out & docs
        return out

    final = passing_all_but(None)
    counts: dict[str, list[tuple[str, int]]] = {}
    for f in FACET_FIELDS:
        docs = passing_all_but(f) if f in passing else final
        counter = Counter(map(cols[f].__getitem__, docs))
        chosen = selected.get(f, set())
        values = [(str(v), n) for v, n in counter.items() if v is not None]
        values.sort(key=lambda vn: (-vn[1], vn[0]))
        keep = values[:facet_limit] + [vn for vn in values[facet_limit:] if vn[0] in chosen]
        keep += [(v, 0) for v in sorted(chosen) if v not in counter]
        counts[f] = keep
    return final, counts


def _int(v) -> int | None:
    return int(v) if v not in (None, "") else None


class _Marker:
    """Highlights the query's words in stored text.

    Whoosh's highlighter re-analyses every hit's whole text through its (slow) token
    pipeline; this tokenises with one regex and compares cached stems with the terms the
    query matched in the index (prefixes and wildcards already expanded). A phrase is marked
    where its words stand together, as one mark, and not where one of its words stands alone.
    """

    def __init__(self, query, reader):
        self.stems: set[str] = set()
        self.words: set[str] = set()
        # Each phrase's words, and whether they are stems (title, body) or words as typed (raw).
        self.phrases: set[tuple[tuple[str, ...], bool]] = set()
        heads: set[str] = set()
        # Leaf by leaf: Query.existing_terms() on a compound query skips every leaf whose field
        # differs from the first leaf's (a shadowed variable in Whoosh).
        for leaf in query.leaves():
            if type(leaf) is wq.Phrase and len(leaf.words) > 1:
                if all(leaf.words):
                    words = tuple(leaf.words)
                    self.phrases.add((words, leaf.fieldname in ("title", "body")))
                    heads.update(words)
                continue
            for fieldname, term in leaf.existing_terms(reader, phrases=True, expand=True):
                word = term.decode("utf-8") if isinstance(term, bytes) else str(term)
                (self.stems if fieldname in ("title", "body") else self.words).add(word)
        heads |= self.stems | self.words
        # Any token whose stem is one of ours starts with it: a regex finds the candidates
        # in C, and only those are stemmed.
        heads_ = sorted(heads, key=len, reverse=True)[:300]
        self.pattern = re.compile(r"\b(?:%s)\w*" % "|".join(map(re.escape, heads_)), re.IGNORECASE) if heads_ else None

    def _hits(self, text: str) -> list[tuple[int, int]]:
        if self.pattern is None:
            return []
        tokens = [(m.start(), m.end(), m.group().lower()) for m in self.pattern.finditer(text)]
        stems = [swedish_stem(w) for _a, _b, w in tokens]
        spans = [(a, b) for (a, b, w), stem in zip(tokens, stems) if w in self.words or stem in self.stems]
        if not self.phrases:
            return spans
        found = _phrase_spans(text, tokens, stems, self.phrases)
        if not found:
            return spans
        # A word of the query inside a marked phrase is not marked again.
        inside = {i for a, b in found for i in range(a, b)}
        return sorted(found + [(a, b) for a, b in spans if a not in inside])

    def mark(self, text: str, *, maxchars: int = 220, whole: bool = False) -> str:
        spans = self._hits(text)
        if not spans:
            return ""
        if whole or len(text) <= maxchars:
            lo, hi = 0, len(text)
        else:
            lo = _window(text, spans, maxchars)
            hi = min(len(text), lo + maxchars)
            if lo > 0:
                lo = text.find(" ", lo, spans[0][0] if spans[0][0] > lo else lo + 20) + 1 or lo
            if hi < len(text):
                cut = text.rfind(" ", lo, hi)
                hi = cut if cut > lo else hi
        parts, pos = [], lo
        for a, b in spans:
            if a < lo or b > hi:
                continue
            parts += [str(escape(text[pos:a])), '<mark class="hit">', str(escape(text[a:b])), "</mark>"]
            pos = b
        parts.append(str(escape(text[pos:hi])))
        return ("…" if lo > 0 else "") + "".join(parts).strip() + ("…" if hi < len(text) else "")


def _phrase_spans(text: str, tokens: list[tuple[int, int, str]], stems: list[str], phrases) -> list[tuple[int, int]]:
    """Where each phrase stands in text: its words one after another, with nothing between them
    but spaces, punctuation and words the index leaves out (stop words, single letters), as the
    index numbers positions. Each span runs from the first word's start to the last one's end;
    spans do not overlap (the first found wins)."""
    typed = [w for _a, _b, w in tokens]
    out: list[tuple[int, int]] = []
    taken_to = -1
    for i in range(len(tokens)):
        if tokens[i][0] < taken_to:
            continue
        for words, stemmed in phrases:
            if i + len(words) > len(tokens):
                continue
            seq = stems if stemmed else typed
            if any(seq[i + k] != words[k] for k in range(len(words))):
                continue
            if all(_only_left_out(text[tokens[i + k][1]:tokens[i + k + 1][0]], stemmed)
                   for k in range(len(words) - 1)):
                end = tokens[i + len(words) - 1][1]
                out.append((tokens[i][0], end))
                taken_to = end
                break
    return out


def _only_left_out(gap: str, stemmed: bool) -> bool:
    """Whether the text between two words of a phrase holds no word the index counts: the
    stemmed fields leave out what their stop filter does; the raw field keeps all."""
    words = [m.group() for m in TOKEN_RE.finditer(gap)]
    if not words:
        return True
    stops, shortest = _SWEDISH_STOPS.stops, _SWEDISH_STOPS.min
    return stemmed and all(len(w) < shortest or w.lower() in stops for w in words)


def _window(text: str, spans: list[tuple[int, int]], maxchars: int) -> int:
    """Where the snippet's window of maxchars starts: a little before a hit, holding the most
    different words of the query, then the most hits.

    The hits are in order and do not overlap, so the window starting before hit i holds hits
    i..j-1: it slides along, each hit's stem counted in and out once (a paper's document holds
    all its sections, and a common word is in it a hundred times)."""
    stems = [swedish_stem(text[x:y].lower()) for x, y in spans]
    best, lo = (-1, -1), 0
    window: dict[str, int] = {}
    j = 0
    for i, (a, _b) in enumerate(spans):
        start = max(0, a - 40)
        while j < len(spans) and spans[j][1] <= start + maxchars:
            window[stems[j]] = window.get(stems[j], 0) + 1
            j += 1
        score = (len(window), j - i) if j > i else (0, 0)
        if score > best:
            best, lo = score, start
        if j > i:
            left = window[stems[i]] - 1
            if left:
                window[stems[i]] = left
            else:
                del window[stems[i]]
        else:
            j = i + 1
    return lo


def _hit(r, marker: _Marker) -> Hit:
    body = r.get("body") or ""
    snippet = marker.mark(body) or marker.mark(r.get("title", ""), whole=True)
    if not snippet and body:
        snippet = str(escape(body[:200])) + ("…" if len(body) > 200 else "")
    return Hit(r["doc_id"], r["kind"], int(r["workspace_id"]), _int(r.get("paper_id")), _int(r.get("section_id")),
               r.get("title", ""), snippet, r.get("status", ""), r.get("policy_area", ""),
               r.get("organization", ""), r.get("year", ""), r.get("author", ""), r.get("updated"),
               dict(r.get("target") or {}))


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
