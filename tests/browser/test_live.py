"""Live updates between two browsers: saves arrive without reloading, presence comes and goes."""
import time

from playwright.sync_api import expect

from workspace.db import db
from workspace.papers import services

SKANE = "tjansteman.skane@demo.example"
KRONOBERG = "tjansteman.kronoberg@demo.example"


def make_paper(app, demo) -> tuple[int, int]:
    with app.test_request_context(method="POST"):
        p = services.create_paper(demo.user(SKANE), demo.workspace("sydsverige"), title="Kollektivtrafik över länsgräns",
                                  sections=[("Bakgrund", "<p>Start.</p>")])
        db.session.commit()
        return p.id, p.live_sections[0].id


def test_a_save_appears_for_the_other_within_a_second(app, demo, pages):
    paper_id, sid = make_paper(app, demo)
    url = f"/w/sydsverige/papers/{paper_id}"
    viewer, writer = pages.new(KRONOBERG), pages.new(SKANE)
    viewer.goto(url)
    viewer.wait_for_function("document.getElementById('live-connection') && "
                             "htmx.find('#live-connection') !== null")
    writer.goto(url)
    writer.click(f"#section-{sid} .section-tools button:has-text('Redigera')")
    writer.locator(f"#section-{sid} .ql-editor").fill("Nu med tåg varje halvtimme.")
    start = time.monotonic()
    writer.click(f"#section-{sid} button:has-text('Spara')")
    expect(viewer.locator(f"#section-{sid} > .section-text")).to_contain_text("Nu med tåg varje halvtimme.", timeout=3000)
    # The save request, its event, the stream and the re-render together; typically ~0.3 s.
    assert time.monotonic() - start < 2.5
    expect(viewer.locator("#live-status")).to_contain_text("Sara Lindqvist sparade avsnittet")


def test_presence_appears_and_goes_away(app, demo, pages):
    paper_id, sid = make_paper(app, demo)
    url = f"/w/sydsverige/papers/{paper_id}"
    a = pages.new(SKANE)
    a.goto(url)
    b = pages.new(KRONOBERG)
    b.goto(url)
    expect(a.locator(".presence-list")).to_contain_text("Lars Holm", timeout=5000)
    b.click(f"#section-{sid} .section-tools button:has-text('Redigera')")
    expect(a.locator(f"#section-{sid}-presence")).to_contain_text("LH", timeout=5000)
    b.evaluate("window.onbeforeunload = null")
    b.goto("/w/")  # leaving the page: pagehide sends the leave beacon
    expect(a.locator(".presence-list")).not_to_contain_text("Lars Holm", timeout=5000)


def test_new_papers_appear_on_the_workspace_page(app, demo, pages):
    page = pages.new("lasare@demo.example")
    page.goto("/w/sydsverige")
    page.wait_for_timeout(300)
    make_paper(app, demo)
    expect(page.locator("#latest-papers")).to_contain_text("Kollektivtrafik över länsgräns", timeout=3000)
