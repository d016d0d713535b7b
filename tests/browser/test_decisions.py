"""An approval round in three browsers: the secretariat opens it, two politicians decide,
everyone watches the table change live, and adoption freezes the editor."""
from playwright.sync_api import expect

from tests.browser.conftest import axe_check, requests_of, save_section_as
from workspace.db import db
from workspace.papers import services

SKANE = "tjansteman.skane@demo.example"
KANSLI = "kansli@demo.example"
POL_SKANE = "politiker.skane@demo.example"
POL_HALLAND = "politiker.halland@demo.example"


def make_paper(app, demo) -> tuple[int, int]:
    with app.test_request_context(method="POST"):
        p = services.create_paper(demo.user(SKANE), demo.workspace("sydsverige"), title="Snabbare tåg till Köpenhamn",
                                  sections=[("Bakgrund", "<p>Öresundsbanan behöver fler spår.</p>")])
        services.create_snapshot(demo.user(SKANE), p, "Beslutsversion")
        db.session.commit()
        return p.id, p.live_sections[0].id


def test_open_decide_live_and_adoption_freezes_the_editor(app, demo, pages):
    paper_id, sid = make_paper(app, demo)
    paper_url = f"/w/sydsverige/papers/{paper_id}"

    kansli = pages.new(KANSLI)
    kansli.goto(paper_url)
    kansli.click("text=Öppna en beslutsomgång")
    kansli.wait_for_url("**/rounds/new")
    axe_check(kansli)
    for region in ("Region Blekinge", "Region Jönköpings län", "Region Kalmar län", "Region Kronoberg"):
        kansli.get_by_label(region).uncheck()
    kansli.fill("#registration_number", "RSS 2026/21")
    kansli.fill("#message", "Ta ställning före styrelsemötet.")
    kansli.click("button:has-text('Öppna omgången')")
    kansli.wait_for_url("**/rounds/*")
    round_url = kansli.url
    expect(kansli.locator("#decision-table tbody tr")).to_have_count(2)
    axe_check(kansli)

    writer = pages.new(SKANE)  # an official with the paper open, editor buttons showing
    writer.goto(paper_url)
    expect(writer.locator(f"#section-{sid} .section-tools button:has-text('Redigera')")).to_be_visible()
    expect(writer.locator("#paper-header")).to_contain_text("Beslutsomgång pågår")

    skane, halland = pages.new(POL_SKANE), pages.new(POL_HALLAND)
    skane.goto(round_url)
    halland.goto(round_url)
    for p in (skane, halland):
        p.wait_for_function("htmx.find('#live-connection') !== null")
    expect(skane.locator(".snapshot")).to_contain_text("Öresundsbanan behöver fler spår.")
    axe_check(skane)

    skane.check("input[name=kind][value=approve_reservation]")
    skane.fill("#statement", "Vi vill se en tydligare finansiering.")
    skane.click("button:has-text('Registrera ställningstagande')")
    skane_row = "#decision-table tbody tr:has(th:has-text('Region Skåne'))"
    expect(skane.locator(skane_row)).to_contain_text("Godkänner med reservation")
    expect(skane.locator("#round-announcement")).to_contain_text("Ställningstagandet är registrerat.")
    # Halland and the secretariat see Skåne's decision without reloading.
    expect(halland.locator(skane_row)).to_contain_text("Godkänner med reservation", timeout=5000)
    expect(halland.locator(skane_row)).to_contain_text("Anna Persson")
    expect(kansli.locator(skane_row)).to_contain_text("Vi vill se en tydligare finansiering.", timeout=5000)

    halland.check("input[name=kind][value=approve]")
    halland.fill("#note", "Halland noterar ett gott samarbete.")
    halland.click("button:has-text('Registrera ställningstagande')")
    expect(halland.locator("#round-outcome")).to_contain_text("fastställt")
    expect(skane.locator("#round-outcome")).to_contain_text("fastställt", timeout=5000)
    expect(skane.locator("button:has-text('Registrera ställningstagande')")).to_have_count(0)

    # Adoption reached the official's open paper: no more editing.
    expect(writer.locator(f"#paper-{paper_id}-status")).to_contain_text("fastställt", timeout=5000)
    expect(writer.locator(f"#section-{sid} .section-tools button:has-text('Redigera')")).to_have_count(0, timeout=5000)
    writer.reload()
    expect(writer.locator("#paper-header")).to_contain_text("kan inte längre ändras")
    expect(writer.locator("button:has-text('Redigera')")).to_have_count(0)

    # The secretariat records a member's ratification on the adopted paper.
    kansli.reload()
    kansli.click("summary:has-text('Registrera ratificering för Region Skåne')")
    form = kansli.locator("details:has(summary:has-text('Region Skåne')) form")
    form.locator("select[name=status]").select_option("ratified")
    form.locator("input[name=registration_number]").fill("RS 2026/991")
    form.locator("input[name=body]").fill("Regionstyrelsen")
    form.locator("input[name=decided_on]").fill("2026-11-20")
    form.locator("input[name=paragraph]").fill("§ 12")
    form.locator("button").click()
    expect(kansli.locator("#round-ratifications")).to_contain_text("RS 2026/991")
    axe_check(kansli)
    kansli.goto("/w/sydsverige/ratifications")
    expect(kansli.locator(".ratification-overview")).to_contain_text("Snabbare tåg till Köpenhamn")
    axe_check(kansli)


def test_a_save_during_an_open_round_shows_the_stale_notice_live(app, demo, pages):
    """The header refreshes on changes of the text only while a round is open; then it must."""
    paper_id, sid = make_paper(app, demo)
    paper_url = f"/w/sydsverige/papers/{paper_id}"
    kansli = pages.new(KANSLI)
    kansli.goto(f"{paper_url}/rounds/new")
    for region in ("Region Blekinge", "Region Jönköpings län", "Region Kalmar län", "Region Kronoberg"):
        kansli.get_by_label(region).uncheck()
    kansli.fill("#registration_number", "RSS 2026/22")
    kansli.click("button:has-text('Öppna omgången')")
    kansli.wait_for_url("**/rounds/*")

    viewer = pages.new(POL_SKANE)
    viewer.goto(paper_url)
    viewer.wait_for_function("htmx.find('#live-connection') !== null")
    expect(viewer.locator("#paper-header")).to_contain_text("Beslutsomgång pågår")
    expect(viewer.locator("#paper-header .stale-notice")).to_have_count(0)
    requests = requests_of(viewer)
    save_section_as(app, demo, SKANE, sid, "<p>Öresundsbanan behöver fyra spår.</p>")
    expect(viewer.locator("#paper-header .stale-notice")).to_contain_text("Texten har ändrats sedan denna version",
                                                                        timeout=5000)
    expect(viewer.locator(f"#section-{sid}")).to_contain_text("fyra spår")
    # Both came with the event (papers/live_parts.py), not by fetching.
    assert not [u for u in requests if "part=header" in u or f"/sections/{sid}" in u], requests
