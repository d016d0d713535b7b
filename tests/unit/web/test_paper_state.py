"""A paper's state is its newest event: every change to the paper makes a new one, and
who has it open does not."""
from workspace.db import db
from workspace.events import Event, paper_state, record_event


def test_events_name_their_paper_and_presence_does_not_count(app, ctx):
    assert paper_state(4711) is None
    saved = record_event(None, "section-saved", object_type="section", object_id=1, paper_id=4711, section_id=1)
    assert saved.paper_id == 4711
    first = paper_state(4711)
    assert first == (saved.id, saved.created_at.isoformat())
    looking = record_event(None, "presence-changed", object_type="paper", object_id=4711, paper_id=4711, state="joined")
    assert looking.paper_id is None and paper_state(4711) == first
    other = record_event(None, "section-saved", object_type="section", object_id=2, paper_id=4712, section_id=2)
    assert paper_state(4711) == first and paper_state(4712)[0] == other.id
    renamed = record_event(None, "section-renamed", object_type="section", object_id=1, paper_id=4711, section_id=1)
    assert paper_state(4711)[0] == renamed.id
    assert db.session.get(Event, renamed.id).paper_id == 4711


def test_paper_state_and_newest_is_both_in_one_query(app, ctx):
    from workspace.events import paper_state_and_newest
    from workspace.live.hub import newest_event_id

    assert paper_state_and_newest(4711) == (None, newest_event_id())
    saved = record_event(None, "section-saved", object_type="section", object_id=1, paper_id=4711, section_id=1)
    other = record_event(None, "section-saved", object_type="section", object_id=2, paper_id=4712, section_id=2)
    assert paper_state_and_newest(4711) == (paper_state(4711), other.id)
    assert paper_state(4711) == (saved.id, saved.created_at.isoformat())


def test_the_workspace_the_paper_and_its_state_in_one_query(app, demo):
    import pytest
    from werkzeug.exceptions import NotFound

    from tests.conftest import recorded_statements
    from workspace.events import paper_state_and_newest
    from workspace.papers import services as papers
    from workspace.papers.permissions import load_paper, load_workspace_and_paper
    from workspace.workspaces.permissions import load_workspace

    with app.test_request_context(method="POST"):
        ws = demo.workspace("sydsverige")
        official = demo.user("tjansteman.skane@demo.example")
        paper = papers.create_paper(official, ws, title="Ett papper", sections=[("Ett", "<p>Text.</p>")])
        db.session.commit()
        paper_id = ws.id and official.id and paper.id  # loaded again after the commit, before counting
        with recorded_statements(app) as statements:
            found_ws, me, loaded, state, newest, present = load_workspace_and_paper("sydsverige", official, paper_id)
        assert len(statements) == 1
        assert present == []
        assert (found_ws, me) == load_workspace("sydsverige", official)
        assert loaded is load_paper(ws, paper_id) and (state, newest) == paper_state_and_newest(paper.id)
        assert state is not None and newest >= state[0]
        with pytest.raises(NotFound):  # another workspace's paper does not exist there
            load_workspace_and_paper("sosk", demo.user("tjansteman.ystad@demo.example"), paper_id)
        with pytest.raises(NotFound):  # nor does a workspace the person is not a member of
            load_workspace_and_paper("sydsverige", demo.user("kansli.sormland@demo.example"), paper_id)
        with pytest.raises(NotFound):
            load_workspace_and_paper("sydsverige", official, 10**9)
