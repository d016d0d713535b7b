"""The live stream: events of my workspaces only, resumable with Last-Event-ID."""
import json

import pytest
from sqlalchemy import select

from workspace.db import db
from workspace.events import Event, record_event
from workspace.live.presence import Presence
from workspace.papers.models import Paper


def read_events(resp, want: int, max_chunks: int = 50) -> list[dict]:
    """Read SSE chunks until `want` events have arrived."""
    events = []
    for i, chunk in enumerate(resp.response):
        text = chunk.decode() if isinstance(chunk, bytes) else chunk
        for block in text.split("\n\n"):
            lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line and not line.startswith(":"))
            if "data" in lines:
                data = json.loads(lines["data"])
                assert lines["id"] == str(data["id"]) and lines["event"] == data["verb"]
                events.append(data)
        if len(events) >= want or i >= max_chunks:
            break
    resp.close()
    return events


def add_events(app, slug: str, n: int, verb="workspace-updated") -> list[int]:
    with app.app_context():
        from workspace.workspaces.models import Workspace

        ws = db.session.scalar(select(Workspace).where(Workspace.slug == slug))
        ids = [record_event(None, verb, ws, workspace=ws, changed=["name"]).id for _ in range(n)]
        db.session.commit()
        return ids


def test_stream_sends_events_after_cursor_in_order(app, as_user):
    c = as_user("tjansteman.skane@demo.example")
    ids = add_events(app, "sydsverige", 3)
    resp = c.get(f"/w/sydsverige/stream?after={ids[0]}", buffered=False)
    assert resp.status_code == 200 and resp.mimetype == "text/event-stream"
    got = read_events(resp, 2)
    assert [e["id"] for e in got] == ids[1:]
    assert got[0]["keys"] == ["workspace"] and got[0]["message"]


def test_last_event_id_resumes_without_gap_or_duplicate(app, as_user):
    c = as_user("tjansteman.skane@demo.example")
    ids = add_events(app, "sydsverige", 5)
    first = read_events(c.get(f"/w/sydsverige/stream?after={ids[0] - 1}", buffered=False), 2)
    assert [e["id"] for e in first][:2] == ids[:2]
    # The browser reconnects with the last id it saw; the stream goes on from there.
    resumed = read_events(
        c.get("/w/sydsverige/stream", headers={"Last-Event-ID": str(ids[1])}, buffered=False), 3)
    assert [e["id"] for e in resumed] == ids[2:]


def test_no_event_of_another_workspace_reaches_a_user(app, as_user):
    c = as_user("tjansteman.ystad@demo.example")  # sosk only
    before = add_events(app, "sosk", 1)[0]
    add_events(app, "sydsverige", 3)
    mine = add_events(app, "sosk", 1)
    got = read_events(c.get(f"/w/sosk/stream?after={before}", buffered=False), 1)
    assert [e["id"] for e in got] == mine
    assert c.get("/w/sydsverige/stream?after=0", buffered=False).status_code == 404


def test_private_payload_fields_stay_on_the_server(app, as_user):
    c = as_user("lasare@demo.example")
    with app.app_context():
        from workspace.workspaces.models import Workspace

        ws = db.session.scalar(select(Workspace).where(Workspace.slug == "sydsverige"))
        ev = record_event(None, "member-invited", ws, workspace=ws, email="secret@example.se", role="reader")
        db.session.commit()
        ev_id = ev.id
    got = read_events(c.get(f"/w/sydsverige/stream?after={ev_id - 1}", buffered=False), 1)
    assert "secret@example.se" not in json.dumps(got)


@pytest.mark.parametrize("value", ["abc", "-1", "1.5"])
def test_bad_cursor_is_refused(as_user, value):
    c = as_user("tjansteman.skane@demo.example")
    assert c.get(f"/w/sydsverige/stream?after={value}", buffered=False).status_code == 400


@pytest.fixture
def paper_id(app, demo):
    with app.app_context():
        from workspace.workspaces.models import Workspace

        ws = db.session.scalar(select(Workspace).where(Workspace.slug == "sydsverige"))
        p = Paper(workspace_id=ws.id, title="Godsstråk genom Sydsverige")
        db.session.add(p)
        db.session.commit()
        return p.id


