"""`flask search follow` (indexer.follow): the index follows the event log by itself, in a
process beside the web workers, so searches and saves do not pay for indexing."""
import threading
import time

from sqlalchemy import func, select

from workspace.db import db
from workspace.events import Event
from workspace.search import engine, indexer
from workspace.search.indexer import get_index

SKANE = "tjansteman.skane@demo.example"


def caught_up(app, timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.app_context():
            newest = db.session.scalar(select(func.max(Event.id)))
            if engine.state(get_index()).last_event >= newest:
                return True
            db.session.remove()
        time.sleep(0.05)
    return False


def save_a_section(app, demo, text: str) -> None:
    from workspace.papers import services as papers
    from workspace.papers.models import Paper

    with app.test_request_context("/", method="POST"):
        paper = db.session.scalar(select(Paper).where(Paper.title == "Toppmöte om Skånes regionala utveckling"))
        section = paper.live_sections[0]
        papers.save_section(demo.user(SKANE), section, f"<p>{text}</p>", section.current_revision_id)
        db.session.commit()


def following(app, stop):
    def run():
        with app.app_context():
            indexer.follow(stop, interval=0.05)
    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_follows_the_event_log_until_stopped(app, demo, indexed, ids):
    stop = threading.Event()
    thread = following(app, stop)
    try:
        assert caught_up(app)
        save_a_section(app, demo, "Trelleborgs hamn tar emot fler godståg.")
        assert caught_up(app)  # without a search
        with app.test_request_context():
            hits = engine.search(get_index(), "trelleborgs hamn godståg", ids("sydsverige")).hits
            assert [h.kind for h in hits][:1] == ["section"]
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()


def test_a_failing_round_does_not_stop_it(app, demo, indexed, monkeypatch):
    real, calls = indexer.sync_index, []

    def flaky():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        return real()

    monkeypatch.setattr(indexer, "sync_index", flaky)
    monkeypatch.setattr(indexer.log, "exception", lambda *a, **k: None)  # expected; keep the output clean
    stop = threading.Event()
    waits = []
    real_wait = stop.wait
    monkeypatch.setattr(stop, "wait", lambda t: waits.append(t) or real_wait(min(t, 0.05)))
    thread = following(app, stop)
    try:
        save_a_section(app, demo, "Efter felet.")
        assert caught_up(app)
        assert len(calls) >= 2 and 5 in waits  # it waited a while after the failure, then went on
    finally:
        stop.set()
        thread.join(10)
