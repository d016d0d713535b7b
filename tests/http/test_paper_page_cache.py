"""The paper page's sections are rendered once per state and shared between people
(workspace/papers/page_cache.py): every change shows at once, and nobody sees another
person's buttons, token or rights."""
import re

import pytest

from tests.conftest import recorded_statements
from workspace.db import db
from workspace.papers import page_cache
from workspace.web import kept
from workspace.cache import BoundedCache

from .test_comments import POLITICIAN, READER, SKANE, make_thread, paper  # noqa: F401  (fixture)

TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def without_tokens(page: str) -> str:
    """The page with its CSRF token taken out wherever it stands (forms and hx-headers): a
    token is signed with a timestamp, so two requests a second apart get different ones."""
    for token in set(TOKEN_RE.findall(page)):
        page = page.replace(token, "")
    return page


def sections_part(html: str) -> str:
    return html[html.index('id="section-list"'):html.index('<aside class="paper-aside"')]


@pytest.fixture
def cache(app):
    store = app.extensions["samverkan.kept"]
    store.clear()
    return store


def test_every_kind_of_change_shows_on_the_next_view(app, as_user, demo, paper, cache):  # noqa: F811
    reader, official = as_user(READER), as_user(SKANE)
    url, sid = paper["url"], paper["section"]
    assert "Regionerna vill ha nya stambanor." in reader.get(url).text
    assert reader.get(url).status_code == 200 and cache.hits >= 1  # the second view was shared

    def seen(text: str) -> bool:
        return text in sections_part(reader.get(url).text)

    assert official.post(f"{url}/sections/{sid}", {"html": "<p>Hamnarna behöver räls.</p>",
                                                   "base_revision_id": paper["base"]}, htmx=True).status_code == 200
    assert seen("Hamnarna behöver räls.") and not seen("nya stambanor")
    assert official.post(f"{url}/sections/{sid}/rename", {"title": "Godsets väg"}, htmx=True).status_code == 200
    assert seen("Godsets väg")
    tid, _ = make_thread(app, demo, paper, body="Vilka hamnar?")
    assert seen("Vilka hamnar?") and seen("1 öppen")
    assert official.post(f"{url}/threads/{tid}/replies", {"body": "Alla i söder."}, htmx=True).status_code == 200
    assert seen("Alla i söder.")
    assert official.post(f"{url}/threads/{tid}/resolve", htmx=True).status_code == 200
    assert seen("0 öppna") and not seen("Vilka hamnar?")
    assert official.post(f"{url}/sections", {"title": "Finansiering"}, htmx=True).status_code == 200
    assert seen("Finansiering")
    assert official.post(f"{url}/status", {"status": "review"}).status_code == 303
    page = reader.get(url).text
    assert "status-review" in page  # the sections follow the status too
    assert official.post(f"{url}/sections/{sid}/remove", htmx=True).status_code == 200
    assert not seen("Godsets väg")


def test_own_comments_and_threads_get_buttons_only_for_their_writer(app, as_user, demo, paper, cache):  # noqa: F811
    tid, cid = make_thread(app, demo, paper, email=POLITICIAN, body="Min fråga.")
    edit = f'/comments/{cid}/edit"'
    resolve = f'/threads/{tid}/resolve"'
    # Another politician has the same role and rights as the writer: only the person differs.
    reader, writer = as_user("politiker.skane@demo.example"), as_user(POLITICIAN)
    for who in (reader, writer, reader, writer):  # each after the other has filled the cache
        text = sections_part(who.get(paper["url"]).text)
        mine = who is writer
        assert (edit in text) is mine and (resolve in text) is mine
    # An official may resolve any thread, but change only their own comments.
    text = sections_part(as_user(SKANE).get(paper["url"]).text)
    assert resolve in text and edit not in text


