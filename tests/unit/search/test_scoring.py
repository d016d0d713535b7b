"""The block-at-a-time scorer gives exactly Whoosh's own scores, on one segment and on several
with deleted documents, for every query shape it handles; other shapes go through Whoosh."""
import pytest
from sqlalchemy import select

from workspace.db import db
from workspace.demo.corpus import CORPUS_DIR
from workspace.search import engine
from workspace.search.indexer import get_index, sync_index

pytestmark = pytest.mark.skipif(not CORPUS_DIR.is_dir(), reason=f"the corpus is not at {CORPUS_DIR}")

FAST = ["kollektivtrafiken", "Regionerna", "regional utveckling infrastruktur", "Ystad AND Simrishamn",
        "Ystad OR Simrishamn", "Ystad NOT Simrishamn", "Ystad ANDNOT Simrishamn", "samverkan ANDMAYBE Skåne",
        '"hållbar utveckling"', '"sydöstra skåne"', '"region skåne"~3', '"verksamhetsplan och budget"',
        "title:Sörmland", "(Ystad OR Sjöbo) AND kommunerna", "ordetsomintefinns", '"ordetsomintefinns region"',
        # Boosts: on the Or of a word's fields, on leaf terms and phrases, on words inside AND/OR/NOT.
        "Ystad^2", '"hållbar utveckling"^3', "title:Sörmland^2.5", "title:Ystad^2 OR body:Ystad^0.5",
        "Ystad^2 AND Simrishamn", "Ystad^2 OR Simrishamn", "(Ystad OR Sjöbo)^3 AND kommunerna",
        "Ystad^2 NOT Simrishamn", "(Ystad NOT Simrishamn)^2", "Ystad^2 ANDNOT Simrishamn^4",
        "samverkan^2 ANDMAYBE Skåne^3", '"region skåne"~3^2 OR kollektivtrafiken', 'title:"hållbar utveckling"^3',
        "body:(Ystad Simrishamn)^2"]
SLOW = ["stambano*", "Yst?d", "title:[a TO m]"]


def whoosh_scores(s, query) -> dict[int, float]:
    """Scores as Whoosh's own matchers give them, one document at a time."""
    out = {}
    context = s.context()
    for sub, offset in s.leaf_searchers():
        m = query.matcher(sub, context)
        while m.is_active():
            out[m.id() + offset] = m.score()
            m.next()
    return out


def check_all(fast_expected: bool = True):
    with engine.searcher(get_index()) as s:
        for text in FAST + SLOW:
            q = engine.parse(s.schema, text)
            expected = whoosh_scores(s, q)
            got = engine._scores(s, q)
            assert expected or text.startswith(("ordetsomintefinns", '"ordetsomintefinns')), text
            assert got.keys() == expected.keys(), text
            for d, v in expected.items():
                assert got[d] == pytest.approx(v, rel=1e-9), (text, d)
            for sub, _offset in s.leaf_searchers():
                handled = engine._term_tree_scores(q, sub, s.context().weighting) is not None
                assert handled == (text in FAST), text
        return len(s.leaf_searchers())


def test_scores_equal_whoosh_on_one_segment(app, demo, indexed):
    check_all()


def test_boosts_on_compound_queries_equal_whoosh(app, demo, indexed):
    """Boosts the parser does not make: on an And (also one with a Not), nested, and on a compound
    of one subquery (which Whoosh's matcher leaves unboosted)."""
    from whoosh import query as wq

    with engine.searcher(get_index()) as s:
        word = engine.parse(s.schema, "Ystad")
        other = engine.parse(s.schema, "Simrishamn")
        phrase = engine.parse(s.schema, '"hållbar utveckling"')
        queries = [
            wq.And([word, phrase], boost=2.5),
            wq.And([word, wq.Not(other)], boost=2.0),
            wq.Or([wq.And([word, other], boost=3.0), phrase.with_boost(0.5)], boost=1.5),
            wq.Or([word], boost=4.0),
            wq.And([word], boost=4.0),
        ]
        for q in queries:
            expected = whoosh_scores(s, q)
            got = engine._scores(s, q)
            assert expected, q
            assert got.keys() == expected.keys(), q
            for d, v in expected.items():
                assert got[d] == pytest.approx(v, rel=1e-9), (q, d)
            for sub, _offset in s.leaf_searchers():
                assert engine._term_tree_scores(q, sub, s.context().weighting) is not None, q


def test_scores_equal_whoosh_with_several_segments_and_deleted_documents(app, demo, indexed):
    from workspace.papers import services
    from workspace.papers.models import Paper

    with app.test_request_context(method="POST"):
        paper = db.session.scalar(select(Paper).where(Paper.title == "Toppmöte om Skånes regionala utveckling"))
        for s in paper.live_sections[:2]:  # re-indexing replaces (deletes) the paper's documents
            services.save_section(demo.user("tjansteman.skane@demo.example"), s,
                                  s.html + "<p>Ystad och Simrishamn om hållbar utveckling.</p>", s.current_revision_id)
        db.session.commit()
    assert sync_index() >= 1
    with engine.searcher(get_index()) as s:
        assert s.reader().has_deletions()
    assert check_all() >= 2


@pytest.mark.parametrize("text", ["kollektivtrafik", "regional utveckling", '"hållbar utveckling"', "stambano*",
                                  "kollektivtrafik^2 OR regional", '"hållbar utveckling"^3 OR Skåne',
                                  "regional^3 AND utveckling"])
def test_the_ranking_is_whooshs_own(app, demo, indexed, ids, text):
    everyone = ids("sydsverige", "sosk", "sodertorn", "sormland")
    res = engine.search(get_index(), text, everyone, limit=10)
    with engine.searcher(get_index()) as s:
        theirs = [s.stored_fields(d)["doc_id"] for _score, d in s.search(engine.parse(s.schema, text), limit=10).top_n]
    assert len(res.hits) >= 2
    assert [h.doc_id for h in res.hits] == theirs
