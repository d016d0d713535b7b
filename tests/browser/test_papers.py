"""Two officials write one paper at the same time in two browsers; nobody loses a word."""
import io

from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import axe_check
from tests.docx_factory import position_paper_docx
from workspace.db import db
from workspace.papers import services
from workspace.papers.models import Paper

SKANE = "tjansteman.skane@demo.example"
KRONOBERG = "tjansteman.kronoberg@demo.example"


def make_paper(app, demo) -> tuple[int, list[int]]:
    with app.test_request_context(method="POST"):
        p = services.create_paper(demo.user(SKANE), demo.workspace("sydsverige"), title="Godsstråk i Sydsverige",
                                  sections=[("Bakgrund", "<p>Bakgrundstext.</p>"),
                                            ("Ställningstagande", "<p>Vi anser att godset ska på järnväg.</p>")])
        db.session.commit()
        return p.id, [s.id for s in p.live_sections]


def open_editor(page, section_id: int):
    page.click(f"#section-{section_id} .section-tools button:has-text('Redigera')")
    page.wait_for_selector(f"#section-{section_id} .ql-editor")


def type_at_end(page, section_id: int, text: str):
    editor = page.locator(f"#section-{section_id} .ql-editor")
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.type(text)


def save(page, section_id: int):
    page.click(f"#section-{section_id} button:has-text('Spara')")


def test_two_officials_edit_different_sections_and_both_texts_survive(app, demo, pages):
    paper_id, (s1, s2) = make_paper(app, demo)
    url = f"/w/sydsverige/papers/{paper_id}"
    a, b = pages.new(SKANE), pages.new(KRONOBERG)
    a.goto(url)
    b.goto(url)
    axe_check(a)
    open_editor(a, s1)
    open_editor(b, s2)
    axe_check(a)
    type_at_end(a, s1, " Skåne lägger till.")
    type_at_end(b, s2, " Kronoberg lägger till.")
    save(a, s1)
    save(b, s2)
    expect(a.locator(f"#section-{s1} > .section-text")).to_contain_text("Skåne lägger till.")
    expect(b.locator(f"#section-{s2} > .section-text")).to_contain_text("Kronoberg lägger till.")
    # each sees the other's save without reloading
    expect(a.locator(f"#section-{s2} > .section-text")).to_contain_text("Kronoberg lägger till.", timeout=3000)
    expect(b.locator(f"#section-{s1} > .section-text")).to_contain_text("Skåne lägger till.", timeout=3000)


def add_section_as(app, demo, email: str, paper_id: int, title: str) -> None:
    with app.test_request_context(method="POST"):
        services.add_section(demo.user(email), db.session.get(Paper, paper_id), title)
        db.session.commit()


def test_another_persons_save_refreshes_only_that_section(app, demo, pages):
    """A live refresh is the region's own: it must not reload the regions around it (the
    whole section list), which would race saves made inside them. The saved section comes
    with the event (papers/live_parts.py): the page fetches nothing for it."""
    paper_id, (s1, s2) = make_paper(app, demo)
    url = f"/w/sydsverige/papers/{paper_id}"
    a, b = pages.new(SKANE), pages.new(KRONOBERG)
    a.goto(url)
    b.goto(url)
    expect(b.locator("#live-connection")).to_be_attached()
    b.wait_for_timeout(300)  # the stream is open
    seen: list[str] = []
    b.on("request", lambda r: seen.append(r.url))
    open_editor(a, s1)
    type_at_end(a, s1, " Skåne lägger till.")
    save(a, s1)
    expect(b.locator(f"#section-{s1} > .section-text")).to_contain_text("Skåne lägger till.", timeout=5000)
    b.wait_for_timeout(500)
    assert not [u for u in seen if "part=sections" in u or "/sections/" in u], seen
    # The pushed section works as a fetched one would: htmx handles its buttons.
    open_editor(b, s1)
    expect(b.locator(f"#section-{s1} .ql-editor")).to_contain_text("Skåne lägger till.")


