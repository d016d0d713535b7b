import pytest
from sqlalchemy import select

from workspace.comments import services as comments
from workspace.comments.models import CommentThread, Suggestion
from workspace.db import db
from workspace.notifications.models import Notification
from workspace.papers import services as papers
from workspace.papers.models import Paper, Section

SKANE = "tjansteman.skane@demo.example"
POLITICIAN = "politiker.halland@demo.example"  # Maria Nilsson
READER = "lasare@demo.example"
YSTAD = "tjansteman.ystad@demo.example"
P = "/w/sydsverige/papers"
TEXT = "<p>Regionerna vill ha nya stambanor.</p><p>Godset ska gå på järnväg.</p>"


@pytest.fixture
def paper(app, demo):
    with app.test_request_context(method="POST"):
        p = papers.create_paper(demo.user(SKANE), demo.workspace("sydsverige"), title="Godsstråk",
                                sections=[("Bakgrund", TEXT)])
        db.session.commit()
        s = p.live_sections[0]
        return {"id": p.id, "section": s.id, "base": s.current_revision_id,
                "url": f"{P}/{p.id}", "threads": f"{P}/{p.id}/sections/{s.id}/comments"}


def make_thread(app, demo, paper, email=POLITICIAN, body="En fråga.", quote=None):
    with app.test_request_context(method="POST"):
        t = comments.start_thread(demo.user(email), db.session.get(Section, paper["section"]), body, quote)
        db.session.commit()
        return t.id, t.comments[0].id


def test_panel_as_page_and_fragment_and_on_the_paper(app, as_user, demo, paper):
    make_thread(app, demo, paper, quote="Godset ska gå")
    c = as_user(READER)
    page = c.get(paper["threads"])
    assert page.status_code == 200 and "<html" in page.text and "En fråga." in page.text
    frag = c.hx_get(paper["threads"])
    assert frag.status_code == 200 and "<html" not in frag.text and "1 öppen" in frag.text
    assert "HX-Request" in frag.headers["Vary"]
    assert "Inga lösta kommentarer" in c.hx_get(paper["threads"] + "?status=resolved").text
    detail = c.get(paper["url"]).text
    assert "Gäller stycke 2" in detail and 'class="commented"' in detail and "1 öppen" in detail


def test_comment_reply_and_resolve_over_htmx(app, as_user, demo, paper):
    c = as_user(READER)
    resp = c.post(paper["threads"], {"body": "Vad menas med **gods**?", "quote": "Godset ska gå på järnväg", "block": "1"},
                  htmx=True)
    assert resp.status_code == 200 and "<strong>gods</strong>" in resp.text and "Kommentaren är publicerad" in resp.text
    with app.app_context():
        t = db.session.scalar(select(CommentThread).where(CommentThread.section_id == paper["section"]))
        assert t.anchor_index == 1
        tid = t.id
    official = as_user(SKANE)
    resp = official.post(f"{paper['url']}/threads/{tid}/replies", {"body": "Godstrafik, @Leo Läsare."}, htmx=True)
    assert resp.status_code == 200 and "Godstrafik" in resp.text
    with app.app_context():
        assert db.session.scalar(select(Notification.kind).where(
            Notification.user_id == demo.user(READER).id).order_by(Notification.id.desc())) == "mention"
    assert c.post(f"{paper['url']}/threads/{tid}/resolve", {}, htmx=True).status_code == 200  # its author
    assert "0 öppna" in c.hx_get(paper["threads"]).text
    assert as_user(POLITICIAN).post(f"{paper['url']}/threads/{tid}/reopen", {}).status_code == 403
    resp = official.post(f"{paper['url']}/threads/{tid}/reopen", {})  # a plain form: back to the page
    assert resp.status_code == 303 and f"#thread-{tid}" not in resp.headers["Location"]


@pytest.mark.parametrize("form,message", [
    ({"body": ""}, "Skriv en kommentar"),
    ({"body": "   "}, "Skriv en kommentar"),
    ({"body": "x" * 5001}, "för lång"),
    ({"body": "y" * 60_000}, "för lång"),
    ({"body": "Min text finns kvar.", "quote": "Detta står inte i texten"}, "finns inte"),
])
def test_bad_comments_are_422_with_the_text_kept(app, as_user, paper, form, message):
    c = as_user(READER)
    resp = c.post(paper["threads"], form, htmx=True)
    assert resp.status_code == 422 and message in resp.text
    assert 'aria-invalid="true"' in resp.text
    if form["body"].strip():
        assert form["body"][:100] in resp.text
    with app.app_context():
        assert db.session.scalar(select(CommentThread).where(CommentThread.section_id == paper["section"])) is None


def test_bad_reply_and_edit_are_422(app, as_user, demo, paper):
    tid, cid = make_thread(app, demo, paper)
    c = as_user(POLITICIAN)
    resp = c.post(f"{paper['url']}/threads/{tid}/replies", {"body": ""}, htmx=True)
    assert resp.status_code == 422 and "Skriv en kommentar" in resp.text
    resp = c.post(f"{paper['url']}/comments/{cid}/edit", {"body": "z" * 5001}, htmx=True)
    assert resp.status_code == 422 and "för lång" in resp.text and "z" * 100 in resp.text


