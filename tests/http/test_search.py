import re
import shutil

import pytest
from sqlalchemy import select

from workspace.db import db
from workspace.demo.corpus import CORPUS_DIR
from workspace.search.indexer import index_path

corpus = pytest.mark.skipif(not CORPUS_DIR.is_dir(), reason="the corpus is not beside the repository")


@pytest.fixture(autouse=True)
def fresh_index(app):
    with app.app_context():
        shutil.rmtree(index_path(), ignore_errors=True)
        app.extensions.pop("search-index", None)
    yield
    with app.app_context():
        shutil.rmtree(index_path(), ignore_errors=True)
        app.extensions.pop("search-index", None)


def hits(html: str) -> list[str]:
    return re.findall(r'<li class="card search-hit">\s*<h3><a href="([^"]+)"', html)


def count(html: str) -> int:
    m = re.search(r'id="search-count">(\d+) träff', html)
    return int(m.group(1)) if m else 0


def facet(html: str, param: str, value: str) -> tuple[int, bool] | None:
    """(count, checked) of one facet checkbox, or None if absent."""
    m = re.search(r'<input type="checkbox" id="[^"]+" name="%s" value="%s"( checked)?>\s*<label[^>]*>[^<]*'
                  r'<span class="facet-count">\((\d+)' % (re.escape(param), re.escape(value)), html)
    return (int(m.group(2)), bool(m.group(1))) if m else None


def join(as_user, demo, email, slug, role="reader"):
    from workspace.workspaces.models import Membership

    with demo.app.app_context():
        db.session.add(Membership(workspace=demo.workspace(slug), user=demo.user(email), role=role))
        db.session.commit()


@corpus
def test_search_page_and_fragment(as_user):
    c = as_user("lasare@demo.example")
    page = c.get("/search?q=regioner")
    assert page.status_code == 200 and "<html" in page.text and "Om Regionsamverkan Sydsverige" in page.text
    frag = c.hx_get("/w/sydsverige/search?q=regioner&sort=date")
    assert frag.status_code == 200 and "<html" not in frag.text and "träff" in frag.text
    assert 'id="search-results"' in frag.text and 'id="search-facets"' in frag.text
    assert "HX-Request" in frag.headers["Vary"]


@corpus
def test_facets_narrow_in_the_url_page_and_fragment(as_user):
    c = as_user("lasare@demo.example")
    page = c.get("/w/sydsverige/search?q=samverkan")
    total = count(page.text)
    sections, checked = facet(page.text, "kind", "section")
    papers = (facet(page.text, "kind", "paper") or (0, False))[0]
    others = sum((facet(page.text, "kind", k) or (0, False))[0] for k in ("comment", "suggestion", "priority_item"))
    assert total == sections + papers + others and not checked
    assert facet(page.text, "ws", "sydsverige") is None  # one workspace: no workspace facet
    assert facet(page.text, "year", "2026")
    assert any(facet(page.text, "status", st) for st in ("draft", "decision", "adopted", "open"))
    narrowed = c.get("/w/sydsverige/search?q=samverkan&kind=section")
    assert count(narrowed.text) == sections
    assert facet(narrowed.text, "kind", "section") == (sections, True)
    assert all("#section-" in url for url in hits(narrowed.text))
    assert "Ta bort avgränsningarna" in narrowed.text
    frag = c.hx_get("/w/sydsverige/search?q=samverkan&kind=paper")
    assert "<html" not in frag.text and count(frag.text) == papers
    assert all("#section-" not in url for url in hits(frag.text))
    name, n = re.search(r'name="area" value="([^"]+)">\s*<label[^>]*>[^<]*<span class="facet-count">\((\d+)',
                        narrowed.text).groups()
    area = c.get("/w/sydsverige/search", query_string={"q": "samverkan", "kind": "section", "area": name})
    assert count(area.text) == int(n) > 0 and facet(area.text, "area", name) == (int(n), True)


@corpus
def test_search_everywhere_has_a_workspace_facet_and_respects_membership(as_user, demo):
    join(as_user, demo, "lasare@demo.example", "sosk")
    c = as_user("lasare@demo.example")
    page = c.get("/search?q=samverkan")
    ours, _ = facet(page.text, "ws", "sydsverige")
    theirs, _ = facet(page.text, "ws", "sosk")
    assert ours and theirs and count(page.text) == ours + theirs
    assert facet(page.text, "ws", "sormland") is None and "Sörmland" not in page.text
    only = c.get("/search?q=samverkan&ws=sosk")
    assert count(only.text) == theirs and all(u.startswith("/w/sosk/") for u in hits(only.text))
    # A workspace one is not in, asked for by name, shows nothing of it.
    foreign = c.get("/search?q=samverkan&ws=sormland")
    assert count(foreign.text) == count(page.text)


@corpus
def test_other_workspaces_never_show_not_even_in_facets(as_user):
    c = as_user("tjansteman.ystad@demo.example")
    r = c.get("/search?q=Sydsverige")
    assert r.status_code == 200 and "Om Regionsamverkan Sydsverige" not in r.text
    r = c.get("/search?q=region*")
    assert "Region Skåne" not in r.text and "Region Sörmland" not in r.text and "Huddinge" not in r.text
    assert all(u.startswith("/w/sosk/") for u in hits(r.text))
    assert c.get("/w/sydsverige/search?q=x").status_code == 404
    # A misspelt word of another workspace is not corrected (that would leak the word).
    assert "Menade du" not in c.get("/search?q=Blekinnge").text