def test_a_late_refresh_never_replaces_an_open_editor_and_catches_up_after_the_save(app, demo, pages):
    paper_id, (s1, _s2) = make_paper(app, demo)
    url = f"/w/sydsverige/papers/{paper_id}"
    b = pages.new(KRONOBERG)
    b.goto(url)
    expect(b.locator("#live-connection")).to_be_attached()
    b.wait_for_timeout(300)
    # Hold back Kronoberg's refresh of the section list, as a slow network would.
    held = []

    def slow(route):
        held.append(route.request.url)
        b.wait_for_timeout(1500)
        route.continue_()

    b.route("**/papers/*?part=sections", slow)
    add_section_as(app, demo, SKANE, paper_id, "Finansiering")
    b.wait_for_function("() => document.querySelector('#paper-sections.htmx-request') !== null", timeout=5000)
    open_editor(b, s1)  # while the refresh is on its way
    type_at_end(b, s1, " Kronoberg skriver.")
    b.wait_for_timeout(2000)  # the held refresh has arrived and been refused
    assert held
    expect(b.locator(f"#section-{s1} .ql-editor")).to_contain_text("Kronoberg skriver.")
    expect(b.locator(".section-title", has_text="Finansiering")).to_have_count(0)
    b.unroute("**/papers/*?part=sections")
    save(b, s1)
    expect(b.locator(f"#section-{s1} > .section-text")).to_contain_text("Kronoberg skriver.")
    # Free again: the list catches up with the section added meanwhile, and keeps the save.
    expect(b.locator("#section-list .section-title", has_text="Finansiering")).to_have_count(1, timeout=5000)
    expect(b.locator(f"#section-{s1} > .section-text")).to_contain_text("Kronoberg skriver.")


def test_same_section_same_paragraph_gives_the_conflict_view_and_nothing_is_lost(app, demo, pages):
    paper_id, (s1, _s2) = make_paper(app, demo)
    url = f"/w/sydsverige/papers/{paper_id}"
    a, b = pages.new(SKANE), pages.new(KRONOBERG)
    a.goto(url)
    b.goto(url)
    open_editor(a, s1)
    open_editor(b, s1)
    type_at_end(a, s1, " Enligt Skåne.")
    type_at_end(b, s1, " Enligt Kronoberg.")
    save(a, s1)
    expect(a.locator(f"#section-{s1} > .section-text")).to_contain_text("Enligt Skåne.")
    # Kronoberg is told while still editing
    expect(b.locator(f"#section-{s1} .live-notice")).to_contain_text("Sara Lindqvist sparade nyss", timeout=5000)
    save(b, s1)
    conflict = b.locator(f"#section-{s1}.conflict")
    expect(conflict).to_contain_text("Enligt Skåne.")
    expect(conflict).to_contain_text("Enligt Kronoberg.")
    axe_check(b)
    b.click(f"#section-{s1} button:has-text('Använd min text')")
    expect(b.locator(f"#section-{s1} > .section-text")).to_contain_text("Enligt Kronoberg.")
    with app.app_context():
        p = db.session.get(Paper, paper_id)
        texts = [r.html for r in services.section_history(p.live_sections[0])]
    assert any("Enligt Skåne." in t for t in texts) and any("Enligt Kronoberg." in t for t in texts)


def test_unsaved_text_survives_a_reload(app, demo, pages):
    paper_id, (s1, _s2) = make_paper(app, demo)
    page = pages.new(SKANE)
    page.goto(f"/w/sydsverige/papers/{paper_id}")
    open_editor(page, s1)
    type_at_end(page, s1, " Osparad mening.")
    page.evaluate("window.onbeforeunload = null")
    page.once("dialog", lambda d: d.accept())
    page.reload()
    open_editor(page, s1)
    expect(page.locator(f"#section-{s1} .ql-editor")).to_contain_text("Osparad mening.")
    expect(page.locator(f"#section-{s1} .draft-notice")).to_be_visible()


def test_restore_from_history(app, demo, pages):
    paper_id, (s1, _s2) = make_paper(app, demo)
    page = pages.new(SKANE)
    page.goto(f"/w/sydsverige/papers/{paper_id}")
    open_editor(page, s1)
    page.locator(f"#section-{s1} .ql-editor").fill("Helt ny text.")
    save(page, s1)
    expect(page.locator(f"#section-{s1} > .section-text")).to_contain_text("Helt ny text.")
    page.goto(f"/w/sydsverige/papers/{paper_id}/sections/{s1}/history")
    axe_check(page)
    expect(page.locator("#diff")).to_contain_text("Helt ny text.")
    page.click("tr:has-text('Skapat') button:has-text('Återställ')")
    page.wait_for_url(f"**/papers/{paper_id}#section-{s1}")
    expect(page.locator(f"#section-{s1} > .section-text")).to_contain_text("Bakgrundstext.")