def test_each_person_gets_their_own_csrf_token_and_it_works(app, as_user, demo, paper, cache):  # noqa: F811
    tid, _ = make_thread(app, demo, paper)
    first, second = as_user(READER), as_user(POLITICIAN)
    tokens = []
    for who in (first, second):
        page = who.get(paper["url"]).text
        found = set(TOKEN_RE.findall(sections_part(page)))
        assert len(found) == 1 and kept.TOKEN_PLACEHOLDER not in page
        tokens.append(found.pop())
    assert tokens[0] != tokens[1]
    resp = second.http.post(f"{paper['url']}/threads/{tid}/replies", data={"body": "Med min egen nyckel.",
                                                                           "csrf_token": tokens[1]},
                            headers={"HX-Request": "true"})
    assert resp.status_code == 200 and "Med min egen nyckel." in resp.text
    resp = second.http.post(f"{paper['url']}/threads/{tid}/replies", data={"body": "Med någon annans.",
                                                                           "csrf_token": tokens[0]},
                            headers={"HX-Request": "true"})
    assert resp.status_code == 400


def test_rights_follow_the_viewer_not_whoever_filled_the_cache(app, as_user, demo, paper, cache):  # noqa: F811
    reader, official = as_user(READER), as_user(SKANE)
    edit_button = f'hx-get="{paper["url"]}/sections/{paper["section"]}?edit=1"'
    for who, may_edit in ((reader, False), (official, True), (reader, False)):
        text = sections_part(who.get(paper["url"]).text)
        assert (edit_button in text) is may_edit
        assert ("Kommentera" in text) is True  # readers may comment


def test_language_is_part_of_the_state(app, as_user, demo, paper, cache):  # noqa: F811
    swedish, english = as_user(POLITICIAN), as_user(READER)  # the same rights
    with app.app_context():
        demo.user(READER).locale = "en"
        db.session.commit()
    assert "Kommentarer" in sections_part(swedish.get(paper["url"]).text)
    text = sections_part(english.get(paper["url"]).text)
    assert "Comments" in text and "Kommentarer" not in text


def test_who_is_editing_is_filled_in_per_request(app, as_user, demo, paper, cache):  # noqa: F811
    reader, official = as_user(READER), as_user(SKANE)
    reader.get(paper["url"])  # cached with nobody editing
    assert official.post(f"{paper['url']}/presence", {"client_id": "tab-1",
                                                      "section_id": str(paper["section"])}).status_code == 204
    with app.app_context():
        name = demo.user(SKANE).name
    text = reader.get(paper["url"]).text
    span = text[text.index(f'id="section-{paper["section"]}-presence"'):]
    assert f"{name} redigerar avsnittet" in span[:span.index("</span></span>")]
    # The one editing does not see themselves.
    assert f"{name} redigerar avsnittet" not in official.get(paper["url"]).text


def test_without_a_cache_the_page_is_the_same(app, as_user, demo, paper, monkeypatch):  # noqa: F811
    make_thread(app, demo, paper, body="Utan cache.")
    reader = as_user(READER)
    cached = reader.get(paper["url"]).text
    monkeypatch.setitem(app.extensions, "samverkan.kept", BoundedCache(0))
    plain = reader.get(paper["url"]).text
    assert "Utan cache." in plain and without_tokens(plain) == without_tokens(cached)


def test_sections_part_for_htmx_comes_from_the_same_cache(app, as_user, demo, paper, cache):  # noqa: F811
    reader = as_user(READER)
    reader.get(paper["url"])
    hits = cache.hits
    frag = reader.hx_get(paper["url"] + "?part=sections")
    assert frag.status_code == 200 and "<html" not in frag.text and "nya stambanor" in frag.text
    assert cache.hits > hits


def header_part(html: str) -> str:
    return html[html.index('id="paper-header"'):html.index('id="paper-sections"')]


