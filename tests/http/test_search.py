import shutil

import pytest

from workspace.demo.corpus import CORPUS_DIR
from workspace.search.indexer import index_path


@pytest.fixture(autouse=True)
def fresh_index(app):
    with app.app_context():
        shutil.rmtree(index_path(), ignore_errors=True)
        app.extensions.pop("search-index", None)
    yield
    with app.app_context():
        shutil.rmtree(index_path(), ignore_errors=True)
        app.extensions.pop("search-index", None)


@pytest.mark.skipif(not CORPUS_DIR.is_dir(), reason="the corpus is not beside the repository")
def test_search_page_and_fragment(as_user):
    c = as_user("lasare@demo.example")
    page = c.get("/search?q=regioner")
    assert page.status_code == 200 and "<html" in page.text and "Om Regionsamverkan Sydsverige" in page.text
    frag = c.hx_get("/w/sydsverige/search?q=regioner&sort=date")
    assert frag.status_code == 200 and "<html" not in frag.text and "träff" in frag.text
    assert "HX-Request" in frag.headers["Vary"]


def test_other_workspaces_never_show(as_user):
    c = as_user("tjansteman.ystad@demo.example")
    r = c.get("/search?q=Sydsverige")
    assert r.status_code == 200 and "Om Regionsamverkan Sydsverige" not in r.text
    assert c.get("/w/sydsverige/search?q=x").status_code == 404


@pytest.mark.parametrize("q", ['"', "(AND", "*", "<script>alert(1)</script>", "x" * 1000])
def test_junk_is_calm(as_user, q):
    r = as_user("lasare@demo.example").get("/search", query_string={"q": q})
    assert r.status_code == 200 and "<script>alert(1)</script>" not in r.text
