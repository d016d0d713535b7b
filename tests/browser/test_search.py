"""Search as you type, from the header, with an axe check."""
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_check
from workspace.demo.corpus import CORPUS_DIR


@pytest.mark.skipif(not CORPUS_DIR.is_dir(), reason="the corpus is not beside the repository")
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