def test_header_follows_every_change_and_each_viewers_rights(app, as_user, demo, paper, cache):  # noqa: F811
    from datetime import timedelta

    from workspace.db import utcnow
    from .test_decisions import KANSLI, POL_HALLAND, POL_SKANE, open_form, org_ids

    reader, official, kansli = as_user(READER), as_user(SKANE), as_user(KANSLI)
    url = paper["url"]
    status_form = f'action="{url}/status"'
    open_round = f'href="{url}/rounds/new"'
    for _ in range(2):  # the second time, each from a cache another viewer filled
        assert status_form not in header_part(reader.get(url).text)
        assert status_form in header_part(official.get(url).text)
        assert open_round not in header_part(official.get(url).text)
        assert open_round in header_part(kansli.get(url).text)
    assert cache.hits >= 4
    # A change of the paper's facts, of its status and a round opened all show at once.
    assert official.post(f"{url}/edit", {"title": "Godsstråk i söder", "kind": "position_paper",
                                         "registration_number": "RSS 2026/99", "policy_area_id": "",
                                         "lead_organization_id": ""}).status_code == 303
    assert "Godsstråk i söder" in header_part(reader.get(url).text)
    assert official.post(f"{url}/status", {"status": "review"}).status_code == 303
    assert 'status-review" id=' in header_part(reader.get(url).text)
    with app.test_request_context(method="POST"):
        from workspace.papers import services as papers
        from workspace.papers.models import Paper

        snap = papers.create_snapshot(demo.user(SKANE), db.session.get(Paper, paper["id"]), "Version för beslut")
        db.session.commit()
        snap_id = snap.id
    form = open_form({"snapshot": snap_id}, deadline=(utcnow() + timedelta(days=9)).strftime("%Y-%m-%dT%H:%M"))
    form["organizations"] = [str(i) for i in org_ids(app, POL_SKANE, POL_HALLAND)]
    head = header_part(reader.get(url).text)
    assert "section-saved" not in head[:head.index(">")]  # no round: a save leaves the header alone
    assert kansli.post(f"{url}/rounds/new", form).status_code == 303
    head = header_part(reader.get(url).text)
    assert "Beslutsomgång pågår" in head
    # While a round is open, every change of the text refreshes the header (its stale notice).
    live_on = head[:head.index(">")]
    assert all(verb in live_on for verb in ("section-saved", "section-renamed", "sections-reordered"))
    # A name shown in the header that changes outside the paper (the workspace's) shows too.
    with app.app_context():
        demo.workspace("sydsverige").name = "Samverkan Syd"
        db.session.commit()
    assert "Samverkan Syd" in header_part(reader.get(url).text)


def test_header_part_for_htmx_is_the_pages_header(app, as_user, demo, paper, cache):  # noqa: F811
    official = as_user(SKANE)
    page = official.get(paper["url"]).text
    frag = official.hx_get(paper["url"] + "?part=header")
    assert frag.status_code == 200 and "<html" not in frag.text
    assert frag.text.lstrip().startswith('<div id="paper-header"')
    assert without_tokens(frag.text).strip() in without_tokens(page)
    assert kept.TOKEN_PLACEHOLDER not in frag.text and len(set(TOKEN_RE.findall(frag.text))) == 1


def test_one_section_is_shared_but_each_viewer_gets_their_own(app, as_user, demo, paper, cache):  # noqa: F811
    """What every open page fetches after a save: rights, own comments, token and presence
    per viewer, and the save itself at once."""
    tid, cid = make_thread(app, demo, paper, email=POLITICIAN, body="Min fråga.")
    url = f"{paper['url']}/sections/{paper['section']}"
    edit_button = f'hx-get="{url}?edit=1"'
    own_edit = f'/comments/{cid}/edit"'
    reader, writer, official = as_user(READER), as_user(POLITICIAN), as_user(SKANE)
    peer = as_user("politiker.skane@demo.example")  # the writer's role and rights
    tokens = set()
    for _ in range(2):
        for who in (reader, writer, official, peer):
            frag = who.hx_get(url)
            assert frag.status_code == 200 and "<html" not in frag.text and "nya stambanor" in frag.text
            assert (edit_button in frag.text) is (who is official)
            assert (own_edit in frag.text) is (who is writer)
            assert kept.TOKEN_PLACEHOLDER not in frag.text
            tokens |= set(TOKEN_RE.findall(frag.text))
    assert cache.hits >= 3 and len(tokens) >= 3  # each person's own token
    # Someone starts editing: the others see it; a save shows on the next fetch.
    assert official.post(f"{paper['url']}/presence", {"client_id": "tab-1",
                                                      "section_id": str(paper["section"])}).status_code == 204
    with app.app_context():
        name = demo.user(SKANE).name
    assert f"{name} redigerar avsnittet" in reader.hx_get(url).text
    assert official.post(url, {"html": "<p>Hamnarna behöver räls.</p>", "base_revision_id": paper["base"]},
                         htmx=True).status_code == 200
    text = reader.hx_get(url).text
    assert "Hamnarna behöver räls." in text and "nya stambanor" not in text