@corpus
def test_did_you_mean_links_keep_the_other_choices(as_user):
    r = as_user("lasare@demo.example").get("/w/sydsverige/search?q=infrastrukturr&sort=date&kind=section")
    assert count(r.text) == 0 and "Menade du" in r.text
    link = re.search(r'class="did-you-mean">[^<]*<a href="([^"]+)"', r.text).group(1).replace("&amp;", "&")
    assert "sort=date" in link and "kind=section" in link and "q=infrastruktur" in link


@corpus
def test_author_field_and_the_author_shown(as_user):
    r = as_user("lasare@demo.example").get("/w/sydsverige/search?q=author:Lindqvist")
    assert count(r.text) > 0 and "Skrivet av Sara Lindqvist" in r.text


@corpus
def test_paging(as_user, demo):
    from workspace.papers import services
    from workspace.workspaces.models import Workspace

    with demo.app.test_request_context(method="POST"):
        ws = db.session.scalar(select(Workspace).where(Workspace.slug == "sydsverige"))
        services.create_paper(demo.user("tjansteman.skane@demo.example"), ws, title="Många avsnitt",
                              sections=[(f"Del {i}", f"<p>Pendlingsstråk nummer {i}.</p>") for i in range(25)])
        db.session.commit()
    c = as_user("lasare@demo.example")
    first = c.get("/w/sydsverige/search?q=pendlingsstråk")
    assert count(first.text) == 25 and len(hits(first.text)) == 20 and 'rel="next"' in first.text
    second = c.get("/w/sydsverige/search?q=pendlingsstråk&page=2")
    assert len(hits(second.text)) == 5 and 'rel="prev"' in second.text
    assert not set(hits(first.text)) & set(hits(second.text))


def test_a_save_is_found_by_the_next_search(as_user, demo):
    c = as_user("tjansteman.skane@demo.example")
    page = c.get("/w/sydsverige/papers/new")
    assert page.status_code == 200
    r = c.post("/w/sydsverige/papers/new", {"title": "Godsstråken i Sydsverige", "kind": "position_paper"})
    assert r.status_code == 303, r.text
    found = c.get("/w/sydsverige/search?q=godsstråk")
    assert count(found.text) >= 1 and "Godsstråken i Sydsverige" in found.text


@pytest.mark.parametrize("q", ['"', "(AND", "*", "<script>alert(1)</script>", "x" * 1000, "title:", "NOT"])
def test_junk_is_calm(as_user, q):
    r = as_user("lasare@demo.example").get("/search", query_string={"q": q})
    assert r.status_code == 200 and "<script>alert(1)</script>" not in r.text


@pytest.mark.parametrize("q", ['"och i att"', '"region region region"', '"<b>region</b> skåne"', '"region skåne',
                               '"a"', '""', '"' + "region " * 60 + '"', 'title:"region skåne"~3 AND "och"'])
def test_odd_phrases_are_calm_and_escaped(as_user, q):
    """Phrases of stop words only, one word again and again, markup, no closing quote: the page
    answers, and whatever it marks is escaped text."""
    r = as_user("lasare@demo.example").get("/search", query_string={"q": q})
    assert r.status_code == 200 and "<b>region" not in r.text
    for marked in re.findall(r'<mark class="hit">(.*?)</mark>', r.text):
        assert "<" not in marked


@pytest.mark.parametrize("qs", ["page=abc", "page=-4", "page=99999", "sort=<b>", "kind=" + "k" * 500,
                                "ws=nope&ws=" + "x" * 300, "year=2026&year=&year=' OR 1=1"])
def test_bad_parameters_are_calm(as_user, qs):
    r = as_user("lasare@demo.example").get("/w/sydsverige/search?q=region&" + qs)
    assert r.status_code == 200 and "<b>" not in r.text


def test_text_typed_into_a_section_is_escaped_in_snippets(as_user, demo):
    from workspace.papers import services
    from workspace.workspaces.models import Workspace

    with demo.app.test_request_context(method="POST"):
        ws = db.session.scalar(select(Workspace).where(Workspace.slug == "sydsverige"))
        services.create_paper(demo.user("tjansteman.skane@demo.example"), ws, title="Kodexempel",
                              sections=[("Text", "<p>Skriv &lt;script&gt;alert(2)&lt;/script&gt; i rutan om tågtider.</p>")])
        db.session.commit()
    r = as_user("lasare@demo.example").get("/w/sydsverige/search?q=tågtider")
    assert count(r.text) == 1 and "<script>alert(2)" not in r.text and "&lt;script&gt;" in r.text


def test_an_empty_query_shows_the_form_without_hits(as_user):
    r = as_user("lasare@demo.example").get("/w/sydsverige/search")
    assert r.status_code == 200 and 'id="search-q"' in r.text and 'class="card search-hit"' not in r.text


@corpus
@pytest.mark.parametrize("lang, one, many", [("sv", "träff", "träffar"), ("en", "result", "results")])
def test_each_facet_count_says_one_hit_or_many_to_a_screen_reader(as_user, lang, one, many):
    c = as_user("lasare@demo.example")
    assert c.post("/language", {"locale": lang, "next": "/search"}).status_code == 303
    seen = set()
    for q in ("regioner", "kollektivtrafik", "Ystad", "samverkan", "budget"):
        html = c.get(f"/search?q={q}").text
        for n, word in re.findall(r'<span class="facet-count">\((\d+)<span class="visually-hidden"> ([^<]+)</span>\)',
                                  html):
            assert word == (one if n == "1" else many), (q, n, word)
            seen.add(n == "1")
    assert seen == {True, False}  # both forms were shown
