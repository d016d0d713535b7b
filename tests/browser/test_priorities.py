"""Priority lists in the browser: ordering by drag and by keyboard, two politicians
ranking at once with the aggregate updating live, and a follow-up."""
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import axe_check
from workspace.db import db
from workspace.priorities import services
from workspace.priorities.models import FollowUp, PriorityList

SKANE = "tjansteman.skane@demo.example"
POL_SKANE = "politiker.skane@demo.example"
POL_BLEKINGE = "politiker.blekinge@demo.example"
YEAR = 2030


def make_list(app, demo, status="draft") -> list[int]:
    with app.test_request_context(method="POST"):
        ws = demo.workspace("sydsverige")
        official = demo.user(SKANE)
        pl = services.create_list(official, ws, YEAR)
        for title in ("Energiförsörjning", "Bredband och digitalisering", "Nya stambanor"):
            services.add_item(official, pl, title=title, description="Beskrivning: " + title)
        if status == "ranking":
            services.open_ranking(demo.user("kansli@demo.example"), pl)
        db.session.commit()
        return [i.id for i in pl.ordered_items]


def order(app) -> list[int]:
    with app.app_context():
        pl = db.session.scalar(select(PriorityList).where(PriorityList.year == YEAR))
        return [i.id for i in pl.ordered_items]


def test_keyboard_reordering_moves_letters_and_announces(app, demo, pages):
    a, b, c = make_list(app, demo)
    page = pages.new(SKANE)
    page.goto(f"/w/sydsverige/priorities/{YEAR}")
    axe_check(page)
    page.locator(f"#item-{a} button[data-move=down]").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#items-announcement")).to_contain_text("”Energiförsörjning” är nu prioritering B (2 av 3).")
    assert [" ".join(t.split()) for t in page.locator(".priority-title").all_inner_texts()] == [
        "A. Bredband och digitalisering", "B. Energiförsörjning", "C. Nya stambanor"]
    # focus stays on the moved item's arrow, so the next key press moves it again
    assert page.evaluate("document.activeElement.closest('li').dataset.itemId") == str(a)
    page.keyboard.press("Enter")
    expect(page.locator("#items-announcement")).to_contain_text("är nu prioritering C (3 av 3)")
    assert order(app) == [b, c, a]
    axe_check(page)


def test_drag_and_drop_reorders(app, demo, pages):
    a, b, c = make_list(app, demo)
    page = pages.new(SKANE)
    page.goto(f"/w/sydsverige/priorities/{YEAR}")
    page.locator(f"#item-{c} .drag-handle").drag_to(page.locator(f"#item-{a} .priority-title"))
    expect(page.locator("#items-announcement")).to_contain_text("Ordningen är sparad")
    assert order(app) == [c, a, b]
    expect(page.locator(f"#item-{c} .priority-letter")).to_have_text("A")
    axe_check(page)


def test_two_politicians_rank_and_see_the_aggregate_live(app, demo, pages):
    a, b, c = make_list(app, demo, status="ranking")
    url = f"/w/sydsverige/priorities/{YEAR}"
    skane, blekinge = pages.new(POL_SKANE), pages.new(POL_BLEKINGE)
    skane.goto(url)
    blekinge.goto(url)
    axe_check(skane)
    # Skåne by keyboard: Nya stambanor to the top
    skane.locator(f"#rank-item-{c} button[data-move=up]").focus()
    skane.keyboard.press("Enter")
    expect(skane.locator("#ranking-announcement")).to_contain_text("plats 2 av 3")
    skane.locator(f"#rank-item-{c} button[data-move=up]").focus()
    skane.keyboard.press("Enter")
    expect(skane.locator("#ranking-announcement")).to_contain_text("plats 1 av 3")
    # Blekinge sees Skåne's ranking in the aggregate without reloading
    expect(blekinge.locator("#priority-aggregate")).to_contain_text("1 organisation har rangordnat.", timeout=5000)
    # Blekinge by dragging: Bredband to the top
    blekinge.locator(f"#rank-item-{b} .drag-handle").drag_to(blekinge.locator(f"#rank-item-{a} .rank-title"))
    expect(blekinge.locator("#ranking-announcement")).to_contain_text("Er rangordning är sparad.")
    expect(skane.locator("#priority-aggregate")).to_contain_text("2 organisationer har rangordnat.", timeout=5000)
    # Skåne [c, a, b], Blekinge [b, a, c]: a 1+1 = 2, b 0+2 = 2, c 2+0 = 2 → all share place 1
    rows = skane.locator("#priority-aggregate tbody tr")
    expect(rows).to_have_count(3)
    assert [t.strip() for t in rows.locator("td:first-child").all_inner_texts()] == ["1", "1", "1"]
    with app.app_context():
        pl = db.session.scalar(select(PriorityList).where(PriorityList.year == YEAR))
        ranked = {r.organization.name: r.item_order for r in services.current_rankings(pl).values()}
    assert ranked == {"Region Skåne": [c, a, b], "Region Blekinge": [b, a, c]}
    axe_check(blekinge)


def test_entering_a_follow_up(app, demo, pages):
    with app.app_context():
        y2023 = db.session.scalar(select(PriorityList).where(PriorityList.year == 2023))
        item = y2023.ordered_items[2]
        item_id, title = item.id, item.title
    page = pages.new(SKANE)
    page.goto("/w/sydsverige/priorities/2023/follow-up")
    axe_check(page)
    cell = page.locator(f"#follow-up-{item_id}-arsbokslut")
    expect(cell).to_contain_text("Ingen uppföljning")
    cell.locator("summary").click()
    axe_check(page)
    cell.locator("select").select_option("done")
    cell.locator("textarea").fill("Strategin är genomförd och utvärderad.")
    cell.locator("button:has-text('Spara uppföljningen')").click()
    cell = page.locator(f"#follow-up-{item_id}-arsbokslut")
    expect(cell).to_contain_text("Genomförd")
    expect(cell).to_contain_text("Strategin är genomförd och utvärderad.")
    with app.app_context():
        saved = db.session.scalar(select(FollowUp).where(FollowUp.item_id == item_id, FollowUp.period == "arsbokslut"))
        assert saved.status == "done" and saved.comment == "Strategin är genomförd och utvärderad."
    assert title in page.locator(f"#fu-item-{item_id}").inner_text()
    axe_check(page)