def test_one_section_without_a_cache_is_the_same(app, as_user, demo, paper, monkeypatch):  # noqa: F811
    make_thread(app, demo, paper, body="Utan cache.")
    official = as_user(SKANE)
    url = f"{paper['url']}/sections/{paper['section']}"
    cached = official.hx_get(url).text
    monkeypatch.setitem(app.extensions, "samverkan.kept", BoundedCache(0))
    plain = official.hx_get(url).text
    assert "Utan cache." in plain and without_tokens(plain) == without_tokens(cached)


def versions_part(html: str) -> str:
    return html[html.index('id="paper-versions"'):html.index('id="paper-export"')]


def test_versions_follow_a_new_version_and_only_writers_get_the_form(app, as_user, demo, paper, cache):  # noqa: F811
    reader, official = as_user(READER), as_user(SKANE)
    form = f'action="{paper["url"]}/versions"'
    for _ in range(2):
        assert form not in versions_part(reader.get(paper["url"]).text)
        assert form in versions_part(official.get(paper["url"]).text)
    assert "Inga namngivna versioner ännu." in versions_part(reader.get(paper["url"]).text)
    frag = official.post(f"{paper['url']}/versions", {"name": "Remissversion 1"}, htmx=True)
    assert frag.status_code == 200 and "Remissversion 1" in frag.text
    assert "Remissversion 1" in versions_part(reader.get(paper["url"]).text)
    # A refused name answers with the form and its message, never from the cache.
    bad = official.post(f"{paper['url']}/versions", {"name": ""}, htmx=True)
    assert bad.status_code == 422 and "Ge versionen ett namn." in bad.text
    assert "Ge versionen ett namn." not in versions_part(official.get(paper["url"]).text)


def removed_part(html: str) -> str:
    return html[html.index('id="section-list"'):html.index('<aside class="paper-aside"')].split("</ol>", 1)[1]


def test_removed_sections_follow_remove_and_restore_and_are_shared(app, as_user, demo, paper, cache):  # noqa: F811
    official, other = as_user(SKANE), as_user("tjansteman.kronoberg@demo.example")
    url, sid = paper["url"], paper["section"]
    assert official.post(f"{url}/sections", {"title": "Finansiering"}, htmx=True).status_code == 200
    assert "borttaget avsnitt" not in removed_part(official.get(url).text)
    assert official.post(f"{url}/sections/{sid}/remove", htmx=True).status_code == 200  # "Bakgrund"
    for who in (official, other):
        part = removed_part(who.get(url).text)
        assert "1 borttaget avsnitt" in part and "Bakgrund" in part
        assert f'{url}/sections/{sid}/restore' in part
    with recorded_statements(app) as statements:
        assert "1 borttaget avsnitt" in removed_part(other.get(url).text)
    assert statements and not [s for s in statements if "deleted_at IS NOT NULL" in s]  # from the cache
    assert official.post(f"{url}/sections/{sid}/restore", htmx=True).status_code == 200
    assert "borttaget avsnitt" not in removed_part(other.get(url).text)


# --- one section at a time -------------------------------------------------------------

@pytest.fixture
def three_sections(app, demo):
    """A paper of three sections (first, middle, last: their move buttons differ)."""
    from workspace.papers import services as papers

    with app.test_request_context(method="POST"):
        p = papers.create_paper(demo.user(SKANE), demo.workspace("sydsverige"), title="Tre avsnitt",
                                sections=[("Ett", "<p>Första texten.</p>"), ("Två", "<p>Andra texten.</p>"),
                                          ("Tre", "<p>Tredje texten.</p>")])
        db.session.commit()
        return {"url": f"/w/sydsverige/papers/{p.id}",
                "sections": [(s.id, s.current_revision_id) for s in p.live_sections]}


@pytest.fixture
def rendered(monkeypatch):
    """What the page cache renders, in order: a section as its id, another part by its template."""
    seen: list = []
    real = page_cache._renderer

    def spy(template, ctx):
        render = real(template, ctx)

        def recorded():
            seen.append(ctx["section"].id if template == "papers/_section.html" else template)
            return render()
        return recorded

    monkeypatch.setattr(page_cache, "_renderer", spy)
    return seen


def section_html(page: str, sid: int) -> str:
    start = page.index(f'<li id="section-{sid}"')
    return page[start:page.index("</section>\n</li>", start)]  # its comment panel closes it


