import io
import threading

import pytest
from sqlalchemy import func, select

from tests.conftest import Client
from tests.docx_factory import position_paper_docx
from workspace.db import db
from workspace.papers.models import Paper, Revision, Section, Snapshot

SKANE = "tjansteman.skane@demo.example"
KRONOBERG = "tjansteman.kronoberg@demo.example"
P = "/w/sydsverige/papers"


@pytest.fixture
def paper(app, as_user):
    c = as_user(SKANE)
    resp = c.post(P + "/new", {"title": "Nya stambanor genom Sydsverige", "kind": "position_paper",
                               "policy_area_id": "", "lead_organization_id": "", "registration_number": "",
                               "deadline": "2026-12-31"})
    assert resp.status_code == 303
    paper_id = int(resp.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        p = db.session.get(Paper, paper_id)
        s = p.live_sections[0]
        return {"id": paper_id, "section": s.id, "base": s.current_revision_id}


def count(app, model, **where):
    with app.app_context():
        stmt = select(func.count()).select_from(model)
        for k, v in where.items():
            stmt = stmt.where(getattr(model, k) == v)
        return db.session.scalar(stmt)


def test_list_page_and_fragment(as_user, paper):
    c = as_user("lasare@demo.example")
    page = c.get(P + "?q=stambanor")
    assert page.status_code == 200 and "Nya stambanor" in page.text and "<html" in page.text
    frag = c.hx_get(P + "?q=stambanor&sort=title&dir=asc")
    assert frag.status_code == 200 and "<html" not in frag.text and "Nya stambanor" in frag.text
    assert "HX-Request" in frag.headers["Vary"]
    assert "Nya stambanor" not in c.hx_get(P + "?q=finnsinte").text
    assert c.get(P + "?page=999&sort=bogus&kind=bogus&area=x").status_code == 200


@pytest.mark.parametrize("data,message", [
    ({"title": ""}, "Ange en rubrik"),
    ({"title": "x" * 301}, "Högst 300 tecken"),
    ({"title": "Ok", "kind": "novel"}, "Inte ett giltigt val"),
    ({"title": "Ok", "deadline": "2026-13-45"}, "datum"),
    ({"title": "Ok", "policy_area_id": "999999"}, "Inte ett giltigt val"),
])
def test_create_bad_input(app, as_user, data, message):
    c = as_user(SKANE)
    form = {"kind": "position_paper", "policy_area_id": "", "lead_organization_id": "", "registration_number": ""}
    form.update(data)
    before = count(app, Paper)
    resp = c.post(P + "/new", form)
    assert resp.status_code == 422
    assert message.lower() in resp.text.lower()
    assert count(app, Paper) == before


def test_paper_page_and_every_fragment(as_user, paper):
    c = as_user(SKANE)
    url = f"{P}/{paper['id']}"
    assert "Nya stambanor" in c.get(url).text
    for part in ("sections", "header", "versions"):
        frag = c.hx_get(f"{url}?part={part}")
        assert frag.status_code == 200 and "<html" not in frag.text
    sec = c.hx_get(f"{url}/sections/{paper['section']}")
    assert sec.status_code == 200 and f'id="section-{paper["section"]}"' in sec.text
    editor = c.hx_get(f"{url}/sections/{paper['section']}?edit=1")
    assert "data-editor" in editor.text and f'value="{paper["base"]}"' in editor.text


def test_readers_get_no_editor(as_user, paper):
    c = as_user("lasare@demo.example")
    text = c.hx_get(f"{P}/{paper['id']}/sections/{paper['section']}?edit=1").text
    assert "data-editor" not in text


def save(c, paper, html, base, htmx=True):
    return c.post(f"{P}/{paper['id']}/sections/{paper['section']}", {"html": html, "base_revision_id": base}, htmx=htmx)


def test_save_then_stale_save_merges(app, as_user, paper):
    skane, kronoberg = as_user(SKANE), as_user(KRONOBERG)
    r1 = save(skane, paper, "<p>Ett.</p><p>Två.</p>", paper["base"])
    assert r1.status_code == 200 and "Ett." in r1.text
    with app.app_context():
        base = db.session.get(Section, paper["section"]).current_revision_id
    save(skane, paper, "<p>Ett, Skåne.</p><p>Två.</p>", base)
    r = save(kronoberg, paper, "<p>Ett.</p><p>Två, Kronoberg.</p>", base)
    assert r.status_code == 200 and "sammanfogad" in r.text
    assert "Ett, Skåne." in r.text and "Två, Kronoberg." in r.text


def test_conflict_returns_the_conflict_view_and_saves_nothing(app, as_user, paper):
    skane, kronoberg = as_user(SKANE), as_user(KRONOBERG)
    save(skane, paper, "<p>Ett.</p>", paper["base"])
    with app.app_context():
        base = db.session.get(Section, paper["section"]).current_revision_id
    save(skane, paper, "<p>Ett enligt Skåne.</p>", base)
    before = count(app, Revision, section_id=paper["section"])
    r = save(kronoberg, paper, "<p>Ett enligt Kronoberg.</p>", base)
    assert r.status_code == 409
    assert "Ett enligt Skåne." in r.text and "Ett enligt Kronoberg." in r.text and "Sara Lindqvist" in r.text
    assert count(app, Revision, section_id=paper["section"]) == before
    # resolving: save the combined text on top of the current revision
    with app.app_context():
        current = db.session.get(Section, paper["section"]).current_revision_id
    ok = save(kronoberg, paper, "<p>Ett enligt båda.</p>", current)
    assert ok.status_code == 200 and "Ett enligt båda." in ok.text


@pytest.mark.parametrize("data", [
    {"html": "<p>x</p>", "base_revision_id": "abc"},
    {"html": "<p>x</p>", "base_revision_id": "999999"},
    {"html": "<p>" + "x" * 400_001 + "</p>", "base_revision_id": ""},
])
def test_save_bad_input(app, as_user, paper, data):
    c = as_user(SKANE)
    before = count(app, Revision, section_id=paper["section"])
    r = c.post(f"{P}/{paper['id']}/sections/{paper['section']}", data, htmx=True)
    assert r.status_code == 422 and 'class="field-error"' in r.text
    assert count(app, Revision, section_id=paper["section"]) == before


def test_section_operations(app, as_user, paper):
    c = as_user(SKANE)
    url = f"{P}/{paper['id']}"
    r = c.post(url + "/sections", {"title": "Krav"}, htmx=True)
    assert r.status_code == 200 and "Krav" in r.text
    r = c.post(url + "/sections", {"title": ""}, htmx=True)
    assert r.status_code == 422 and 'id="new-section-error"' in r.text and 'aria-invalid="true"' in r.text
    long_title = "Lång rubrik " * 30  # over 300 characters: refused, and what was written stays
    r = c.post(url + "/sections", {"title": long_title}, htmx=True)
    assert r.status_code == 422 and 'id="new-section-error"' in r.text and f'value="{long_title}"' in r.text
    assert 'id="new-section-error"' not in c.get(url).text  # a new page has an empty form
    with app.app_context():
        ids = [s.id for s in db.session.get(Paper, paper["id"]).live_sections]
    krav = ids[1]
    r = c.post(f"{url}/sections/{krav}/move", {"direction": "up"}, htmx=True)
    assert r.status_code == 200 and "nu avsnitt 1 av 2" in r.text
    assert c.post(f"{url}/sections/{krav}/move", {"direction": "sideways"}, htmx=True).status_code == 422
    assert c.post(url + "/sections/order", {"section": [str(ids[0])]}, htmx=True).status_code == 422
    assert c.post(url + "/sections/order", {"section": ["x"]}, htmx=True).status_code == 422
    assert c.post(url + "/sections/order", {"section": [str(i) for i in ids]}, htmx=True).status_code == 200
    r = c.post(f"{url}/sections/{krav}/rename", {"title": "Våra krav"}, htmx=True)
    assert r.status_code == 200 and "Våra krav" in r.text
    assert c.post(f"{url}/sections/{krav}/rename", {"title": " "}, htmx=True).status_code == 422
    r = c.post(f"{url}/sections/{krav}/remove", {}, htmx=True)
    assert r.status_code == 200 and "kan återställas" in r.text
    assert c.post(f"{url}/sections/{ids[0]}/remove", {}, htmx=True).status_code == 422  # the last one
    r = c.post(f"{url}/sections/{krav}/restore", {}, htmx=True)
    assert r.status_code == 200 and "Våra krav" in r.text
    assert c.post(f"{url}/sections/{krav}/restore", {}, htmx=True).status_code == 422


def test_history_diff_and_restore(app, as_user, paper):
    c = as_user(SKANE)
    save(c, paper, "<p>Första texten.</p>", paper["base"])
    with app.app_context():
        revs = db.session.scalars(select(Revision).where(Revision.section_id == paper["section"])
                                  .order_by(Revision.number)).all()
        ids = [r.id for r in revs]
    h = c.get(f"{P}/{paper['id']}/history")
    assert h.status_code == 200 and "Sara Lindqvist" in h.text
    d = c.hx_get(f"{P}/{paper['id']}/sections/{paper['section']}/history?a={ids[0]}&b={ids[1]}")
    assert d.status_code == 200 and "<ins>Första texten.</ins>" in d.text and "&lt;p&gt;" not in d.text
    r = c.post(f"{P}/{paper['id']}/sections/{paper['section']}/revisions/{ids[0]}/restore", {})
    assert r.status_code == 303
    assert count(app, Revision, section_id=paper["section"]) == 3
    other = c.post(f"{P}/{paper['id']}/sections/{paper['section']}/revisions/999999/restore", {})
    assert other.status_code == 404


def test_versions_create_show_compare(app, as_user, paper):
    c = as_user(SKANE)
    url = f"{P}/{paper['id']}"
    assert c.post(url + "/versions", {"name": ""}, htmx=True).status_code == 422
    r = c.post(url + "/versions", {"name": "Remissversion 1"}, htmx=True)
    assert r.status_code == 200 and "Remissversion 1" in r.text
    save(c, paper, "<p>Ändrat efter remissen.</p>", paper["base"])
    with app.app_context():
        snap = db.session.scalar(select(Snapshot).where(Snapshot.paper_id == paper["id"]))
        snap_id = snap.id
    page = c.get(f"{url}/versions/{snap_id}")
    assert page.status_code == 200 and "Texten har ändrats sedan denna version" in page.text
    cmp = c.hx_get(f"{url}/versions/compare?a={snap_id}")
    assert cmp.status_code == 200 and "<ins>Ändrat efter remissen.</ins>" in cmp.text
    assert c.get(f"{url}/versions/999999").status_code == 404


def test_status_change_and_read_only_after_adoption(app, as_user, paper):
    official, kansli = as_user(SKANE), as_user("kansli@demo.example")
    url = f"{P}/{paper['id']}"
    assert official.post(url + "/status", {"status": "review"}).status_code == 303
    # Adoption goes through an approval round (tests/http/test_decisions.py), never by hand.
    for to in ("decision", "adopted"):
        assert kansli.post(url + "/status", {"status": to}, htmx=True).status_code == 422
    with app.app_context():
        p = db.session.get(Paper, paper["id"])
        p.status, p.registration_number = "adopted", "RSS 2026/3"
        db.session.commit()
    r = save(official, paper, "<p>Sent.</p>", paper["base"])
    assert r.status_code == 422 and "fastställt" in r.text
    page = official.get(url).text
    assert "Redigera" not in page and "kan inte längre ändras" in page


def test_import_preview_then_create(app, as_user):
    c = as_user(SKANE)
    before = count(app, Paper)
    r = c.post(P + "/import", {"file": (io.BytesIO(position_paper_docx()), "gods.docx")},
               content_type="multipart/form-data")
    assert r.status_code == 200 and "Förhandsgranskning" in r.text and "Ställningstagande" in r.text
    assert count(app, Paper) == before  # nothing before confirming
    token = r.text.split('name="token" value="')[1].split('"')[0]
    ok = c.post(P + "/import", {"token": token, "title": "Godstrafik i Sydsverige", "kind": "position_paper",
                                "policy_area_id": "", "lead_organization_id": "", "registration_number": ""})
    assert ok.status_code == 303
    with app.app_context():
        p = db.session.scalar(select(Paper).where(Paper.title == "Godstrafik i Sydsverige"))
        assert [s.title for s in p.live_sections] == ["Bakgrund", "Ställningstagande"]
    again = c.post(P + "/import", {"token": token, "title": "X", "kind": "position_paper",
                                   "policy_area_id": "", "lead_organization_id": "", "registration_number": ""})
    assert again.status_code == 422 and "gått ut" in again.text


@pytest.mark.parametrize("data,name,message", [
    (b"not word", "x.docx", "inte ett Word-dokument"),
    (b"PK\x03\x04broken", "x.docx", "skadad"),
    (b"x", "x.pdf", ".docx"),
])
def test_import_bad_files(app, as_user, data, name, message):
    c = as_user(SKANE)
    before = count(app, Paper)
    r = c.post(P + "/import", {"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")
    assert r.status_code == 422 and message in r.text
    assert count(app, Paper) == before
    r = c.post(P + "/import", {}, content_type="multipart/form-data")
    assert r.status_code == 422 and "Välj en Word-fil" in r.text
    assert c.post(P + "/import", {"token": "../../etc"}).status_code == 422


def test_twenty_threads_saving_over_http_lose_nothing(app, demo, paper):
    clients = []
    for i in range(20):
        c = Client(app)
        c.login(SKANE if i % 2 else KRONOBERG)
        c.csrf()
        clients.append(c)
    statuses = []

    def worker(i):
        r = save(clients[i], paper, f"<p>Stycke {i}.</p>", paper["base"])
        statuses.append(r.status_code)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * 20
    assert count(app, Revision, section_id=paper["section"]) == 21
    with app.app_context():
        section = db.session.get(Section, paper["section"])
        for i in range(20):
            assert f"Stycke {i}." in section.current_revision.html


def test_policy_areas_are_editable_by_the_secretariat(app, as_user):
    from workspace.papers.models import PolicyArea

    c = as_user("kansli@demo.example")
    page = c.get(P + "/areas")
    assert page.status_code == 200 and "Kollektivtrafik" in page.text
    assert c.post(P + "/areas", {"name": "Hälsa och livsvillkor"}).status_code == 303
    for bad, message in (("", "Ange ett namn"), ("x" * 121, "högst 120"), ("kollektivtrafik", "finns redan")):
        r = c.post(P + "/areas", {"name": bad})
        assert r.status_code == 422 and message in r.text
    with app.app_context():
        area = db.session.scalar(select(PolicyArea).where(PolicyArea.name == "Hälsa och livsvillkor"))
        area_id = area.id
    assert c.post(f"{P}/areas/{area_id}/active", {"active": "0"}).status_code == 303
    assert c.post(f"{P}/areas/{area_id}/active", {"active": "x"}).status_code == 422
    new_form = as_user(SKANE).get(P + "/new").text
    assert "Hälsa och livsvillkor" not in new_form and "Kollektivtrafik" in new_form


def test_cli_import_prints_addresses(app, demo, tmp_path):
    good = tmp_path / "gods.docx"
    good.write_bytes(position_paper_docx("CLI-importerat"))
    bad = tmp_path / "trasig.docx"
    bad.write_bytes(b"inte word")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["papers", "import", str(good), str(bad), "--workspace", "sydsverige", "--as", SKANE])
    assert result.exit_code == 1
    assert "/w/sydsverige/papers/" in result.output and "trasig.docx" in result.output
    with app.app_context():
        assert db.session.scalar(select(Paper).where(Paper.title == "CLI-importerat")) is not None