def test_edit_and_delete_only_own_comment(app, as_user, demo, paper):
    tid, cid = make_thread(app, demo, paper)
    other = as_user(SKANE)
    assert other.get(f"{paper['url']}/comments/{cid}/edit").status_code == 403
    assert other.post(f"{paper['url']}/comments/{cid}/edit", {"body": "Kapat"}).status_code == 403
    assert other.post(f"{paper['url']}/comments/{cid}/delete", {}).status_code == 403
    other.post(f"{paper['url']}/threads/{tid}/replies", {"body": "Svaret står kvar."}, htmx=True)
    me = as_user(POLITICIAN)
    form = me.hx_get(f"{paper['url']}/comments/{cid}/edit")
    assert form.status_code == 200 and "En fråga." in form.text and "Spara ändringen" in form.text
    resp = me.post(f"{paper['url']}/comments/{cid}/edit", {"body": "En bättre fråga."}, htmx=True)
    assert "En bättre fråga." in resp.text and "ändrad" in resp.text
    resp = me.post(f"{paper['url']}/comments/{cid}/delete", {}, htmx=True)
    assert "Kommentaren är borttagen." in resp.text and "Svaret står kvar." in resp.text
    assert me.get(f"{paper['url']}/comments/{cid}/edit").status_code == 403


def test_another_workspaces_thread_is_not_found(app, as_user, demo, paper):
    with app.test_request_context(method="POST"):
        sosk_paper = db.session.scalar(select(Paper).where(Paper.workspace_id == demo.workspace("sosk").id))
        t = comments.start_thread(demo.user(YSTAD), sosk_paper.live_sections[0], "Hemligt.")
        db.session.commit()
        tid, cid, sosk_url = t.id, t.comments[0].id, f"/w/sosk/papers/{sosk_paper.id}"
        sosk_section = sosk_paper.live_sections[0].id
    c = as_user(SKANE)
    # through a paper of one's own workspace …
    assert c.post(f"{paper['url']}/threads/{tid}/replies", {"body": "Hej"}).status_code == 404
    assert c.get(f"{paper['url']}/comments/{cid}/edit").status_code == 404
    # … and directly
    for resp in (c.post(f"{sosk_url}/threads/{tid}/replies", {"body": "Hej"}),
                 c.get(f"{sosk_url}/sections/{sosk_section}/comments")):
        assert resp.status_code == 404 and "Hemligt" not in resp.text


def test_reply_without_csrf_is_refused(app, as_user, demo, paper):
    tid, _cid = make_thread(app, demo, paper)
    resp = as_user(SKANE).post(f"{paper['url']}/threads/{tid}/replies", {"body": "Hej"}, csrf=False)
    assert resp.status_code == 400
    with app.app_context():
        assert len(db.session.get(CommentThread, tid).comments) == 1


def test_mention_options_are_members_by_name_or_organisation(as_user):
    c = as_user(READER)
    resp = c.hx_get("/w/sydsverige/mentions?q=kronoberg")
    assert resp.status_code == 200 and "Lars Holm" in resp.text and "Johan Ek" in resp.text and 'role="option"' in resp.text
    assert "Ylva Strand" not in c.hx_get("/w/sydsverige/mentions?q=ylva").text
    assert as_user(YSTAD).get("/w/sydsverige/mentions?q=sara").status_code == 404


# --- suggestions ---------------------------------------------------------------------------

def suggest(c, paper, html, reason="Tydligare."):
    return c.post(f"{paper['url']}/sections/{paper['section']}/suggestions/new",
                  {"html": html, "reason": reason, "base_revision_id": str(paper["base"])})


def only_suggestion(app, paper):
    with app.app_context():
        return db.session.scalar(select(Suggestion).where(Suggestion.section_id == paper["section"]))


@pytest.mark.parametrize("html,reason,message", [
    ("<p>Nytt.</p>", "", "Skriv en motivering"),
    ("", "Skäl", "Skriv den text du föreslår"),
    (TEXT, "Skäl", "likadant"),
    ("<p>Nytt.</p>", "x" * 2001, "för lång"),
])
def test_bad_suggestions_are_422_with_the_text_kept(app, as_user, paper, html, reason, message):
    c = as_user(POLITICIAN)
    assert c.get(f"{paper['url']}/sections/{paper['section']}/suggestions/new").status_code == 200
    resp = suggest(c, paper, html, reason)
    assert resp.status_code == 422 and message in resp.text
    if reason.strip() and len(reason) < 100:
        assert reason in resp.text
    assert only_suggestion(app, paper) is None
    resp = c.post(f"{paper['url']}/sections/{paper['section']}/suggestions/new",
                  {"html": "<p>Nytt.</p>", "reason": "Skäl", "base_revision_id": "x"})
    assert resp.status_code == 422