def test_after_a_save_the_next_view_renders_only_that_section(app, as_user, three_sections, cache, rendered):
    official, reader = as_user(SKANE), as_user(READER)
    url, ((one, _), (two, base_two), (three, _)) = three_sections["url"], three_sections["sections"]
    reader.get(url)
    assert rendered == ["papers/_header.html", one, two, three, "papers/_versions.html", "export/_paper_card.html"]
    rendered.clear()
    assert official.post(f"{url}/sections/{two}", {"html": "<p>Andra, ändrad.</p>",
                                                   "base_revision_id": base_two}, htmx=True).status_code == 200
    rendered.clear()  # the save's own answer is not the page
    page = reader.get(url).text
    # The header tells of changes during a round; the named versions do not change.
    assert rendered == ["papers/_header.html", two]
    assert "Andra, ändrad." in section_html(page, two) and "Första texten." in section_html(page, one)
    # The page equals one drawn from scratch.
    cache.clear()
    assert without_tokens(reader.get(url).text) == without_tokens(page)


@pytest.mark.parametrize("which", [0, 1, 2])
def test_a_saves_answer_is_the_section_as_stored_without_reading_the_paper_again(app, as_user, three_sections,
                                                                                 which):
    """The answer to a save: the section as a fresh view draws it (with its first and last
    buttons right), from one UPDATE of the section, the paper's section ids rather than its
    sections, and nothing read again that the save itself wrote (issue 10)."""
    official = as_user(SKANE)
    url, sections = three_sections["url"], three_sections["sections"]
    sid, base = sections[which]
    official.csrf()  # fetched before: only the save is counted
    with recorded_statements(app) as statements:
        resp = official.post(f"{url}/sections/{sid}", {"html": "<p>Ändrad text.</p>", "base_revision_id": base},
                             htmx=True)
    assert resp.status_code == 200 and "Ändrad text." in resp.text
    assert len([s for s in statements if s.lstrip().startswith("UPDATE section")]) == 1, statements
    # Not the sections of the paper (only their ids), and not the person, the membership, the
    # paper or the section once more after the commit.
    assert not [s for s in statements if "section.title" in s and "section.paper_id =" in s], statements
    users = [s for s in statements if re.search(r'FROM "?user"?\s', s)]
    assert len(users) == 1, "\n\n".join(users)
    assert len([s for s in statements if re.search(r"FROM paper\s", s)]) == 1, statements
    fresh = official.hx_get(f"{url}/sections/{sid}").text
    saved = re.sub(r'<p class="[^"]*" role="status">Sparat.</p>', "", resp.text)  # the save's own word
    assert " ".join(without_tokens(saved).split()) == " ".join(without_tokens(fresh).split())


def test_a_comment_renders_only_its_section_and_the_refresh_shares_it(app, as_user, demo, three_sections,
                                                                        cache, rendered):
    from workspace.comments import services as comments
    from workspace.papers.models import Section

    reader, writer = as_user(READER), as_user(POLITICIAN)
    url, ((one, _), (two, _), (three, _)) = three_sections["url"], three_sections["sections"]
    reader.get(url)
    rendered.clear()
    with app.test_request_context(method="POST"):
        comments.start_thread(demo.user(POLITICIAN), db.session.get(Section, three), "Fråga om tre.", None)
        db.session.commit()
    # The refresh every open page fetches renders the section once for each kind of viewer …
    assert "Fråga om tre." in reader.hx_get(f"{url}/sections/{three}").text
    assert rendered == [three]
    # … and the next page view takes it from there.
    page = reader.get(url).text
    assert rendered == [three, "papers/_header.html"] and "Fråga om tre." in section_html(page, three)
    assert "Fråga om tre." not in section_html(page, two)
    # The writer has buttons of their own, in every section (a viewer of their own).
    rendered.clear()
    assert "Fråga om tre." in writer.get(url).text and [r for r in rendered if isinstance(r, int)] == [one, two, three]


def test_a_change_to_the_whole_paper_renders_every_section(app, as_user, three_sections, cache, rendered):
    official = as_user(SKANE)
    url, ids = three_sections["url"], [sid for sid, _ in three_sections["sections"]]
    assert 'hx-get="' + f"{url}/sections/{ids[0]}?edit=1" in official.get(url).text
    assert official.post(f"{url}/status", {"status": "review"}).status_code == 303
    rendered.clear()
    official.get(url)
    assert rendered == ["papers/_header.html", *ids, "papers/_versions.html"]


