import pytest
from sqlalchemy import func, select

from workspace.comments import services
from workspace.comments.anchors import locate
from workspace.comments.models import CommentThread, Suggestion
from workspace.comments.sanitize import sanitize_comment
from workspace.db import db
from workspace.events import Event
from workspace.notifications.models import Notification
from workspace.papers import services as papers
from workspace.papers.models import Revision

SKANE = "tjansteman.skane@demo.example"  # Sara Lindqvist
KRONOBERG = "tjansteman.kronoberg@demo.example"  # Lars Holm
POLITICIAN = "politiker.halland@demo.example"  # Maria Nilsson
READER = "lasare@demo.example"
OUTSIDER = "tjansteman.ystad@demo.example"  # Ylva Strand, SÖSK only

TEXT = ("<p>Regionerna vill ha nya stambanor.</p><p>Godset ska gå på järnväg genom Sydsverige.</p>"
        "<ul><li>Södra stambanan</li><li>Kust till kust</li></ul>")


@pytest.fixture
def ws(ctx, demo):
    return demo.workspace("sydsverige")


FLOOR = {"id": 0}  # notifications made by the demo data are not this test's


@pytest.fixture
def section(ws, demo):
    FLOOR["id"] = db.session.scalar(select(func.max(Notification.id))) or 0
    p = papers.create_paper(demo.user(SKANE), ws, title="Godsstråk", sections=[("Bakgrund", TEXT), ("Krav", "<p>Tre.</p>")])
    db.session.flush()
    return p.live_sections[0]


def notes(user, kind=None):
    stmt = select(Notification).where(Notification.user_id == user.id, Notification.id > FLOOR["id"])
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    return list(db.session.scalars(stmt))


def panel_anchor(section, thread):
    panel = services.section_panel(section, thread.status)
    return next(v.anchor for v in panel.threads if v.thread.id == thread.id)


# --- anchors ----------------------------------------------------------------------------

def test_thread_stays_on_its_paragraph_while_others_edit_other_paragraphs(section, demo):
    t = services.start_thread(demo.user(POLITICIAN), section, "Vilka banor?", "Godset ska gå på järnväg")
    assert (t.anchor_index, t.quote) == (1, "Godset ska gå på järnväg")
    kronoberg = demo.user(KRONOBERG)
    # another paragraph changes: still on paragraph 2
    papers.save_section(kronoberg, section, TEXT.replace("nya stambanor", "nya stambanor snart"), section.current_revision_id)
    assert panel_anchor(section, t).index == 1
    # a paragraph is inserted before it: the thread moves with its paragraph
    papers.save_section(kronoberg, section, "<p>Inledning.</p>" + section.html, section.current_revision_id)
    assert panel_anchor(section, t).index == 2
    # its own paragraph is edited around the quote: still attached
    papers.save_section(kronoberg, section, section.html.replace("genom Sydsverige", "genom hela Sydsverige"),
                        section.current_revision_id)
    anchor = panel_anchor(section, t)
    assert anchor.state == "attached" and anchor.index == 2
    assert f'id="section-{section.id}-block-2"' in str(services.section_panel(section).html)


def test_a_thread_whose_passage_is_gone_is_changed_but_never_lost(section, demo):
    t = services.start_thread(demo.user(POLITICIAN), section, "Varför?", "Kust till kust")
    assert t.anchor_index == 3  # list items are blocks of their own
    papers.save_section(demo.user(SKANE), section, TEXT.replace("<li>Kust till kust</li>", ""), section.current_revision_id)
    panel = services.section_panel(section)
    view = next(v for v in panel.threads if v.thread.id == t.id)
    assert view.anchor.state == "changed" and view.thread.quote == "Kust till kust"
    assert panel.open_count == 1


def test_a_repeated_quote_stays_with_the_block_it_was_made_in():
    html = "<p>Vi vill.</p><p>Inget annat.</p><p>Vi vill.</p>"
    assert locate(html, "Vi vill", "Vi vill.", 2).index == 2
    # a block inserted before: followed through the edit, it is still the third "Vi vill"
    assert locate("<p>Ny.</p>" + html, "Vi vill", "Vi vill.", 2, html).index == 3
    assert locate("<p>Ny.</p>" + html.replace("Inget annat", "Annat"), "Vi vill", "Vi vill.", 0, html).index == 1
    assert locate(html, None, None, None).state == "section"


def test_a_quote_must_be_in_the_text(section, demo):
    with pytest.raises(services.CommentError):
        services.start_thread(demo.user(POLITICIAN), section, "Hm.", "Detta står inte där")


def test_a_quote_may_span_two_paragraphs(section, demo):
    t = services.start_thread(demo.user(POLITICIAN), section, "Hm.", "stambanor. Godset ska")
    assert t.anchor_index == 0