def test_politician_suggests_official_sees_diff_and_accepts(app, as_user, demo, paper):
    maria = as_user(POLITICIAN)
    resp = suggest(maria, paper, TEXT.replace("nya stambanor", "nya stambanor i tid"))
    assert resp.status_code == 303
    sug = only_suggestion(app, paper)
    url = f"{paper['url']}/suggestions/{sug.id}"
    assert "Förslag från Maria Nilsson" in maria.get(paper["url"]).text
    assert maria.post(url + "/accept", {}).status_code == 403
    official = as_user(SKANE)
    page = official.get(url)
    assert page.status_code == 200 and "<ins>stambanor i tid.</ins>" in page.text
    assert "Godta förslaget" in page.text and "Godta förslaget" not in maria.get(url).text
    resp = official.post(url + "/accept", {})
    assert resp.status_code == 303 and resp.headers["Location"].endswith(f"#section-{paper['section']}")
    with app.app_context():
        s = db.session.get(Section, paper["section"])
        assert "i tid" in s.html and s.current_revision.kind == "suggestion"
        assert db.session.scalar(select(Notification.kind).where(Notification.user_id == demo.user(POLITICIAN).id)
                                 .order_by(Notification.id.desc())) == "suggestion_outcome"
    assert "godtaget" in maria.get(url).text
    assert official.post(url + "/accept", {}).status_code == 422  # already decided


def test_accepting_a_conflicting_suggestion_shows_the_conflict_view(app, as_user, demo, paper):
    suggest(as_user(READER), paper, TEXT.replace("nya stambanor", "nya stambanor i tid"))
    sug = only_suggestion(app, paper)
    official = as_user(SKANE)
    official.post(f"{paper['url']}/sections/{paper['section']}",
                  {"html": TEXT.replace("nya stambanor", "snabba stambanor"), "base_revision_id": str(paper["base"])},
                  htmx=True)
    url = f"{paper['url']}/suggestions/{sug.id}"
    resp = official.post(url + "/accept", {})
    assert resp.status_code == 409 and "krockar" in resp.text
    assert "nya stambanor i tid" in resp.text and "snabba stambanor" in resp.text
    assert only_suggestion(app, paper).status == "open"
    with app.app_context():
        current = db.session.get(Section, paper["section"]).current_revision_id
    combined = TEXT.replace("nya stambanor", "snabba stambanor i tid")
    assert official.post(url + "/accept", {"html": combined, "base_revision_id": "x"}).status_code == 422
    resp = official.post(url + "/accept", {"html": combined, "base_revision_id": str(current)})
    assert resp.status_code == 303
    with app.app_context():
        assert db.session.get(Section, paper["section"]).html == combined


def test_reject_needs_a_reason(app, as_user, paper):
    suggest(as_user(READER), paper, "<p>Kort.</p>")
    url = f"{paper['url']}/suggestions/{only_suggestion(app, paper).id}"
    official = as_user(SKANE)
    resp = official.post(url + "/reject", {"reason": ""})
    assert resp.status_code == 422 and "Skriv varför" in resp.text
    assert official.post(url + "/reject", {"reason": "Vi behåller texten."}).status_code == 303
    page = as_user(READER).get(url).text
    assert "avslaget" in page and "Vi behåller texten." in page


# --- notifications -------------------------------------------------------------------------

def test_bell_list_and_mark_read(app, as_user, demo, paper):
    tid, _ = make_thread(app, demo, paper, body="Hej @Sara Lindqvist!")
    c = as_user(SKANE)
    bell = c.hx_get("/notifications/bell").text
    assert 'id="notification-count"' in bell and 'data-live-key="user:' in bell
    page = c.get("/notifications")
    assert page.status_code == 200 and f"#thread-{tid}" in page.text and "Nämnd" in page.text
    with app.app_context():
        nid = db.session.scalar(select(Notification.id).where(Notification.user_id == demo.user(SKANE).id)
                                .order_by(Notification.id.desc()))
    assert as_user(POLITICIAN).post(f"/notifications/{nid}/read", {}).status_code == 404
    resp = c.post(f"/notifications/{nid}/read", {}, htmx=True)
    assert resp.status_code == 200 and 'hx-swap-oob="true"' in resp.text
    assert c.post("/notifications/read", {}).status_code == 303
    assert 'id="notification-count"' not in c.hx_get("/notifications/bell").text
    assert "Inga olästa" in c.hx_get("/notifications?unread=1").text


def test_mail_settings(app, as_user, demo):
    c = as_user(SKANE)
    assert "Daglig sammanfattning" in c.get("/notifications/settings").text
    resp = c.post("/notifications/settings", {"mode-mention": "hourly", "mode-reply": "none"})
    assert resp.status_code == 422 and "Välj ett av alternativen" in resp.text
    form = {"mode-mention": "digest", "mode-reply": "none", "mode-suggestion_outcome": "immediate",
            "mode-approval_round": "immediate"}
    assert c.post("/notifications/settings", form).status_code == 303
    page = c.get("/notifications/settings").text
    assert 'id="mode-mention-digest" name="mode-mention" value="digest" checked' in page
