"""Facets, Swedish analysis, fields, sorting and permissions on the real corpus texts."""
import time

import pytest
from sqlalchemy import select

from tests.unit.search.conftest import ALL
from workspace.db import db
from workspace.demo.corpus import CORPUS_DIR
from workspace.papers import services as papers
from workspace.papers.models import Paper, PolicyArea
from workspace.search import engine
from workspace.search.indexer import get_index, status, sync_index

pytestmark = pytest.mark.skipif(not CORPUS_DIR.is_dir(), reason=f"the corpus is not at {CORPUS_DIR}")


def search(text, workspace_ids, **kw):
    return engine.search(get_index(), text, workspace_ids, limit=kw.pop("limit", 200), **kw)


def counts(result, facet):
    return dict(result.facets[facet])


def paper(title):
    return db.session.scalar(select(Paper).where(Paper.title == title))


def test_facet_counts_add_up_to_the_hits(app, demo, indexed, ids):
    r = search("samverkan", ids(*ALL))
    assert r.total == len(r.hits) > 5
    for facet in ("workspace_id", "kind", "status", "year"):
        assert sum(counts(r, facet).values()) == r.total, facet
    assert counts(r, "kind") == {k: sum(1 for h in r.hits if h.kind == k) for k in {h.kind for h in r.hits}}
    by_ws = counts(r, "workspace_id")
    assert by_ws == {str(w): sum(1 for h in r.hits if h.workspace_id == w) for w in {h.workspace_id for h in r.hits}}
    assert counts(r, "year") == {str(paper("Om Regionsamverkan Sydsverige").created_at.year): r.total}
    areas = counts(r, "policy_area")
    assert set(areas) <= {"Infrastruktur", "Kultur", "Kompetensförsörjning"} and areas
    assert "Region Sörmland" in counts(r, "organization")


def test_a_selected_facet_narrows_and_counts_stay_disjunctive(app, demo, indexed, ids):
    every = search("samverkan", ids(*ALL))
    sosk = str(demo.workspace("sosk").id)
    narrowed = search("samverkan", ids(*ALL), selected={"workspace_id": {sosk}})
    assert narrowed.total == counts(every, "workspace_id")[sosk]
    assert {h.workspace_id for h in narrowed.hits} == {int(sosk)}
    # Its own facet still offers the other workspaces with their counts …
    assert counts(narrowed, "workspace_id") == counts(every, "workspace_id")
    # … while the other facets count only inside the selection.
    assert sum(counts(narrowed, "kind").values()) == narrowed.total
    both = search("samverkan", ids(*ALL), selected={"workspace_id": {sosk}, "kind": {"section"}})
    assert all(h.kind == "section" and h.workspace_id == int(sosk) for h in both.hits)
    assert both.total == counts(narrowed, "kind")["section"]
    # Two values of one facet: either.
    sorm = str(demo.workspace("sormland").id)
    either = search("samverkan", ids(*ALL), selected={"workspace_id": {sosk, sorm}})
    assert either.total == counts(every, "workspace_id")[sosk] + counts(every, "workspace_id")[sorm]


def test_a_selected_value_without_hits_stays_visible_to_untick(app, demo, indexed, ids):
    r = search("samverkan", ids(*ALL), selected={"status": {"adopted"}})
    assert r.total == 0 and r.hits == []
    assert ("adopted", 0) in r.facets["status"]


def test_status_and_policy_area_facets_follow_changes(app, demo, indexed, ids):
    with app.test_request_context(method="POST"):
        p = paper("Samverkan för hållbar utveckling av Sörmland")
        kansli = demo.user("kansli.sormland@demo.example")
        papers.change_status(kansli, p, "review")
        area = db.session.scalar(select(PolicyArea).where(PolicyArea.workspace_id == p.workspace_id,
                                                          PolicyArea.name == "Kollektivtrafik"))
        papers.update_paper(kansli, p, policy_area_id=area.id)
        db.session.commit()
        sync_index()
        n_docs = 1 + len(p.live_sections)
    r = search("Sörmland", ids("sormland"))
    assert counts(r, "status") == {"review": r.total}
    assert counts(r, "policy_area") == {"Kollektivtrafik": r.total}
    assert r.total <= n_docs
    only = search("Sörmland", ids("sormland"), selected={"status": {"draft"}})
    assert only.total == 0