# --- comments -----------------------------------------------------------------------------

@pytest.mark.parametrize("body", ["", "   ", "<p> </p>", "<p><script>alert(1)</script></p>", "x" * 5001, "<p>" + "y" * 60_000 + "</p>"])
def test_empty_or_over_long_comments_are_refused(section, demo, body):
    with pytest.raises(services.CommentError):
        services.start_thread(demo.user(READER), section, body)
    assert db.session.scalar(select(CommentThread).where(CommentThread.section_id == section.id)) is None


def test_comment_text_is_cleaned_to_the_small_allow_list():
    html = sanitize_comment('<p>Ok <strong>fet</strong> <a href="javascript:x()">l</a><script>x</script></p>'
                            '<h2>Rubrik</h2><table><tr><td>t</td></tr></table><img src=x onerror=y>')
    assert "<strong>fet</strong>" in html
    for bad in ("<script", "<h2", "<table", "<img", "javascript", "onerror"):
        assert bad not in html
    assert sanitize_comment("a\n\nb **c**\n- x\n- y") == "<p>a</p><p>b <strong>c</strong><br>- x<br>- y</p>"
    assert sanitize_comment("- x\n- y") == "<ul><li>x</li><li>y</li></ul>"


def test_readers_and_politicians_may_comment_and_reply_but_outsiders_not(section, demo):
    t = services.start_thread(demo.user(READER), section, "En fråga.")
    services.reply(demo.user(POLITICIAN), t, "Ett svar.")
    with pytest.raises(PermissionError):
        services.reply(demo.user(OUTSIDER), t, "Hej")
    assert [c.html for c in t.comments] == ["<p>En fråga.</p>", "<p>Ett svar.</p>"]
    verbs = [e.verb for e in db.session.scalars(select(Event).order_by(Event.id))][-2:]
    assert verbs == ["thread-started", "comment-added"]
    ev = db.session.scalars(select(Event).order_by(Event.id.desc())).first()
    assert ev.payload["paper_id"] == section.paper_id and ev.payload["section_id"] == section.id


def test_only_the_author_edits_or_deletes_and_replies_stay(section, demo):
    reader, politician = demo.user(READER), demo.user(POLITICIAN)
    t = services.start_thread(reader, section, "Först.")
    services.reply(politician, t, "Svar.")
    first = t.comments[0]
    with pytest.raises(PermissionError):
        services.edit_comment(politician, first, "Kapat.")
    with pytest.raises(PermissionError):
        services.delete_comment(politician, first)
    services.edit_comment(reader, first, "Först, ändrad.")
    assert first.html == "<p>Först, ändrad.</p>" and first.edited_at is not None
    services.delete_comment(reader, first)
    assert first.deleted_at is not None and first.html == ""
    assert [c.html for c in t.comments] == ["", "<p>Svar.</p>"]
    with pytest.raises(services.CommentError):
        services.edit_comment(reader, first, "Igen")


def test_resolve_and_reopen(section, demo):
    reader, official = demo.user(READER), demo.user(SKANE)
    t = services.start_thread(reader, section, "Klart?")
    with pytest.raises(PermissionError):
        services.resolve_thread(demo.user(POLITICIAN), t)  # neither its author nor a writer
    services.resolve_thread(official, t)
    assert t.status == "resolved" and t.resolved_by_id == official.id
    with pytest.raises(services.CommentError):
        services.resolve_thread(reader, t)
    panel = services.section_panel(section, "resolved")
    assert (panel.open_count, panel.resolved_count, len(panel.threads)) == (0, 1, 1)
    services.resolve_thread(reader, t, resolved=False)
    assert t.status == "open"
    services.resolve_thread(reader, t)
    services.reply(official, t, "Inte riktigt.")  # a reply reopens
    assert t.status == "open"


# --- mentions -------------------------------------------------------------------------------

def test_only_members_of_the_workspace_can_be_mentioned(ws, section, demo):
    names = [u.name for u in services.mentionable(ws, "", limit=100)]
    assert "Sara Lindqvist" in names and "Ylva Strand" not in names
    assert [u.name for u in services.mentionable(ws, "kronob")] == ["Johan Ek", "Lars Holm"]  # by organisation
    assert [u.name for u in services.mentionable(ws, "lars")] == ["Lars Holm"]
    assert services.mentionable(ws, "ylva") == []
    services.start_thread(demo.user(POLITICIAN), section, "@Sara Lindqvist och @Ylva Strand, titta här.")
    assert len(notes(demo.user(SKANE), "mention")) == 1
    assert notes(demo.user(OUTSIDER)) == []


