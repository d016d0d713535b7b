"""The per-segment cache of decoded postings, positions, field lengths, BM25 factors and facet
columns: results with it equal results without it and Whoosh's own scores, stay right when
documents are added, updated or deleted and when segments are merged, and threads share it."""
import random
import sys
import threading
from contextlib import contextmanager

import pytest

from workspace.cache import BoundedCache
from workspace.search import engine

from .test_scoring import whoosh_scores

WORDS = ["region", "regionen", "regional", "kommun", "kommunerna", "utveckling", "hållbar", "infrastruktur",
         "kollektivtrafik", "samverkan", "Skåne", "Ystad", "hamn", "hamnar", "bredband", "tillväxt", "och", "i"]
QUERIES = ["region", "regional utveckling", "kollektivtrafik kommunerna samverkan", "Ystad OR hamn",
           "Ystad NOT hamn", "Ystad ANDNOT hamn", "samverkan ANDMAYBE Skåne", '"hållbar utveckling"',
           '"region Skåne"~3', '"kollektivtrafik och infrastruktur"', "title:hamn^2 Ystad", "title:Skåne", "nyord"]
WORKSPACES = [1, 2]
# Whoosh's AndNotMatcher only looks for the first excluded document when both sides start on
# the same one, so it keeps a first hit that holds the excluded word; we exclude it, as NOT does.
WHOOSH_WRONG = {"Ystad ANDNOT hamn"}


def doc(n: int, rng: random.Random, extra: str = "") -> dict:
    body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 40))) + extra
    title = " ".join(rng.choice(WORDS) for _ in range(3))
    return engine.to_fields(f"d{n}", f"scope:{n}", kind=rng.choice(["section", "paper"]),
                            workspace_id=rng.choice(WORKSPACES), status=rng.choice(["draft", "adopted"]),
                            year=rng.choice(["2024", "2025"]), title=title, body=body, raw=f"{title} {body}")


def commit(ix, docs=(), *, delete=(), optimize=False) -> None:
    """Without merging, the segments the cache has seen stay, so stale entries would be used."""
    w = ix.writer()
    for doc_id in delete:
        w.delete_by_term("doc_id", doc_id)
    for d in docs:
        w.update_document(**d)
    w.commit(merge=False, optimize=optimize)


@pytest.fixture
def ix(tmp_path):
    engine._segment_cache.clear()
    index = engine.open_index(tmp_path / "index")
    rng = random.Random(3)
    commit(index, [doc(n, rng) for n in range(80)])
    yield index
    engine._segment_cache.clear()


@contextmanager
def uncached():
    """Every value decoded afresh: a cache with no room stores nothing."""
    held = engine._segment_cache
    engine._segment_cache = BoundedCache(0)
    try:
        yield
    finally:
        engine._segment_cache = held


def assert_as_if_uncached(ix) -> None:
    """Each query twice (filling the cache, then from it): the same results, scores and facet
    counts as with no cache at all, and Whoosh's own scores."""
    for text in QUERIES:
        for options in ({}, {"selected": {"kind": {"section"}}}, {"sort": "date"}):
            with uncached():
                expected = engine.search(ix, text, WORKSPACES, limit=200, **options)
            for _ in range(2):
                assert engine.search(ix, text, WORKSPACES, limit=200, **options) == expected, (text, options)
        with engine.searcher(ix) as s:
            query = engine.parse(s.schema, text)
            with uncached():
                expected = engine._scores(s, query)
            assert engine._scores(s, query) == expected, text
            assert engine._scores(s, query) == expected, text
            if text in WHOOSH_WRONG:
                continue
            theirs = whoosh_scores(s, query)
            assert expected.keys() == theirs.keys(), text
            assert list(expected.values()) == pytest.approx([theirs[d] for d in expected], rel=1e-9), text


def hits(ix, text: str) -> set[str]:
    return {h.doc_id for h in engine.search(ix, text, WORKSPACES, limit=200).hits}


def test_cached_results_equal_uncached_and_whooshs_own(ix):
    assert_as_if_uncached(ix)