def test_keyboard_reorder_and_announcement(app, demo, pages):
    paper_id, (s1, s2) = make_paper(app, demo)
    page = pages.new(SKANE)
    page.goto(f"/w/sydsverige/papers/{paper_id}")
    page.locator(f"#section-{s1} button[data-move=down]").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#sections-announcement")).to_contain_text("nu avsnitt 2 av 2")
    titles = page.locator(".section-title").all_inner_texts()
    assert titles[:2] == ["Ställningstagande", "Bakgrund"]
    focused = f"document.activeElement.closest('#section-{s1}') !== null && document.activeElement.dataset.move"

    def focus_stays_on_the_move_button():
        for _ in range(30):  # a live refresh may be swapping in just now
            if page.evaluate(focused) in ("up", "down"):
                return
            page.wait_for_timeout(100)
        assert page.evaluate(focused) in ("up", "down")

    focus_stays_on_the_move_button()
    # A live refresh of the list (this move's own event coming back over the stream, or
    # someone else's change) replaces the button under the keyboard: focus must stay on it.
    with page.expect_response(lambda r: "part=sections" in r.url):
        page.evaluate("SamverkanLive.refresh(document.getElementById('paper-sections'), {})")
    focus_stays_on_the_move_button()
    axe_check(page)


def test_drag_and_drop_reorders(app, demo, pages):
    paper_id, (s1, s2) = make_paper(app, demo)
    page = pages.new(SKANE)
    page.goto(f"/w/sydsverige/papers/{paper_id}")
    page.locator(f"#section-{s2} .drag-handle").drag_to(page.locator(f"#section-{s1} .section-title"))
    expect(page.locator("#sections-announcement")).to_contain_text("Ordningen är sparad")
    # The move's own event comes back over the stream and refreshes the list: what the status
    # line said stays. A refresh is asked for here too; whichever live refresh replaces the list
    # (this one, or the stream's if it comes later, or the catch-up if the list was busy), the
    # line must survive it. (Waiting for this one's request raced the stream's on a fast host.)
    page.evaluate("var list = document.getElementById('paper-sections');"
                  "list.setAttribute('data-before-refresh', '1'); SamverkanLive.refresh(list, {})")
    expect(page.locator("#paper-sections")).to_have_count(1)
    expect(page.locator("#paper-sections[data-before-refresh]")).to_have_count(0, timeout=10_000)  # replaced
    page.wait_for_timeout(100)
    expect(page.locator("#sections-announcement")).to_contain_text("Ordningen är sparad")
    with app.app_context():
        assert [s.id for s in db.session.get(Paper, paper_id).live_sections] == [s2, s1]


def test_import_a_word_file(app, demo, pages, tmp_path):
    path = tmp_path / "gods.docx"
    path.write_bytes(position_paper_docx("Importerat godspapper"))
    page = pages.new(SKANE)
    page.goto("/w/sydsverige/papers/import")
    axe_check(page)
    page.set_input_files("#file", str(path))
    page.click("main button:has-text('Förhandsgranska')")
    expect(page.locator(".import-preview")).to_contain_text("Ställningstagande")
    axe_check(page)
    page.click("main button:has-text('Skapa papperet')")
    page.wait_for_url("**/papers/*")
    assert page.inner_text("h1") == "Importerat godspapper"
    expect(page.locator(".section-title")).to_have_count(2)
    with app.app_context():
        assert db.session.scalar(select(Paper).where(Paper.title == "Importerat godspapper")) is not None


def test_paper_list_filters_as_you_type(app, demo, pages):
    make_paper(app, demo)
    page = pages.new("lasare@demo.example")
    page.goto("/w/sydsverige/papers")
    axe_check(page)
    page.fill("#filter-q", "godsstråk")
    expect(page.locator("#paper-results tbody tr")).to_have_count(1)
    assert "q=godsstr" in page.url
