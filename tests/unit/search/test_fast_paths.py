"""The search's faster ways of doing what Whoosh (or the slower code before them) did give the
same answers: field lengths read at once, positions decoded at once, the best hits chosen
without a key for every match, scores of a word's fields added up in C, the snippet's window
slid along the hits, phrases joined from their rarest word, and a word's scores kept until the
index changes."""
import heapq
import random
from datetime import datetime

import pytest

from workspace.search import engine

from .test_scoring import whoosh_scores
from .test_segment_cache import commit, doc, ix, uncached  # noqa: F401  (ix: the 80 documents' index)


@pytest.fixture
def segmented(ix):  # noqa: F811
    """Three segments: the 80 documents; 30 more (some with one word many times, most with a
    date and an organisation, the last ones without); deletions."""
    rng = random.Random(5)
    more = []
    for n in range(100, 130):
        d = doc(n, rng, extra=" " + " ".join(["Ystad"] * (n - 100)))
        if n < 125:
            d.update(engine.to_fields(d["doc_id"], d["scope"], updated=datetime(2026, 1, 1 + n % 28, n % 24),
                                      organization=rng.choice(["Region Skåne", "Ystads kommun", "Åre"])))
        more.append(d)
    commit(ix, more)
    commit(ix, [], delete=["d3", "d121"])
    return ix


def test_field_lengths_read_at_once_equal_whooshs_one_by_one(segmented):
    with engine.searcher(segmented) as s:
        readers = [r for r, _offset in s.reader().leaf_readers()]
        assert len(readers) >= 2
        for reader in readers:
            n = reader.doc_count_all()
            for field in ("title", "body", "raw"):
                got = engine._stored_lengths(reader, field)
                assert got is not None  # the fast path is taken, not the fallback
                assert got == tuple(reader.doc_field_length(d, field, 1) for d in range(n)), field
            # A field that stores no lengths: doc_field_length's default, as it was asked for.
            assert engine._stored_lengths(reader, "workspace_id") == tuple(
                reader.doc_field_length(d, "workspace_id", 1) for d in range(n))


def test_lengths_of_a_segment_not_stored_by_whoosh3_fall_back_to_asking_each_document():
    class Other:
        def doc_count_all(self):
            return 3

    assert engine._stored_lengths(Other(), "body") is None


def test_positions_decoded_at_once_equal_whooshs_decoder(segmented):
    with engine.searcher(segmented) as s:
        for reader, _offset in s.reader().leaf_readers():
            field = s.schema["body"]
            decode = field.format.decoder("positions")
            for word in ("ystad", "kommun", "och", "utveckl"):
                text = field.to_bytes(word)
                ids, _tfs, encoded = engine._decode_postings(reader, "body", text, values=True)
                expected = frozenset(d << engine._POSITION_BITS | p
                                     for d, value in zip(ids, encoded) for p in decode(value))
                engine._segment_cache.clear()
                assert engine._position_keys(reader, field, "body", text) == expected, word


@pytest.mark.parametrize("n", [1, 3, 20, 500])
def test_the_best_hits_are_heapq_nlargests_ties_and_all(n):
    rng = random.Random(n)
    # Few distinct scores: many ties, which the document number breaks (the lower first).
    scores = {d: rng.choice([0.5, 1.25, 2.0, 3.75]) for d in rng.sample(range(10_000), 300)}
    docs = set(rng.sample(sorted(scores), 200))
    expected = heapq.nlargest(n, docs, key=lambda d: (scores[d], -d))
    assert engine._best(docs, scores, n) == expected


def test_adding_scores_equals_adding_one_after_the_other():
    rng = random.Random(1)
    parts = [{d: rng.random() * 10 for d in rng.sample(range(2000), k)} for k in (0, 700, 1500, 30, 0)]
    expected: dict[int, float] = {}
    got: dict[int, float] = {}
    for part in parts:
        for d, v in part.items():
            expected[d] = expected.get(d, 0.0) + v
        got = engine._add_scores(got, part)
    assert got == expected  # exactly: the same additions in the same order
    assert engine._add_scores({}, {}) == {}