def test_moving_and_removing_keep_the_first_and_last_buttons_right(app, as_user, three_sections, cache):
    official = as_user(SKANE)
    url, ((one, _), (two, _), (three, _)) = three_sections["url"], three_sections["sections"]

    def disabled(page: str, sid: int) -> set[str]:
        part = section_html(page, sid)
        return {d for d in ("up", "down") if re.search(rf'value="{d}"[^>]*disabled', part)}

    page = official.get(url).text
    assert (disabled(page, one), disabled(page, two), disabled(page, three)) == ({"up"}, set(), {"down"})
    assert official.post(f"{url}/sections/{three}/move", {"direction": "up"}, htmx=True).status_code == 200
    page = official.get(url).text  # Ett, Tre, Två
    assert page.index(f'id="section-{three}"') < page.index(f'id="section-{two}"')
    assert (disabled(page, one), disabled(page, three), disabled(page, two)) == ({"up"}, set(), {"down"})
    assert official.post(f"{url}/sections/{one}/remove", htmx=True).status_code == 200
    page = official.get(url).text  # Tre, Två
    assert f'id="section-{one}"' not in page
    assert (disabled(page, three), disabled(page, two)) == ({"up"}, {"down"})
    cache.clear()
    assert without_tokens(official.get(url).text) == without_tokens(page)


def test_many_changes_at_once_start_the_sections_anew(app, as_user, three_sections, cache, rendered, monkeypatch):
    monkeypatch.setattr(page_cache, "_MAX_CHANGES", 1)
    official, reader = as_user(SKANE), as_user(READER)
    url, ((one, _), (two, base_two), (three, _)) = three_sections["url"], three_sections["sections"]
    reader.get(url)
    assert official.post(f"{url}/sections/{one}/rename", {"title": "Ett nytt"}, htmx=True).status_code == 200
    assert official.post(f"{url}/sections/{two}", {"html": "<p>Två nytt.</p>", "base_revision_id": base_two},
                         htmx=True).status_code == 200
    rendered.clear()
    page = reader.get(url).text
    assert [r for r in rendered if isinstance(r, int)] == [one, two, three]
    assert "Ett nytt" in section_html(page, one) and "Två nytt." in section_html(page, two)


def export_part(html: str) -> str:
    return html[html.index('id="paper-export"'):html.index("</aside>")]


def test_the_export_card_follows_pdf_and_the_viewers_rights(app, as_user, demo, paper, cache):  # noqa: F811
    reader, secretariat = as_user(READER), as_user("kansli@demo.example")
    pdf = f'href="{paper["url"]}/export">PDF<'
    app.config["EXPORT_SOFFICE"] = "/bin/true"  # LibreOffice "installed"
    try:
        for _ in range(2):
            assert pdf in export_part(reader.get(paper["url"]).text)
        template_link = "/export/template"
        assert template_link not in export_part(reader.get(paper["url"]).text)
        assert template_link in export_part(secretariat.get(paper["url"]).text)
        app.config["EXPORT_SOFFICE"] = ""  # turned off: the card says so on the next view
        assert pdf not in export_part(reader.get(paper["url"]).text)
    finally:
        app.config.pop("EXPORT_SOFFICE")


# --- the whole page, seen again as it was -------------------------------------------------

@pytest.fixture
def pages_drawn(monkeypatch):
    """How many times the paper page's template was drawn (not taken as kept)."""
    from workspace.web import rendering

    drawn = {"n": 0}
    real = rendering.render_template

    def spy(template, **ctx):
        drawn["n"] += template == "papers/detail.html"
        return real(template, **ctx)

    monkeypatch.setattr(rendering, "render_template", spy)
    return drawn


