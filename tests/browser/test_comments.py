"""Comments in two browsers: quote a passage, reply from the other, resolve; suggestions."""
from playwright.sync_api import expect

from tests.browser.conftest import axe_check, requests_of, save_section_as
from workspace.db import db
from workspace.papers import services
from workspace.papers.models import Section

SKANE = "tjansteman.skane@demo.example"  # Sara Lindqvist, official
POLITICIAN = "politiker.halland@demo.example"  # Maria Nilsson


def make_paper(app, demo) -> tuple[int, int]:
    with app.test_request_context(method="POST"):
        p = services.create_paper(demo.user(SKANE), demo.workspace("sydsverige"), title="Kollektivtrafik över länsgränser",
                                  sections=[("Bakgrund", "<p>Resandet ökar i hela Sydsverige.</p>"
                                                         "<p>Tågen mellan regionerna behöver fler avgångar.</p>")])
        db.session.commit()
        return p.id, p.live_sections[0].id


def select_text(page, section_id: int, text: str):
    """Select `text` in the section as a mouse would, and let go of the button."""
    page.evaluate("""([sid, text]) => {
        const root = document.querySelector(`#section-${sid} > .section-text`);
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        let node;
        while ((node = walker.nextNode())) {
          const at = node.data.indexOf(text);
          if (at >= 0) {
            const range = document.createRange();
            range.setStart(node, at);
            range.setEnd(node, at + text.length);
            const sel = window.getSelection();
            sel.removeAllRanges();
            sel.addRange(range);
            root.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
            return;
          }
        }
        throw new Error("text not found");
    }""", [section_id, text])


def test_quote_a_passage_comment_reply_from_another_browser_and_resolve(app, demo, pages):
    paper_id, sid = make_paper(app, demo)
    url = f"/w/sydsverige/papers/{paper_id}"
    maria, sara = pages.new(POLITICIAN), pages.new(SKANE)
    maria.goto(url)
    sara.goto(url)
    # The demo may already have told Maria something (an approval round): count from here.
    unread_before = int(maria.locator("#notification-count").inner_text().split()[0] or 0) \
        if maria.locator("#notification-count").count() else 0
    panel_m, panel_s = maria.locator(f"#section-{sid}-threads"), sara.locator(f"#section-{sid}-threads")
    expect(panel_m.locator(".open-count")).to_have_text("0 öppna")
    select_text(maria, sid, "fler avgångar")
    maria.click(".quote-button")
    expect(maria.locator(f"#quote-{sid}")).to_have_value("fler avgångar")
    expect(maria.locator(f"#new-comment-{sid}")).to_be_focused()
    maria.keyboard.type("Hur många fler avgångar menar vi?")
    axe_check(maria)
    maria.click(f"#section-{sid}-threads button:has-text('Publicera kommentaren')")
    thread = panel_m.locator(".thread")
    expect(thread).to_contain_text("Gäller stycke 2")
    expect(thread).to_contain_text("Hur många fler avgångar menar vi?")
    expect(maria.locator(f"#section-{sid} .section-text p.commented")).to_contain_text("fler avgångar")
    # Sara sees it without reloading and answers
    expect(panel_s.locator(".thread")).to_contain_text("Hur många fler avgångar menar vi?", timeout=5000)
    expect(panel_s.locator(".open-count")).to_have_text("1 öppen")
    panel_s.locator(".thread summary:has-text('Svara')").click()
    sara.locator(f"#section-{sid}-threads .reply-form textarea").fill("Minst en i timmen.")
    sara.click(f"#section-{sid}-threads button:has-text('Skicka svaret')")
    expect(panel_s.locator(".thread")).to_contain_text("Minst en i timmen.")
    # Maria sees the reply and her bell counts it, live
    expect(panel_m.locator(".thread")).to_contain_text("Minst en i timmen.", timeout=5000)
    expect(maria.locator("#notification-count")).to_contain_text(f"{unread_before + 1} oläst", timeout=5000)
    axe_check(maria)
    maria.click(f"#section-{sid}-threads button:has-text('Markera som löst')")
    expect(panel_m.locator(".open-count")).to_have_text("0 öppna")
    expect(panel_s.locator(".open-count")).to_have_text("0 öppna", timeout=5000)
    maria.wait_for_timeout(500)  # let her own live refresh land first
    panel_m.locator("a:has-text('Lösta (1)')").click()
    expect(panel_m.locator(".thread.resolved")).to_contain_text("Löst av Maria Nilsson")
    # the notification leads to the exact thread
    maria.goto("/notifications")
    axe_check(maria)
    maria.click("a.notification-link")
    maria.wait_for_url(f"**/papers/{paper_id}#thread-*")


def test_typing_a_reply_survives_someone_elses_comment(app, demo, pages):
    paper_id, sid = make_paper(app, demo)
    url = f"/w/sydsverige/papers/{paper_id}"
    maria, sara = pages.new(POLITICIAN), pages.new(SKANE)
    maria.goto(url)
    sara.goto(url)
    maria.locator(f"#section-{sid}-threads summary:has-text('Kommentera')").click()
    maria.locator(f"#new-comment-{sid}").fill("Halvskriven tanke")
    sara.locator(f"#section-{sid}-threads summary:has-text('Kommentera')").click()
    sara.locator(f"#new-comment-{sid}").fill("Sara kommenterar först.")
    sara.click(f"#section-{sid}-threads button:has-text('Publicera kommentaren')")
    expect(maria.locator(f"#section-{sid}-threads .thread")).to_contain_text("Sara kommenterar först.", timeout=5000)
    expect(maria.locator(f"#new-comment-{sid}")).to_have_value("Halvskriven tanke")