def test_a_warm_query_decodes_nothing(ix, monkeypatch):
    engine.search(ix, '"hållbar utveckling" OR kommunerna', WORKSPACES)
    calls = []
    monkeypatch.setattr(engine, "_decode_postings", lambda *a, **k: calls.append(a))
    engine.search(ix, '"hållbar utveckling" OR kommunerna', WORKSPACES)
    assert calls == []


def test_added_documents_are_found_and_change_every_score(ix):
    assert_as_if_uncached(ix)
    rng = random.Random(4)
    commit(ix, [doc(100 + n, rng, extra=" nyord hållbar utveckling") for n in range(5)])
    with engine.searcher(ix) as s:
        assert len(s.leaf_searchers()) == 2  # the cached segment is still there
    assert {f"d{100 + n}" for n in range(5)} <= hits(ix, '"hållbar utveckling"')
    assert_as_if_uncached(ix)


def test_an_updated_document_is_found_by_its_new_words_only(ix):
    assert_as_if_uncached(ix)
    before = hits(ix, "Ystad")
    changed = sorted(before)[0]
    commit(ix, [{**doc(int(changed[1:]), random.Random(5)), "body": "nyord", "raw": "nyord", "title": "Nytt"}])
    assert hits(ix, "Ystad") == before - {changed}
    assert hits(ix, "nyord") == {changed}
    assert_as_if_uncached(ix)


def test_a_deleted_document_is_not_found_in_its_cached_segment(ix):
    assert_as_if_uncached(ix)
    before = hits(ix, "kommunerna")
    gone = sorted(before)[:3]
    commit(ix, delete=gone)
    with engine.searcher(ix) as s:
        assert len(s.leaf_searchers()) == 1 and s.reader().has_deletions()
    assert hits(ix, "kommunerna") == before - set(gone)
    assert_as_if_uncached(ix)


def test_merged_segments_renumber_documents(ix):
    rng = random.Random(6)
    commit(ix, [doc(200 + n, rng, extra=" hamn Ystad") for n in range(10)], delete=["d1", "d2", "d3"])
    assert_as_if_uncached(ix)
    commit(ix, optimize=True)
    with engine.searcher(ix) as s:
        assert len(s.leaf_searchers()) == 1 and not s.reader().has_deletions()
    assert not {"d1", "d2", "d3"} & hits(ix, "region OR hamn OR Ystad")
    assert_as_if_uncached(ix)


def test_the_cache_keeps_to_its_budget_dropping_the_least_recently_used():
    cache = BoundedCache(100)
    cache.put(("a",), "A", 40)
    cache.put(("b",), "B", 40)
    assert cache.get(("a",)) == "A"  # now b is the least recently used
    cache.put(("c",), "C", 40)
    assert (cache.get(("a",)), cache.get(("b",)), cache.get(("c",))) == ("A", None, "C")
    cache.put(("huge",), "H", 101)
    assert cache.get(("huge",)) is None and cache.get(("a",)) == "A"


def test_threads_share_the_cache_safely(ix):
    """Threads searching at once through a cache too small for their queries (entries are
    added, replaced and dropped all the time), while another clears it: every result is right."""
    expected = {}
    with uncached():
        for text in QUERIES:
            expected[text] = engine.search(ix, text, WORKSPACES)
    held = engine._segment_cache
    engine._segment_cache = cache = BoundedCache(20_000)
    errors: list[BaseException] = []
    stop = threading.Event()

    def search(offset: int) -> None:
        try:
            for i in range(150):
                text = QUERIES[(i + offset) % len(QUERIES)]
                assert engine.search(ix, text, WORKSPACES) == expected[text], text
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    def clear() -> None:
        while not stop.is_set():
            cache.clear()
            stop.wait(0.005)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads change places as often as they can
    try:
        threads = [threading.Thread(target=search, args=(n,)) for n in range(6)]
        clearer = threading.Thread(target=clear)
        for t in threads + [clearer]:
            t.start()
        for t in threads:
            t.join(120)
        stop.set()
        clearer.join(10)
    finally:
        sys.setswitchinterval(interval)
        engine._segment_cache = held
    assert not errors, errors[0]
    with cache._lock:
        assert cache._bytes == sum(size for _value, size in cache._entries.values()) <= cache.max_bytes
