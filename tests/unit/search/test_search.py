"""Search over the real texts of ../shared/corpus (loaded by the demo as papers)."""
import shutil

import pytest
from sqlalchemy import select

from workspace.db import db
from workspace.demo.corpus import CORPUS_DIR
from workspace.search import engine
from workspace.search.indexer import get_index, index_path, rebuild, status, sync_index

pytestmark = pytest.mark.skipif(not CORPUS_DIR.is_dir(), reason=f"the corpus is not at {CORPUS_DIR}")


def ws_ids(demo, *slugs):
    return [demo.workspace(s).id for s in slugs]


def titles(hits):
    return [h.title for h in hits]


def test_swedish_inflections_are_found(app, demo, indexed):
    ids = ws_ids(demo, "sydsverige")
    hits = engine.search(get_index(), "kollektivtrafiken", ids).hits
    assert any("kollektivtrafik" in h.snippet.lower() for h in hits)
    hits2 = engine.search(get_index(), "Regionerna", ids).hits
    assert hits2 and "<mark" in hits2[0].snippet


def test_phrases_prefix_fields_and_boolean(app, demo, indexed):
    ids = ws_ids(demo, "sydsverige", "sosk", "sodertorn", "sormland")
    assert engine.search(get_index(), '"hållbar utveckling"', ids).hits
    assert engine.search(get_index(), "stambano*", ids).hits
    assert all("Sörmland" in h.title for h in engine.search(get_index(), "title:Sörmland", ids).hits)
    both = engine.search(get_index(), "Ystad AND Simrishamn", ids).hits
    assert both and all(h.workspace_id == demo.workspace("sosk").id for h in both)
    assert not engine.search(get_index(), "Ystad NOT Ystad", ids).hits


def test_a_person_never_sees_another_workspace(app, demo, indexed):
    sosk = ws_ids(demo, "sosk")
    hits = engine.search(get_index(), "Regionsamverkan Sydsverige", sosk).hits
    assert hits == [] or all(h.workspace_id == sosk[0] for h in hits)
    assert all("Sydsverige" not in h.snippet for h in hits)


def test_did_you_mean(app, demo, indexed):
    ids = ws_ids(demo, "sydsverige")
    res = engine.search(get_index(), "infrastrukturr", ids)
    assert res.hits == [] and res.suggestion and "infrastruktur" in res.suggestion


@pytest.mark.parametrize("junk", ['"', "(", "AND", "*", "title:", "'; DROP TABLE paper; --", "a" * 500, "NOT NOT"])
def test_junk_queries_never_crash(app, demo, indexed, junk):
    engine.search(get_index(), junk, ws_ids(demo, "sydsverige"))


def test_a_save_is_found_after_sync_and_status_reports_progress(app, demo, indexed):
    from workspace.papers import services
    from workspace.papers.models import Paper

    with app.test_request_context(method="POST"):
        paper = db.session.scalar(select(Paper).where(Paper.title == "Toppmöte om Skånes regionala utveckling"))
        s = paper.live_sections[0]
        services.save_section(demo.user("tjansteman.skane@demo.example"), s, s.html + "<p>Vätgasstråket längs E4.</p>",
                              s.current_revision_id)
        db.session.commit()
        st = status()
        assert st.applied < st.newest and st.behind >= 1
        assert sync_index() >= 1
        assert status().behind == 0
        hits = engine.search(get_index(), "vätgasstråket", ws_ids(demo, "sydsverige")).hits
        assert hits and hits[0].section_id == s.id


def test_index_deleted_then_rebuilt_gives_the_same_results(app, demo, indexed):
    ids = ws_ids(demo, "sydsverige", "sosk", "sodertorn", "sormland")
    before = titles(engine.search(get_index(), "samverkan", ids).hits)
    shutil.rmtree(index_path())
    app.extensions.pop("search-index", None)
    sync_index()  # a lost index is rebuilt from the database
    assert titles(engine.search(get_index(), "samverkan", ids).hits) == before
    rebuild()
    assert titles(engine.search(get_index(), "samverkan", ids).hits) == before


def test_a_search_does_not_wait_behind_another_process_rebuilding(app, demo, indexed, monkeypatch):
    """While one process rebuilds (holding the rebuild lock), a stale index is searched as it is."""
    import fcntl

    from workspace.search.indexer import index_path as path_of

    monkeypatch.setattr(engine, "SCHEMA_VERSION", engine.SCHEMA_VERSION + 1)
    path = path_of()
    with open(path.with_name(path.name + ".rebuild-lock"), "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)  # flock is per open file: this blocks our own second open too
        try:
            assert sync_index() == 0
            assert status().needs_rebuild
            assert engine.search(get_index(), "samverkan", ws_ids(demo, "sormland")).hits
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
    assert sync_index() > 0 and not status().needs_rebuild