def _window_before(text: str, spans, maxchars: int = 220) -> int:
    """The snippet window as it was chosen before: every hit's window counted afresh."""
    best, lo = (-1, -1), 0
    for i, (a, _b) in enumerate(spans):
        start = max(0, a - 40)
        inside = [text[x:y].lower() for x, y in spans[i:] if y <= start + maxchars]
        score = (len({engine.swedish_stem(w) for w in inside}), len(inside))
        if score > best:
            best, lo = score, start
    return lo


def test_the_snippet_window_is_the_one_chosen_before(ix):  # noqa: F811
    rng = random.Random(9)
    words = ["Ystad", "hamnar", "kommunerna", "region", "regionen", "utveckling", "och", "i", "samverkan",
             "landsbygden", "kulturlivet", "näringslivet", "ett", "ord", "om", "framtiden", "x" * 250]
    checked = 0
    with engine.searcher(ix) as s:
        for text_ in ("Ystad hamn", "region utveckling samverkan", "kommunerna", '"hållbar utveckling"', "x" * 250):
            marker = engine._Marker(engine.parse(s.schema, text_), s.reader())
            for _ in range(60):
                text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 400)))
                spans = marker._hits(text)
                for maxchars in (220, 60):
                    assert engine._window(text, spans, maxchars) == _window_before(text, spans, maxchars), text_
                checked += bool(spans)
    assert checked > 150


def test_facet_columns_read_at_once_equal_whooshs_column_readers(segmented):
    taken = set()
    with engine.searcher(segmented) as s:
        for reader, _offset in s.reader().leaf_readers():
            for field in engine.COLUMN_FIELDS:
                if not reader.has_column(field):
                    continue
                translate = field != "updated"
                got = engine._column_at_once(reader, field, translate)
                if got is not None:
                    taken.add(field)
                    assert list(got) == list(reader.column_reader(field, translate=translate)), field
    # The text facets and the dates take the fast path.
    assert {"workspace_id", "kind", "status", "year", "organization", "updated"} <= taken


PHRASE_WORDS = ["hamn", "Ystad", "region", "och", "kommun", "hamn", "Skåne", "ny"]


@pytest.fixture
def phrased(ix):  # noqa: F811
    """Documents of a few words, so that phrases of two to four words (the same word twice,
    a stop word between) stand in many of them, at their start, middle and end."""
    rng = random.Random(11)
    commit(ix, [{**doc(300 + n, rng), "body": " ".join(rng.choice(PHRASE_WORDS) for _ in range(rng.randint(2, 30)))}
                for n in range(150)])
    return ix


@pytest.mark.parametrize("text", ['"hamn Ystad"', '"Ystad hamn"', '"hamn hamn"', '"region och kommun"',
                                  '"kommun hamn Skåne ny"', '"ny hamn"', '"Skåne region hamn"~2', '"hamn ny"~3'])
def test_phrases_of_several_words_score_as_whooshs_own(phrased, text):
    with engine.searcher(phrased) as s:
        query = engine.parse(s.schema, text)
        theirs = whoosh_scores(s, query)
        got = engine._scores(s, query)
    assert theirs, text  # the phrase stands somewhere: a test that can fail
    assert got.keys() == theirs.keys(), text
    assert list(got.values()) == pytest.approx([theirs[d] for d in got], rel=1e-9), text


def test_a_words_scores_are_kept_until_the_index_changes(ix, monkeypatch):  # noqa: F811
    text = "kommunerna regional"
    first = engine.search(ix, text, [1, 2])
    read = []
    real = engine._read_postings
    monkeypatch.setattr(engine, "_read_postings", lambda *a: read.append(a[2:]) or real(*a))
    assert engine.search(ix, text, [1, 2]) == first
    assert read == []  # kept: nothing computed again
    with engine.searcher(ix) as s:
        kept = engine._scores(s, engine.parse(s.schema, "kommunerna"))
    with pytest.raises(TypeError):
        kept[0] = 1.0  # what is kept cannot be changed by a caller
    # A commit changes every score (the idf, the average length): computed again, and right.
    rng = random.Random(12)
    commit(ix, [doc(400 + n, rng, extra=" kommunerna") for n in range(3)])
    again = engine.search(ix, text, [1, 2], limit=200)
    assert read  # computed afresh
    with uncached():
        assert engine.search(ix, text, [1, 2], limit=200) == again