def test_mentions_and_replies_notify_but_never_the_actor(section, demo):
    sara, lars, maria = demo.user(SKANE), demo.user(KRONOBERG), demo.user(POLITICIAN)
    t = services.start_thread(maria, section, "Fråga till @Maria Nilsson själv.")
    assert notes(maria) == []
    services.reply(lars, t, "Svar till dig.")
    assert [n.kind for n in notes(maria)] == ["reply"]
    services.reply(sara, t, "Håller med, @Lars Holm.")
    assert [n.kind for n in notes(lars)] == ["mention"]  # a mention in a reply counts once, as a mention
    assert [n.kind for n in notes(maria)] == ["reply", "reply"]
    ev = db.session.scalars(select(Event).where(Event.verb == "comment-added").order_by(Event.id.desc())).first()
    assert ev.payload["recipient_ids"] == sorted([lars.id, maria.id])


def test_editing_notifies_only_new_mentions(section, demo):
    maria, sara = demo.user(POLITICIAN), demo.user(SKANE)
    t = services.start_thread(maria, section, "Hej @Sara Lindqvist")
    services.edit_comment(maria, t.comments[0], "Hej @Sara Lindqvist, igen")
    assert len(notes(sara, "mention")) == 1
    services.edit_comment(maria, t.comments[0], "Hej @Sara Lindqvist och @Lars Holm")
    assert len(notes(demo.user(KRONOBERG), "mention")) == 1


# --- suggestions --------------------------------------------------------------------------------

def test_accepting_a_suggestion_merges_with_later_edits_elsewhere(section, demo):
    maria, sara, lars = demo.user(POLITICIAN), demo.user(SKANE), demo.user(KRONOBERG)
    base = section.current_revision_id
    sug = services.make_suggestion(maria, section, TEXT.replace("nya stambanor", "nya stambanor i tid"), "Tydligare.", base)
    papers.save_section(lars, section, TEXT.replace("på järnväg", "på räls"), base)  # another paragraph
    preview = services.preview_suggestion(sug)
    assert preview.status == "clean" and "i tid" in str(preview.diff)
    with pytest.raises(PermissionError):
        services.accept_suggestion(maria, sug)  # politicians propose, writers decide
    result = services.accept_suggestion(sara, sug)
    assert result.status == "merged"
    assert "i tid" in section.html and "på räls" in section.html
    rev = db.session.get(Revision, section.current_revision_id)
    assert rev.kind == "suggestion" and "Maria Nilsson" in rev.note
    assert sug.status == "accepted" and sug.revision_id == rev.id
    assert [n.kind for n in notes(maria)] == ["suggestion_outcome"]
    with pytest.raises(services.CommentError):
        services.accept_suggestion(sara, sug)


def test_accepting_a_suggestion_on_a_paragraph_edited_since_is_a_conflict(section, demo):
    maria, sara, lars = demo.user(POLITICIAN), demo.user(SKANE), demo.user(KRONOBERG)
    base = section.current_revision_id
    sug = services.make_suggestion(maria, section, TEXT.replace("nya stambanor", "nya stambanor i tid"), "Tydligare.", base)
    papers.save_section(lars, section, TEXT.replace("nya stambanor", "nya höghastighetsbanor"), base)
    before = section.revision_count
    assert services.preview_suggestion(sug).status == "conflict"
    result = services.accept_suggestion(sara, sug)
    assert result.status == "conflict" and result.conflict.conflicts
    assert section.revision_count == before and sug.status == "open"
    # the writer combines both and accepts on top of the current text
    combined = TEXT.replace("nya stambanor", "nya höghastighetsbanor i tid")
    result = services.accept_suggestion(sara, sug, combined, section.current_revision_id)
    assert result.status == "saved" and section.html == combined and sug.status == "accepted"


def test_rejecting_needs_a_reason_and_tells_the_author(section, demo):
    maria, sara = demo.user(READER), demo.user(SKANE)
    sug = services.make_suggestion(maria, section, "<p>Allt nytt.</p>", "Kortare.", section.current_revision_id)
    with pytest.raises(services.CommentError):
        services.reject_suggestion(sara, sug, "  ")
    services.reject_suggestion(sara, sug, "Vi behåller listan.")
    assert sug.status == "rejected" and sug.decision_reason == "Vi behåller listan."
    assert [n.kind for n in notes(maria)] == ["suggestion_outcome"]


@pytest.mark.parametrize("html,reason", [("", "Skäl"), ("<p> </p>", "Skäl"), (TEXT, "Skäl"), ("<p>Ny</p>", ""),
                                         ("<p>Ny</p>", "x" * 2001), ("<p>" + "x" * 400_001 + "</p>", "Skäl")])
def test_bad_suggestions_are_refused(section, demo, html, reason):
    with pytest.raises(services.CommentError):
        services.make_suggestion(demo.user(READER), section, html, reason, section.current_revision_id)
    assert db.session.scalar(select(Suggestion).where(Suggestion.section_id == section.id)) is None
