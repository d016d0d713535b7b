"""Search as you type, from the header, narrowing by facets, with axe checks."""
import re
import shutil

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_check
from workspace.demo.corpus import CORPUS_DIR
from workspace.search.indexer import index_path

pytestmark = pytest.mark.skipif(not CORPUS_DIR.is_dir(), reason="the corpus is not beside the repository")


@pytest.fixture(autouse=True)
def fresh_index(app):
    with app.app_context():
        shutil.rmtree(index_path(), ignore_errors=True)
        app.extensions.pop("search-index", None)


def test_search_from_the_header_and_as_you_type(pages):
    page = pages.new("lasare@demo.example")
    page.goto("/w/sydsverige")
    page.fill("#header-q", "regionerna")
    page.press("#header-q", "Enter")
    page.wait_for_url("**/w/sydsverige/search?q=regionerna")
    expect(page.locator("#search-results")).to_contain_text("Om Regionsamverkan Sydsverige")
    axe_check(page)
    page.fill("#search-q", "kollektivtrafiken")
    page.wait_for_url("**q=kollektivtrafiken**")
    expect(page.locator("#search-results mark").first).to_contain_text("ollektivtrafik")


def test_a_facet_narrows_the_hits_and_the_address(pages, tmp_path):
    page = pages.new("lasare@demo.example")
    page.goto("/w/sydsverige/search?q=samverkan")
    count = page.locator("#search-count")
    expect(count).to_contain_text("träff")
    before = int(re.match(r"\d+", count.inner_text()).group())
    section_box = page.get_by_role("checkbox", name=re.compile(r"^Textavsnitt"))
    n = int(re.search(r"\((\d+)", section_box.locator("xpath=following-sibling::label").inner_text()).group(1))
    assert 0 < n <= before
    section_box.check()  # htmx: no submit needed
    page.wait_for_url("**kind=section**")
    expect(count).to_have_text(re.compile(rf"^{n} träff"))
    expect(page.get_by_role("checkbox", name=re.compile(r"^Textavsnitt"))).to_be_checked()
    # The focus stays on the checkbox after the swap, so the keyboard user can carry on.
    expect(page.get_by_role("checkbox", name=re.compile(r"^Textavsnitt"))).to_be_focused()
    axe_check(page)
    page.screenshot(path=str(tmp_path / "search-facets.png"), full_page=True)
    # The address is shareable: reloading it shows the same narrowed search.
    page.reload()
    expect(count).to_have_text(re.compile(rf"^{n} träff"))
    expect(page.get_by_role("checkbox", name=re.compile(r"^Textavsnitt"))).to_be_checked()
    page.get_by_role("link", name="Ta bort avgränsningarna").click()
    expect(count).to_have_text(re.compile(rf"^{before} träff"))
    page.select_option("#search-sort", "date")
    page.wait_for_url("**sort=date**")


def test_without_javascript_the_form_still_searches_and_narrows(browser, live_server, demo):
    from tests.browser.conftest import login

    ctx = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = ctx.new_page()
    login(page, "lasare@demo.example")
    page.goto("/w/sydsverige/search")
    page.fill("#search-q", "samverkan")
    page.get_by_role("button", name="Sök", exact=True).click()
    page.wait_for_url("**q=samverkan**")
    page.get_by_role("checkbox", name=re.compile(r"^Textavsnitt")).check()
    page.get_by_role("button", name="Avgränsa").click()
    page.wait_for_url("**kind=section**")
    expect(page.locator("#search-results")).to_contain_text("träff")
    ctx.close()