def test_swedish_inflections_case_and_diacritics(app, demo, indexed, ids):
    every = ids(*ALL)
    base = {h.doc_id for h in search("kollektivtrafik", every).hits}
    assert base
    for form in ("kollektivtrafiken", "kollektivtrafikens", "KOLLEKTIVTRAFIK", "Kollektivtrafiken"):
        assert {h.doc_id for h in search(form, every).hits} == base, form
    assert {h.doc_id for h in search("SKÅNE", every).hits} == {h.doc_id for h in search("skåne", every).hits} != set()
    # å/ä/ö are letters of their own: "Sörmland" is one word, and "sormland" is not it.
    assert search("sörmland", every).hits and not search("sormland", every).hits
    # Inflected forms in the text are found from the base form and the other way round.
    assert search("region", every).total == search("regionerna", every).total


def test_phrases_are_exact_and_boolean_operators_work(app, demo, indexed, ids):
    every = ids(*ALL)
    phrase = search('"hållbar utveckling"', every)
    assert phrase.hits and all("hållbar" in (h.snippet + h.title).lower() for h in phrase.hits)
    loose = search("hållbar utveckling", every)
    assert phrase.total <= loose.total
    assert not search('"utveckling hållbar"', every).hits
    either = search("Simrishamn OR Huddinge", every)
    assert either.total == len({h.doc_id for h in search("Simrishamn", every).hits}
                               | {h.doc_id for h in search("Huddinge", every).hits})
    assert search("samverkan NOT Sörmland", every).total < search("samverkan", every).total


def test_author_field(app, demo, indexed, ids):
    every = ids(*ALL)
    r = search("author:Lindqvist", every)
    assert r.hits and all("Sara Lindqvist" in h.author for h in r.hits)
    assert {h.workspace_id for h in r.hits} == {demo.workspace("sydsverige").id}
    assert not search("author:Lindqvist", ids("sosk")).hits
    assert search("author:strand", every).hits and all(h.workspace_id == demo.workspace("sosk").id
                                                     for h in search("author:strand", every).hits)


def test_sort_by_date_puts_the_latest_save_first(app, demo, indexed, ids):
    with app.test_request_context(method="POST"):
        p = paper("Toppmöte om Skånes regionala utveckling")  # the other one is adopted (frozen) in the demo
        s = p.live_sections[-1]
        time.sleep(0.01)
        papers.save_section(demo.user("tjansteman.skane@demo.example"), s, s.html + "<p>Regionerna ses igen.</p>",
                            s.current_revision_id)
        db.session.commit()
        sync_index()
        sid = s.id
    r = search("regionerna", ids("sydsverige"), sort="date")
    dates = [h.updated for h in r.hits]
    assert dates == sorted(dates, reverse=True)
    assert r.hits[0].section_id == sid
    assert {h.doc_id for h in r.hits} == {h.doc_id for h in search("regionerna", ids("sydsverige")).hits}


def test_paging_returns_each_hit_once(app, demo, indexed, ids):
    every = ids(*ALL)
    whole = [h.doc_id for h in engine.search(get_index(), "samverkan", every, limit=100).hits]
    pages = [h.doc_id for p in (1, 2, 3) for h in engine.search(get_index(), "samverkan", every, limit=4, page=p).hits]
    assert pages == whole[:12] and len(set(pages)) == len(pages)


def test_another_workspace_never_shows_not_in_counts_snippets_or_suggestions(app, demo, indexed, ids):
    sosk = ids("sosk")
    sosk_org = {"Ystads kommun"}
    for q in ("Sydsverige", "Regionsamverkan Sydsverige", "Blekinge", "region*", "samverkan", "title:Sörmland"):
        r = search(q, sosk)
        assert all(h.workspace_id == sosk[0] for h in r.hits), q
        assert set(counts(r, "workspace_id")) <= {str(sosk[0])}, q
        assert set(counts(r, "organization")) <= sosk_org, q
        assert sum(counts(r, "kind").values()) == r.total == len(r.hits), q
        assert not any("Blekinge" in h.snippet or "Kronoberg" in h.snippet for h in r.hits), q
    # Selecting another workspace's id by hand does not open it.
    other = str(demo.workspace("sydsverige").id)
    r = search("samverkan", sosk, selected={"workspace_id": {other}})
    assert r.total == 0 and counts(r, "workspace_id").get(other, 0) == 0
    # "Blekinge" is only in sydsverige: a misspelling of it must not be corrected for sosk.
    assert search("Blekinge", ids("sydsverige")).hits and not search("Blekinge", sosk).hits
    assert search("Blekinnge", ids("sydsverige")).suggestion == "blekinge"
    assert search("Blekinnge", sosk).suggestion is None


