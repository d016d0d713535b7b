"""Hardening as a person meets it: the accessibility statement and the audit trail."""
import re

from playwright.sync_api import expect

from tests.browser.conftest import axe_check


def test_report_an_accessibility_problem_by_keyboard(pages):
    page = pages.new()
    page.goto("/login")
    page.click("footer a:has-text('Tillgänglighetsredogörelse')")
    page.wait_for_url("**/tillganglighet")
    axe_check(page)
    page.focus("#description")
    page.keyboard.press("Tab")  # the empty description is refused in the page, not by the browser
    page.click("#report button[type=submit]")
    expect(page.locator("#report .field-error")).to_contain_text("Beskriv vad som inte fungerade.")
    axe_check(page)
    page.fill("#description", "Tabellen med beslut går inte att läsa med förstoring 400 %.")
    page.focus("#report button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("#report-sent")).to_contain_text("Din rapport har nummer")
    assert page.url.endswith("/tillganglighet")  # swapped in place by htmx
    axe_check(page)


def test_secretariat_filters_the_audit_trail(pages):
    page = pages.new("kansli@demo.example")
    page.goto("/w/sydsverige/events")
    axe_check(page)
    page.select_option("#audit-verb", "paper-imported")
    page.click(".audit-filter button[type=submit]")
    expect(page.locator("#events table tbody tr").first).to_contain_text("importerade papperet")
    expect(page).to_have_url(re.compile(r"verb=paper-imported"))  # shareable
    rows = page.locator("#events table tbody tr")
    for i in range(rows.count()):
        assert "importerade papperet" in rows.nth(i).inner_text()
    page.fill("#audit-from", "2030-01-01")
    page.fill("#audit-to", "2029-01-01")
    page.click(".audit-filter button[type=submit]")
    expect(page.locator("#events")).to_contain_text("Slutdatumet ligger före startdatumet.")
    axe_check(page)