def test_the_same_page_again_is_kept_with_a_fresh_token(app, as_user, demo, paper, cache, pages_drawn):  # noqa: F811
    reader = as_user(READER)
    first = reader.get(paper["url"]).text
    second = reader.get(paper["url"]).text
    assert pages_drawn["n"] == 1 and without_tokens(second) == without_tokens(first)
    assert kept.TOKEN_PLACEHOLDER not in second and TOKEN_RE.search(second)
    # Another person with the same rights: their own page (their name, their id, their token).
    other = as_user(POLITICIAN)
    page = other.get(paper["url"]).text
    assert pages_drawn["n"] == 2
    with app.app_context():
        reader_id, other_id = demo.user(READER).id, demo.user(POLITICIAN).id
    assert f'data-user-id="{other_id}"' in page and f'data-user-id="{reader_id}"' not in page
    # The kept page's token works for a write.
    tid, _ = make_thread(app, demo, paper)
    reader.get(paper["url"])
    resp = reader.post(f"{paper['url']}/threads/{tid}/replies", {"body": "Med sidans nyckel."}, htmx=True)
    assert resp.status_code == 200 and "Med sidans nyckel." in resp.text


def test_what_the_page_shows_beside_the_paper_is_never_stale(app, as_user, demo, paper, cache, pages_drawn):  # noqa: F811
    """Changes that are not events of the paper: the bell, the person's name, who is here, the
    path (the language switch returns there), a flashed message."""
    from workspace.events import Event
    from workspace.notifications.models import Notification

    def unread(page: str) -> int:
        found = re.search(r'id="notification-count">(\d+)<', page)
        return int(found.group(1)) if found else 0

    reader, official = as_user(READER), as_user(SKANE)
    url = paper["url"]
    before = unread(reader.get(url).text)
    with app.app_context():
        event = db.session.scalars(db.select(Event).order_by(Event.id.desc())).first()
        db.session.add(Notification(user_id=demo.user(READER).id, workspace_id=demo.workspace("sydsverige").id,
                                    event_id=event.id, kind="mention"))
        db.session.commit()
    assert unread(reader.get(url).text) == before + 1
    with app.app_context():
        demo.user(READER).name = "Nytt Namn Läsare"
        db.session.commit()
    assert "Nytt Namn Läsare" in reader.get(url).text
    assert official.post(f"{url}/presence", {"client_id": "tab-1"}).status_code == 204
    with app.app_context():
        name = demo.user(SKANE).name
    assert name in reader.get(url).text.split('id="paper-sections"')[0]  # among those here
    drawn = pages_drawn["n"]
    for _ in range(2):  # a query string is not kept (any string would be a new entry)
        assert 'value="/w/sydsverige/papers/%d?visa=1"' % paper["id"] in reader.get(url + "?visa=1").text
    assert pages_drawn["n"] == drawn + 2
    with reader.http.session_transaction() as s:
        s["_flashes"] = [("success", "Ett meddelande en gång.")]
    drawn = pages_drawn["n"]
    assert "Ett meddelande en gång." in reader.get(url).text and pages_drawn["n"] == drawn + 1
    assert "Ett meddelande en gång." not in reader.get(url).text


def test_an_event_elsewhere_keeps_the_page_but_moves_the_streams_start(app, as_user, demo, paper, cache,  # noqa: F811
                                                                        pages_drawn):
    from workspace.live.hub import newest_event_id
    from workspace.papers import services as papers

    def stream_start(page: str) -> int:
        return int(re.search(r'sse-connect="[^"]*after=(\d+)', page).group(1))

    reader = as_user(READER)
    first = reader.get(paper["url"]).text
    with app.test_request_context(method="POST"):
        papers.create_paper(demo.user(SKANE), demo.workspace("sydsverige"), title="Ett annat papper",
                            sections=[("Annat", "<p>Annan text.</p>")])
        db.session.commit()
        newest = newest_event_id()
    second = reader.get(paper["url"]).text
    assert pages_drawn["n"] == 1 and stream_start(first) < stream_start(second) == newest
    assert f"paper={paper['id']}" in second.split('sse-connect="')[1].split('"')[0]


def test_a_kept_page_is_the_page_as_drawn(app, as_user, demo, paper, monkeypatch):  # noqa: F811
    make_thread(app, demo, paper, body="Hela sidan.")
    reader = as_user(READER)
    reader.get(paper["url"])
    kept_page = reader.get(paper["url"]).text
    monkeypatch.setitem(app.extensions, "samverkan.kept", BoundedCache(0))
    plain = reader.get(paper["url"]).text
    assert "Hela sidan." in plain and without_tokens(plain) == without_tokens(kept_page)