def test_did_you_mean_keeps_operators_and_good_words(app, demo, indexed, ids):
    r = search("kollektivtrafik AND infrastrukturr", ids("sydsverige"))
    assert r.total == 0 and r.suggestion == "kollektivtrafik AND infrastruktur"
    assert search(r.suggestion, ids("sydsverige")).total > 0
    assert search("zzzzqqq", ids("sydsverige")).suggestion is None


def test_an_outdated_schema_is_rebuilt_on_the_next_sync(app, demo, indexed, ids, monkeypatch):
    before = [h.doc_id for h in search("samverkan", ids(*ALL)).hits]
    ix = get_index()
    w = ix.writer()
    w.update_document(doc_id=engine.META_ID, kind="meta", last_event=engine.state(ix).last_event, schema_version=1)
    w.commit()
    assert status().needs_rebuild
    with app.test_request_context():
        assert sync_index() > 0  # rebuilt: documents written
        assert not status().needs_rebuild and status().behind == 0
    assert [h.doc_id for h in search("samverkan", ids(*ALL)).hits] == before
    monkeypatch.setattr(engine, "SCHEMA_VERSION", engine.SCHEMA_VERSION + 1)
    with app.test_request_context():
        assert status().needs_rebuild
        sync_index()
        assert engine.state(get_index()).schema_version == engine.SCHEMA_VERSION
    assert [h.doc_id for h in search("samverkan", ids(*ALL)).hits] == before


def test_an_event_committed_late_is_still_applied(app, demo, indexed, ids):
    """PostgreSQL hands out ids before commit: an event may appear below one already applied."""
    with app.test_request_context(method="POST"):
        p = paper("Toppmöte om Skånes regionala utveckling")
        s = p.live_sections[0]
        papers.save_section(demo.user("tjansteman.skane@demo.example"), s, s.html + "<p>Spårvagnsdepån.</p>",
                            s.current_revision_id)
        db.session.commit()
        late = status().newest
        # The indexer had seen a later id and noted this one as missing.
        ix = get_index()
        w = ix.writer()
        engine.set_state(w, late, {late: time.time()})
        w.commit()
        assert not search("spårvagnsdepån", ids("sydsverige")).hits
        assert status().pending_gaps == 1
        assert sync_index() == 1
        assert search("spårvagnsdepån", ids("sydsverige")).hits
        assert status().pending_gaps == 0
        assert sync_index() == 0  # nothing left: no empty commit


def test_gaps_are_remembered_for_a_while_then_dropped(monkeypatch):
    from types import SimpleNamespace

    from workspace.search import indexer

    gaps = indexer._next_gaps({}, 10, [SimpleNamespace(id=11), SimpleNamespace(id=14)])
    assert set(gaps) == {12, 13}
    gaps = indexer._next_gaps(gaps, 14, [SimpleNamespace(id=12)])
    assert set(gaps) == {13}
    later = time.time() + indexer.GAP_PATIENCE + 1
    monkeypatch.setattr(indexer.time, "time", lambda: later)
    assert indexer._next_gaps(gaps, 14, []) == {}


def test_repeated_saves_keep_one_meta_document_and_no_stale_copies(app, demo, indexed, ids):
    """Each sync replaces the meta document and the saved section's documents: none pile up."""
    from workspace.search.indexer import get_index

    before = status().documents
    with app.test_request_context(method="POST"):
        p = paper("Toppmöte om Skånes regionala utveckling")
        s = p.live_sections[0]
        for i in range(3):
            papers.save_section(demo.user("tjansteman.skane@demo.example"), s, s.html + f"<p>Runda{i}.</p>",
                                s.current_revision_id)
            db.session.commit()
            engine.search(get_index(), "region", ids("sydsverige"))  # a searcher held across commits
            sync_index()
            st = status()
            assert st.behind == 0 and st.documents == before, i
            hits = search(f"runda{i}", ids("sydsverige")).hits
            assert [h.section_id for h in hits] == [s.id]
    with engine.searcher(get_index()) as searcher:
        assert len(list(searcher.documents(doc_id=engine.META_ID))) == 1
