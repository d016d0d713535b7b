"""After a request commits something searchable, a thread of the process brings the index up to
date (SEARCH_SYNC "background", the default outside the tests), so the next search does not
pay for the indexing; without it, the next search does."""
import pytest
from sqlalchemy import func, select

from workspace.db import db
from workspace.events import Event, record_event
from workspace.search import engine
from workspace.search.indexer import get_index, sync_index, syncer

SKANE = "tjansteman.skane@demo.example"


def last_applied(app) -> int:
    with app.app_context():
        return engine.state(get_index()).last_event


def newest(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.max(Event.id)))


def save_a_section(app, demo, text: str) -> None:
    from workspace.papers import services as papers
    from workspace.papers.models import Paper

    with app.test_request_context("/", method="POST"):
        paper = db.session.scalar(select(Paper).where(Paper.title == "Toppmöte om Skånes regionala utveckling"))
        section = paper.live_sections[0]
        papers.save_section(demo.user(SKANE), section, f"<p>{text}</p>", section.current_revision_id)
        db.session.commit()


@pytest.fixture
def background(app, monkeypatch, indexed):
    monkeypatch.setitem(app.config, "SEARCH_SYNC", "background")
    yield
    assert syncer.wait_idle(20)


def test_a_committed_save_is_indexed_without_a_search(app, demo, background, ids):
    save_a_section(app, demo, "Trelleborgs hamn tar emot fler godståg.")
    assert syncer.wait_idle(20)
    assert last_applied(app) == newest(app)
    with app.test_request_context():
        hits = engine.search(get_index(), "trelleborgs hamn godståg", ids("sydsverige")).hits
        assert [h.kind for h in hits][:1] == ["section"]
        # The search's own check finds nothing left to do.
        assert sync_index() == 0


def test_a_burst_of_saves_is_indexed_in_one_round(app, demo, background, monkeypatch):
    from workspace.search import indexer

    rounds = []
    real = indexer.sync_index
    monkeypatch.setattr(indexer, "sync_index", lambda: rounds.append(1) or real())
    for i in range(5):
        save_a_section(app, demo, f"Version {i} av texten.")
    assert syncer.wait_idle(20)
    assert last_applied(app) == newest(app)
    # Each round ends with a call that finds nothing left; five saves within the settling
    # time make one round (two if the thread woke between them), not five.
    assert 2 <= len(rounds) <= 4, rounds


def test_nothing_wakes_it_for_a_rollback_or_for_what_is_not_searched(app, demo, background, monkeypatch):
    woken = []
    monkeypatch.setattr(syncer, "wake", lambda app_: woken.append(app_))
    from workspace.papers.models import Paper

    with app.test_request_context("/", method="POST"):
        paper = db.session.scalar(select(Paper).where(Paper.title == "Toppmöte om Skånes regionala utveckling"))
        record_event(demo.user(SKANE), "section-saved", paper.live_sections[0], paper_id=paper.id,
                     section_id=paper.live_sections[0].id)
        db.session.rollback()
        db.session.commit()  # a later commit of the same session: the rolled-back event is gone
        record_event(demo.user(SKANE), "presence-changed", paper, paper_id=paper.id)
        db.session.commit()
    assert woken == []


def test_outside_the_background_mode_only_a_search_indexes(app, demo, indexed, monkeypatch):
    monkeypatch.setitem(app.config, "SEARCH_SYNC", "search")
    before = last_applied(app)
    save_a_section(app, demo, "Ingen tråd indexerar detta.")
    assert syncer.wait_idle(5) and last_applied(app) == before < newest(app)
