"""A paper page's stream carries the parts an event changed (workspace/papers/live_parts.py):
each viewer gets exactly what their own fetch of the part would answer — their rights, their
own comments' buttons, their token — and nothing when the stream is not on that paper."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from workspace.db import db, utcnow
from workspace.events import Event
from workspace.papers import live_parts
from workspace.papers import services as papers
from workspace.papers.models import Paper
from workspace.web.kept import TOKEN_PLACEHOLDER

from .test_comments import POLITICIAN, READER, SKANE, make_thread, paper  # noqa: F401  (fixture)
from .test_live import read_events
from .test_paper_page_cache import TOKEN_RE, without_tokens

KRONOBERG = "tjansteman.kronoberg@demo.example"


def newest(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Event.id).order_by(Event.id.desc()).limit(1)) or 0


def stream_events(client, paper, after: int, want: int, verb: str | None = None) -> list[dict]:  # noqa: F811
    resp = client.get(f"/w/sydsverige/stream?after={after}&paper={paper['id']}", buffered=False)
    assert resp.status_code == 200
    got = read_events(resp, want)
    return [e for e in got if verb is None or e["verb"] == verb]


def save(client, paper, text: str) -> None:  # noqa: F811
    url = f"{paper['url']}/sections/{paper['section']}"
    base = client.hx_get(url + "?edit=1").text.split('name="base_revision_id" value="')[1].split('"')[0]
    assert client.post(url, {"html": f"<p>{text}</p>", "base_revision_id": base}, htmx=True).status_code == 200


def open_round(app, demo, paper) -> None:  # noqa: F811
    """The secretariat opens an approval round on the paper: its header now follows saves."""
    from workspace.decisions import services as decisions

    with app.test_request_context(method="POST"):
        p = db.session.get(Paper, paper["id"])
        snap = papers.create_snapshot(demo.user(SKANE), p, "Beslutsversion")
        decisions.open_paper_round(demo.user("kansli@demo.example"), p, snap,
                                   deadline=utcnow() + timedelta(days=7), registration_number="RSS 2026/7")
        db.session.commit()


@pytest.fixture(autouse=True)
def fresh_renders():
    live_parts._renders.clear()
    yield
    live_parts._renders.clear()


@pytest.mark.parametrize("email", [SKANE, READER, POLITICIAN])
def test_a_save_brings_the_section_as_my_own_fetch_would(app, as_user, demo, paper, email):  # noqa: F811
    make_thread(app, demo, paper, email=POLITICIAN, body="Min fråga.")  # her own comment gets buttons
    viewer, editor = as_user(email), as_user(KRONOBERG)
    after = newest(app)
    save(editor, paper, "Hamnarna behöver räls.")
    [event] = stream_events(viewer, paper, after, 1, "section-saved")
    url = f"{paper['url']}/sections/{paper['section']}"
    assert list(event["parts"]) == [url]  # no round is open: the header does not change
    pushed = event["parts"][url]
    fetched = viewer.hx_get(url).text
    assert "Hamnarna behöver räls." in pushed
    assert without_tokens(pushed) == without_tokens(fetched)
    assert TOKEN_PLACEHOLDER not in pushed
    # The token in the pushed forms is the viewer's own: it works for them.
    [token] = set(TOKEN_RE.findall(pushed))
    resp = viewer.http.post(f"{paper['url']}/presence", data={"client_id": "tab-1", "section_id": "",
                                                              "csrf_token": token})
    assert resp.status_code == 204


def test_parts_come_in_the_viewers_language(app, as_user, demo, paper):  # noqa: F811
    viewer = as_user(READER)
    with app.app_context():
        demo.user(READER).locale = "en"
        db.session.commit()
    after = newest(app)
    save(as_user(KRONOBERG), paper, "In English please.")
    [event] = stream_events(viewer, paper, after, 1, "section-saved")
    url = f"{paper['url']}/sections/{paper['section']}"
    pushed = event["parts"][url]
    assert without_tokens(pushed) == without_tokens(viewer.hx_get(url).text)
    assert "Comments" in pushed and "Kommentarer" not in pushed
    assert "saved" in event["message"]


def test_viewers_of_a_kind_share_one_render_and_each_gets_their_own_token(app, as_user, demo, paper,  # noqa: F811
                                                                          monkeypatch):
    renders = []
    real = live_parts._render
    monkeypatch.setattr(live_parts, "_render", lambda *a: renders.append(a[1].user_id) or real(*a))
    first, second = as_user(READER), as_user("politiker.skane@demo.example")
    with app.app_context():  # both read-only for this test: the same kind of viewer
        from workspace.workspaces.models import Membership

        m = db.session.scalar(select(Membership).where(Membership.user_id == demo.user(
            "politiker.skane@demo.example").id, Membership.workspace_id == demo.workspace("sydsverige").id))
        m.role = "reader"
        db.session.commit()
    after = newest(app)
    save(as_user(KRONOBERG), paper, "En gång.")
    one = stream_events(first, paper, after, 1, "section-saved")[0]["parts"]
    two = stream_events(second, paper, after, 1, "section-saved")[0]["parts"]
    assert len(renders) == 1
    assert without_tokens(one.popitem()[1]) == without_tokens(two.popitem()[1])


def test_header_comes_along_while_a_round_is_open(app, as_user, demo, paper):  # noqa: F811
    open_round(app, demo, paper)
    viewer = as_user(READER)
    after = newest(app)
    save(as_user(KRONOBERG), paper, "Ändrat under omröstningen.")
    [event] = stream_events(viewer, paper, after, 1, "section-saved")
    header_url = f"{paper['url']}?part=header"
    assert header_url in event["parts"]
    pushed = event["parts"][header_url]
    assert 'id="paper-header"' in pushed and "section-saved" in pushed  # it listens to saves now
    assert without_tokens(pushed) == without_tokens(viewer.hx_get(header_url).text)


def test_the_header_is_shared_by_a_role_even_with_people_who_wrote_comments(app, as_user, demo, paper,  # noqa: F811
                                                                            monkeypatch):
    """Only the section's comment panels differ for their writers: the header is one render
    for the role, the section one for the writer and one for the others."""
    make_thread(app, demo, paper, email=POLITICIAN, body="Min fråga.")
    open_round(app, demo, paper)
    renders = []
    real = live_parts._render
    monkeypatch.setattr(live_parts, "_render", lambda *a: renders.append(a[2]) or real(*a))
    writer, other = as_user(POLITICIAN), as_user("politiker.skane@demo.example")
    after = newest(app)
    save(as_user(KRONOBERG), paper, "Delat huvud.")
    mine = stream_events(writer, paper, after, 1, "section-saved")[0]["parts"]
    theirs = stream_events(other, paper, after, 1, "section-saved")[0]["parts"]
    header_url, section_url = f"{paper['url']}?part=header", f"{paper['url']}/sections/{paper['section']}"
    assert sorted(renders) == sorted([header_url, section_url, section_url])
    assert without_tokens(mine[header_url]) == without_tokens(theirs[header_url])
    assert without_tokens(mine[section_url]) != without_tokens(theirs[section_url])  # her own buttons


def test_a_changed_role_changes_what_the_next_part_shows(app, as_user, demo, paper):  # noqa: F811
    url = f"{paper['url']}/sections/{paper['section']}"
    edit_button = f'hx-get="{url}?edit=1"'
    viewer = as_user(SKANE)
    after = newest(app)
    resp = viewer.get(f"/w/sydsverige/stream?after={after}&paper={paper['id']}", buffered=False)
    chunks = iter(resp.response)
    assert "retry" in next(chunks).decode()  # the stream knows the viewer as an official
    with app.test_request_context(method="POST"):
        from workspace.workspaces import services as workspaces
        from workspace.workspaces.models import Membership

        m = db.session.scalar(select(Membership).where(Membership.user_id == demo.user(SKANE).id,
                                                       Membership.workspace_id == demo.workspace("sydsverige").id))
        workspaces.change_role(demo.user("kansli@demo.example"), m, "reader", None)
        db.session.commit()
    save(as_user(KRONOBERG), paper, "Efter bytet.")
    events = read_events(resp, 2)
    [saved] = [e for e in events if e["verb"] == "section-saved"]
    assert "Efter bytet." in saved["parts"][url] and edit_button not in saved["parts"][url]


def test_parts_only_for_the_paper_the_stream_is_on(app, as_user, demo, paper):  # noqa: F811
    viewer = as_user(READER)
    after = newest(app)
    save(as_user(KRONOBERG), paper, "Någon annanstans.")
    plain = read_events(viewer.get(f"/w/sydsverige/stream?after={after}", buffered=False), 1)
    assert [e for e in plain if e["verb"] == "section-saved"] and all("parts" not in e for e in plain)
    with app.test_request_context(method="POST"):
        other = papers.create_paper(demo.user(SKANE), demo.workspace("sydsverige"), title="Annat")
        db.session.commit()
        other_id = other.id
    elsewhere = read_events(viewer.get(f"/w/sydsverige/stream?after={after}&paper={other_id}", buffered=False), 1)
    assert elsewhere and all("parts" not in e for e in elsewhere)


def test_bad_or_foreign_paper_is_refused(app, as_user, demo, paper):  # noqa: F811
    c = as_user(READER)
    assert c.get("/w/sydsverige/stream?paper=abc", buffered=False).status_code == 400
    assert c.get("/w/sydsverige/stream?paper=-3", buffered=False).status_code == 400
    assert c.get("/w/sydsverige/stream?paper=999999", buffered=False).status_code == 404
    with app.test_request_context(method="POST"):
        foreign = papers.create_paper(demo.user("tjansteman.ystad@demo.example"), demo.workspace("sosk"),
                                      title="Sörmlands papper")
        db.session.commit()
        foreign_id = foreign.id
    assert c.get(f"/w/sydsverige/stream?paper={foreign_id}", buffered=False).status_code == 404
    outsider = as_user("tjansteman.ystad@demo.example")  # not a member of sydsverige
    assert outsider.get(f"/w/sydsverige/stream?paper={paper['id']}", buffered=False).status_code == 404


def test_a_part_that_fails_to_render_is_left_to_the_page_to_fetch(app, as_user, demo, paper,  # noqa: F811
                                                                   monkeypatch):
    def broken(*a):
        raise RuntimeError("boom")

    monkeypatch.setattr(live_parts, "_render", broken)
    viewer = as_user(READER)
    after = newest(app)
    save(as_user(KRONOBERG), paper, "Ändå framme.")
    [event] = stream_events(viewer, paper, after, 1, "section-saved")
    assert "parts" not in event and event["payload"]["section_id"] == paper["section"]


def test_the_header_and_the_stream_agree_on_when_it_listens_to_saves():
    class Round:
        is_open = True

    assert "section-saved" not in live_parts.header_live_verbs(None).split()
    assert "section-saved" in live_parts.header_live_verbs({"round": Round()}).split()
    Round.is_open = False
    assert "section-saved" not in live_parts.header_live_verbs({"round": Round()}).split()