def test_presence_heartbeat_join_edit_leave(app, as_user, paper_id):
    c = as_user("tjansteman.kronoberg@demo.example")
    url = f"/w/sydsverige/papers/{paper_id}/presence"
    assert c.post(url, {"client_id": "tab-1", "section_id": ""}).status_code == 204
    assert c.post(url, {"client_id": "tab-1", "section_id": ""}).status_code == 204  # heartbeat: no event
    page = as_user("tjansteman.skane@demo.example").get(url)
    assert page.status_code == 200 and "Lars Holm" in page.get_data(as_text=True)
    assert c.post(url + "/leave", {"client_id": "tab-1"}).status_code == 204
    with app.app_context():
        states = [e.payload["state"] for e in db.session.scalars(
            select(Event).where(Event.verb == "presence-changed").order_by(Event.id))]
        assert states == ["joined", "left"]
        assert db.session.scalar(select(Presence)) is None


@pytest.mark.parametrize("data", [
    {"client_id": "", "section_id": ""},
    {"client_id": "x" * 41, "section_id": ""},
    {"client_id": "tab<script>", "section_id": ""},
    {"client_id": "tab-1", "section_id": "abc"},
    {"client_id": "tab-1", "section_id": "999999"},
])
def test_presence_bad_input(app, as_user, paper_id, data):
    c = as_user("tjansteman.kronoberg@demo.example")
    assert c.post(f"/w/sydsverige/papers/{paper_id}/presence", data).status_code == 422
    with app.app_context():
        assert db.session.scalar(select(Presence)) is None


def test_presence_of_idle_people_expires(app, as_user, paper_id):
    from datetime import timedelta

    from workspace.live.presence import expire_presence

    c = as_user("tjansteman.kronoberg@demo.example")
    c.post(f"/w/sydsverige/papers/{paper_id}/presence", {"client_id": "tab-1", "section_id": ""})
    with app.app_context():
        row = db.session.scalar(select(Presence))
        row.last_seen_at = row.last_seen_at - timedelta(minutes=5)
        db.session.commit()
        expire_presence()
    with app.app_context():
        assert db.session.scalar(select(Presence)) is None
        states = db.session.scalars(select(Event.payload).where(Event.verb == "presence-changed").order_by(Event.id)).all()
        assert states[-1]["state"] == "left"


def test_stream_ends_when_its_session_is_logged_out(app, as_user, monkeypatch):
    from workspace.live import views as live_views

    monkeypatch.setattr(live_views, "KEEPALIVE_SECONDS", 0.2)
    monkeypatch.setattr(live_views, "CHECK_SECONDS", 0.2)
    c = as_user("tjansteman.skane@demo.example")
    resp = c.get("/w/sydsverige/stream", buffered=False)
    chunks = iter(resp.response)
    assert "retry" in next(chunks).decode()
    assert c.post("/logout", {}).status_code == 303
    rest = [ch.decode() if isinstance(ch, bytes) else ch for ch in chunks]  # ends instead of running on
    resp.close()
    assert all("data:" not in ch for ch in rest)
    assert len(rest) <= 2


def test_keepalives_come_often_and_membership_checks_seldom(app, as_user, monkeypatch):
    """A closed page is noticed at the next write, so writes come every few seconds; the
    database is asked about membership and the session only every CHECK_SECONDS."""
    from workspace.live import views as live_views

    monkeypatch.setattr(live_views, "KEEPALIVE_SECONDS", 0.05)
    monkeypatch.setattr(live_views, "CHECK_SECONDS", 3600)
    checks = []
    real = live_views.active_role
    monkeypatch.setattr(live_views, "active_role", lambda *a: checks.append(a) or real(*a))
    c = as_user("tjansteman.skane@demo.example")
    resp = c.get("/w/sydsverige/stream", buffered=False)
    chunks = iter(resp.response)
    assert "retry" in next(chunks).decode()
    got = [next(chunks).decode() for _ in range(4)]
    resp.close()
    assert all(ch.startswith(": keepalive") for ch in got)
    assert checks == []