def test_typing_a_comment_survives_a_save_of_its_section(app, demo, pages):
    """The saved section comes with the event and replaces the one on the page, comment panel
    and all: what is being typed in the panel, and the keyboard focus, stay."""
    paper_id, sid = make_paper(app, demo)
    maria = pages.new(POLITICIAN)
    maria.goto(f"/w/sydsverige/papers/{paper_id}")
    expect(maria.locator("#live-connection")).to_be_attached()
    maria.wait_for_timeout(300)  # the stream is open
    maria.locator(f"#section-{sid}-threads summary:has-text('Kommentera')").click()
    box = maria.locator(f"#new-comment-{sid}")
    box.fill("Halvskriven tanke")
    requests = requests_of(maria)
    save_section_as(app, demo, SKANE, sid, "<p>Resandet ökar kraftigt.</p>")
    expect(maria.locator(f"#section-{sid} > .section-text")).to_contain_text("Resandet ökar kraftigt.",
                                                                            timeout=5000)
    assert not [u for u in requests if f"/sections/{sid}" in u], requests  # it came with the event
    expect(box).to_have_value("Halvskriven tanke")
    expect(box).to_be_focused()


def test_mention_autocomplete_by_keyboard(app, demo, pages):
    paper_id, sid = make_paper(app, demo)
    page = pages.new(POLITICIAN)
    page.goto(f"/w/sydsverige/papers/{paper_id}")
    page.locator(f"#section-{sid}-threads summary:has-text('Kommentera')").click()
    box = page.locator(f"#new-comment-{sid}")
    box.click()
    page.keyboard.type("Fråga till @Kronob")
    options = page.locator(f"#new-comment-{sid}-mentions [role=option]")
    expect(options).to_have_count(2)  # by organisation: Johan Ek and Lars Holm
    axe_check(page)
    page.keyboard.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", options.nth(1).get_attribute("id"))
    page.keyboard.press("Enter")
    expect(box).to_have_value("Fråga till @Lars Holm ")
    page.keyboard.type("om tågen.")
    page.click(f"#section-{sid}-threads button:has-text('Publicera kommentaren')")
    expect(page.locator(f"#section-{sid}-threads .thread")).to_contain_text("@Lars Holm om tågen.")


def test_politician_suggests_and_official_accepts(app, demo, pages):
    paper_id, sid = make_paper(app, demo)
    url = f"/w/sydsverige/papers/{paper_id}"
    maria = pages.new(POLITICIAN)
    maria.goto(url)
    maria.click(f"#section-{sid}-threads a:has-text('Föreslå ändring')")
    editor = maria.locator(".ql-editor")
    expect(editor).to_contain_text("fler avgångar")
    editor.click()
    maria.keyboard.press("Control+End")
    maria.keyboard.type(" Nattåg behövs också.")
    maria.fill("#suggestion-reason", "Pendlare arbetar skift.")
    axe_check(maria)
    maria.click("button:has-text('Skicka förslaget')")
    maria.wait_for_url(f"**/papers/{paper_id}#section-{sid}")
    expect(maria.locator(".flash")).to_contain_text("Ändringsförslaget är skickat")
    sara = pages.new(SKANE)
    sara.goto(url)
    sara.click(f"#section-{sid}-threads a:has-text('Förslag från Maria Nilsson')")
    expect(sara.locator("#suggestion-diff .diff-changed ins")).to_contain_text("Nattåg behövs också.")
    axe_check(sara)
    sara.click("button:has-text('Godta förslaget')")
    sara.wait_for_url(f"**/papers/{paper_id}#section-{sid}")
    expect(sara.locator(f"#section-{sid} > .section-text")).to_contain_text("Nattåg behövs också.")
    expect(sara.locator(".flash")).to_contain_text("godtaget")
    with app.app_context():
        assert db.session.get(Section, sid).current_revision.kind == "suggestion"
    maria.goto("/notifications")
    expect(maria.locator(".notification").first).to_contain_text("godtog ett ändringsförslag")


def test_comment_page_without_javascript_and_mail_settings_are_accessible(app, demo, pages):
    paper_id, sid = make_paper(app, demo)
    page = pages.new(POLITICIAN)
    page.goto(f"/w/sydsverige/papers/{paper_id}/sections/{sid}/comments")
    page.locator("summary:has-text('Kommentera')").click()
    page.fill(f"#new-comment-{sid}", "")
    page.click("button:has-text('Publicera kommentaren')")
    expect(page.locator(f"#new-comment-{sid}-error")).to_contain_text("Skriv en kommentar")
    axe_check(page)
    page.goto("/notifications/settings")
    page.check("#mode-mention-digest")
    page.click("main button[type=submit]")
    expect(page.locator(".flash")).to_contain_text("sparade")
    expect(page.locator("#mode-mention-digest")).to_be_checked()
    axe_check(page)
