"""The foundation as a person uses it: log in, switch language, invite someone who joins."""
import re

from playwright.sync_api import expect

from sqlalchemy import select

from tests.browser.conftest import axe_check
from workspace.db import db
from workspace.mail.models import OutboxMessage


def test_login_switch_language_and_open_workspace(pages):
    page = pages.new()
    page.goto("/login")
    axe_check(page)
    page.fill("#email", "lasare@demo.example")
    page.fill("#password", "wrong-password-1")
    page.click("main button[type=submit]")
    assert "Fel e-postadress eller lösenord" in page.inner_text("main")
    axe_check(page)
    from tests.browser.conftest import login

    login(page, "lasare@demo.example")
    assert page.inner_text("h1") == "Mina samverkansorgan"
    axe_check(page)
    page.click("main a:has-text('Regionsamverkan Sydsverige')")
    page.wait_for_url("**/w/sydsverige")
    assert "Region Blekinge" in page.inner_text("#organizations")
    axe_check(page)
    page.click("button:has-text('English')")
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "en"
    axe_check(page)
    # remembered for the person: a new session in English too
    other = pages.new("lasare@demo.example")
    assert other.get_attribute("html", "lang") == "en"
    other.click("button:has-text('Svenska')")
    other.wait_for_load_state()
    assert other.get_attribute("html", "lang") == "sv"


def test_skip_link_and_menus_by_keyboard(pages):
    page = pages.new("kansli@demo.example")
    page.goto("/w/sydsverige")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    menu = page.locator("details.user-menu summary")
    menu.focus()
    page.keyboard.press("Enter")
    assert page.locator("details.user-menu").get_attribute("open") is not None
    page.keyboard.press("Escape")
    assert page.locator("details.user-menu").get_attribute("open") is None


def test_invite_a_person_who_follows_the_link(app, pages):
    kansli = pages.new("kansli@demo.example")
    kansli.goto("/w/sydsverige/people/invite")
    axe_check(kansli)
    kansli.fill("#email", "ny.tjansteman@region.example")
    kansli.fill("#name", "Nina Nyberg")
    kansli.select_option("#organization_id", label="Region Halland")
    kansli.select_option("#role", "official")
    kansli.click("main button[type=submit]")
    kansli.wait_for_url("**/w/sydsverige#people")
    assert "Nina Nyberg" in kansli.inner_text("#people")
    axe_check(kansli)
    with app.app_context():
        body = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_addr == "ny.tjansteman@region.example")).body
    link = re.search(r"https?://\S+/invite/\S+", body).group(0)
    path = "/invite/" + link.split("/invite/")[1]

    newcomer = pages.new()
    newcomer.goto(path)
    axe_check(newcomer)
    newcomer.fill("#password", "kort")
    newcomer.fill("#confirm", "kort")
    newcomer.click("main button[type=submit]")
    assert "mellan 10 och" in newcomer.inner_text("main")
    axe_check(newcomer)
    newcomer.fill("#password", "ett-bra-losenord")
    newcomer.fill("#confirm", "ett-bra-losenord")
    newcomer.click("main button[type=submit]")
    newcomer.wait_for_url("**/w/sydsverige")
    assert "Välkommen till Regionsamverkan Sydsverige" in newcomer.inner_text("#flash")
    axe_check(newcomer)


def test_role_change_and_member_organisations_update_in_place(pages):
    page = pages.new("kansli@demo.example")
    page.goto("/w/sydsverige")
    row = page.locator("tr", has_text="Leo Läsare")
    row.locator("select[name=role]").select_option("politician")
    row.locator("select[name=political_side]").select_option("opposition")
    url_before = page.url
    row.locator("button:has-text('Spara')").click()
    page.wait_for_selector("#flash:has-text('Rollen för Leo Läsare är ändrad')")
    assert page.url == url_before
    expect(page.locator("tr", has_text="Leo Läsare").locator("select[name=role]")).to_have_value("politician")
    page.fill("#org-name", "Region Gotland")
    page.click("#organizations button:has-text('Lägg till')")
    page.wait_for_selector("#organizations li:has-text('Region Gotland')")
    page.once("dialog", lambda d: d.accept())
    page.click("#organizations li:has-text('Region Gotland') button")
    page.wait_for_selector("#organizations li:has-text('Region Gotland')", state="detached")
    axe_check(page)
