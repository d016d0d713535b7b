"""Export over HTTP: downloads, versions, 404 for others' papers, jobs with polling, the template."""
import io
import time
import zipfile

import pytest
from sqlalchemy import select

from tests.unit.export import templates
from tests.unit.export.docx_check import body_paragraphs, needs_libreoffice, open_docx, pdf_bytes_text
from workspace.db import db
from workspace.export import services as export_services
from workspace.export.models import ExportJob, ExportTemplate
from workspace.papers import services as papers
from workspace.papers.models import Paper

SKANE = "tjansteman.skane@demo.example"
KANSLI = "kansli@demo.example"
READER = "lasare@demo.example"
OUTSIDER = "tjansteman.ystad@demo.example"
W = "/w/sydsverige"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def paper(app, demo):
    with app.test_request_context(method="POST"):
        ws = demo.workspace("sydsverige")
        p = papers.create_paper(demo.user(SKANE), ws, title="Nya stambanor", registration_number="RSS 2026/3",
                                sections=[("Bakgrund", "<p>Första texten.</p>"), ("Krav", "<ol><li>Ett</li></ol>")])
        db.session.flush()
        snap = papers.create_snapshot(demo.user(SKANE), p, "Remissversion 1")
        s = p.live_sections[0]
        papers.save_section(demo.user(SKANE), s, "<p>Andra texten.</p>", s.current_revision_id)
        db.session.commit()
        return {"id": p.id, "snapshot": snap.id}


def test_a_reader_downloads_the_current_text(as_user, paper):
    resp = as_user(READER).get(f"{W}/papers/{paper['id']}/export.docx")
    assert resp.status_code == 200
    assert resp.mimetype == DOCX
    assert 'filename=rss-2026-3-nya-stambanor.docx' in resp.headers["Content-Disposition"]
    assert "no-store" in resp.headers["Cache-Control"]
    doc = open_docx(resp.data)
    texts = [p.text for p in body_paragraphs(doc)]
    assert "Andra texten." in texts and "Första texten." not in texts


def test_a_named_version(as_user, paper):
    c = as_user(READER)
    resp = c.get(f"{W}/papers/{paper['id']}/export.docx?version={paper['snapshot']}")
    assert resp.status_code == 200
    assert "remissversion-1.docx" in resp.headers["Content-Disposition"]
    texts = [p.text for p in body_paragraphs(open_docx(resp.data))]
    assert "Första texten." in texts
    changes = c.get(f"{W}/papers/{paper['id']}/export.docx?since={paper['snapshot']}")
    texts = [p.text for p in body_paragraphs(open_docx(changes.data))]
    assert "Ändringar sedan Remissversion 1" in texts


@pytest.mark.parametrize("query", ["version=999999", "version=abc", "since=-1", "version=99999999999999"])
def test_unknown_versions_are_not_found(as_user, paper, query):
    assert as_user(READER).get(f"{W}/papers/{paper['id']}/export.docx?{query}").status_code == 404


def test_a_version_of_another_paper_is_not_found(app, as_user, paper, demo):
    with app.test_request_context(method="POST"):
        other = papers.create_paper(demo.user(SKANE), demo.workspace("sydsverige"), title="Annat")
        snap = papers.create_snapshot(demo.user(SKANE), other, "V")
        db.session.commit()
        snap_id = snap.id
    assert as_user(READER).get(f"{W}/papers/{paper['id']}/export.docx?version={snap_id}").status_code == 404


def test_another_workspaces_paper_is_not_found(app, as_user, paper, demo):
    outsider = as_user(OUTSIDER)
    for suffix in ("export.docx", "export.pdf", "export"):
        assert outsider.get(f"{W}/papers/{paper['id']}/{suffix}").status_code == 404
        # nor through the outsider's own workspace address
        assert outsider.get(f"/w/sosk/papers/{paper['id']}/{suffix}").status_code == 404
    with app.app_context():
        sosk_paper = db.session.scalar(select(Paper).join(Paper.workspace).where(Paper.workspace.has(slug="sosk")))
    assert as_user(KANSLI).get(f"{W}/papers/{sosk_paper.id}/export.docx").status_code == 404


def test_paper_page_offers_export(as_user, paper):
    html = as_user(READER).get(f"{W}/papers/{paper['id']}").get_data(as_text=True)
    assert f'href="{W}/papers/{paper["id"]}/export.docx"' in html
    assert "Word-mall för exporter" not in html  # only the secretariat manages the template
    assert "Word-mall för exporter" in as_user(KANSLI).get(f"{W}/papers/{paper['id']}").get_data(as_text=True)


def test_options_page(app, as_user, paper):
    c = as_user(READER)
    html = c.get(f"{W}/papers/{paper['id']}/export").get_data(as_text=True)
    assert "Remissversion 1" in html and 'name="since"' in html
    assert ("Skapa PDF" in html) == export_services.pdf_available()
    assert "öppna kommentarer" not in html  # no comment provider in this build
    app.config["EXPORT_SOFFICE"] = ""
    try:
        html = c.get(f"{W}/papers/{paper['id']}/export").get_data(as_text=True)
        assert "Skapa PDF" not in html
        assert c.get(f"{W}/papers/{paper['id']}/export.pdf").status_code == 404
    finally:
        app.config.pop("EXPORT_SOFFICE")


@needs_libreoffice
def test_stable_pdf_address(as_user, paper):
    resp = as_user(READER).get(f"{W}/papers/{paper['id']}/export.pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    text = " ".join(pdf_bytes_text(resp.data).split())
    assert "Nya stambanor" in text and "Andra texten." in text


def _poll(c, url, timeout=90):
    deadline = time.time() + timeout
    while time.time() < deadline:
        resp = c.hx_get(url)
        assert resp.status_code == 200
        html = resp.get_data(as_text=True)
        if 'hx-trigger="load delay:500ms"' not in html:
            return html
        time.sleep(0.2)
    raise AssertionError("the job did not finish")


def test_zip_of_several_papers_with_progress(app, as_user, paper, demo):
    c = as_user(READER)
    with app.app_context():
        ids = [str(p) for p in db.session.scalars(
            select(Paper.id).join(Paper.workspace).where(Paper.workspace.has(slug="sydsverige")))]
    resp = c.post(f"{W}/exports", {"kind": "zip", "paper": ids}, htmx=True)
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert 'hx-trigger="load delay:500ms"' in html and 'hx-swap="outerHTML"' in html and 'hx-target="this"' in html
    with app.app_context():
        job = db.session.scalar(select(ExportJob).order_by(ExportJob.id.desc()))
    url = f"{W}/exports/{job.id}"
    done = _poll(c, url)
    export_services.wait_for_jobs()
    assert "Ladda ned" in done and f"{url}/download" in done
    full = c.get(url)  # the same address is a whole page
    assert full.status_code == 200 and "<html" in full.get_data(as_text=True)
    dl = c.get(f"{url}/download")
    assert dl.status_code == 200 and dl.mimetype == "application/zip"
    data = dl.data
    dl.close()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert len(zf.namelist()) == len(ids)
        assert "rss-2026-3-nya-stambanor.docx" in zf.namelist()
    # only the one who started it sees it
    assert as_user(KANSLI).get(url).status_code == 404
    assert as_user(KANSLI).get(f"{url}/download").status_code == 404


def test_a_form_post_without_htmx_goes_to_the_job_page(as_user, paper):
    resp = as_user(READER).post(f"{W}/exports", {"kind": "zip", "paper": [str(paper["id"])]})
    assert resp.status_code == 303 and "/exports/" in resp.headers["Location"]
    export_services.wait_for_jobs()


@pytest.mark.parametrize("data,message", [
    ({"kind": "zip"}, "Välj minst ett papper"),
    ({"kind": "zip", "paper": ["abc"]}, "Ogiltigt urval"),
    ({"kind": "zip", "paper": ["999999"]}, "finns inte"),
    ({"kind": "tar", "paper": ["1"]}, "Okänd exporttyp"),
    ({"kind": "pdf", "paper": ["{paper}"], "version": "x"}, "Okänd version"),
])
def test_bad_export_requests(as_user, paper, data, message):
    data = {k: ([x.format(paper=paper["id"]) for x in v] if isinstance(v, list) else v) for k, v in data.items()}
    resp = as_user(READER).post(f"{W}/exports", data, htmx=True)
    assert resp.status_code == 422
    assert message in resp.get_data(as_text=True)


def test_another_workspaces_paper_cannot_be_zipped(app, as_user, paper):
    resp = as_user(OUTSIDER).post("/w/sosk/exports", {"kind": "zip", "paper": [str(paper["id"])]}, htmx=True)
    assert resp.status_code == 422
    assert "Nya stambanor" not in resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(ExportJob)) is None


def test_download_before_it_is_done_is_not_found(app, as_user, paper, demo):
    c = as_user(READER)
    with app.test_request_context(method="POST"):
        job = export_services.start_job(demo.user(READER), demo.workspace("sydsverige"), "zip",
                                        {"paper_ids": [paper["id"]]})
        db.session.commit()
        job_id = job.id
    assert c.get(f"{W}/exports/{job_id}/download").status_code == 404
    html = c.hx_get(f"{W}/exports/{job_id}").get_data(as_text=True)
    assert "<progress" in html and 'hx-trigger="load delay:500ms"' in html


def test_papers_list_has_the_zip_form(as_user, paper):
    html = as_user(READER).get(f"{W}/papers").get_data(as_text=True)
    assert 'id="export-zip-form"' in html and f'value="{paper["id"]}" form="export-zip-form"' in html


# --- the template ------------------------------------------------------------------------------

def _upload(c, data, filename):
    return c.post(f"{W}/export/template", {"template": (io.BytesIO(data), filename)},
                  content_type="multipart/form-data")


def test_secretariat_uploads_a_template(app, as_user, paper):
    c = as_user(KANSLI)
    assert "Regionsamverkan Sydsverige.docx" in c.get(f"{W}/export/template").get_data(as_text=True)  # the demo's
    resp = _upload(c, templates.house_dotx(), "Sydsverige.dotx")
    assert resp.status_code == 303
    assert "Sydsverige.dotx" in c.get(f"{W}/export/template").get_data(as_text=True)
    doc = open_docx(c.get(f"{W}/papers/{paper['id']}/export.docx").data)
    assert "SYDSVERIGE-SIDHUVUD" in doc.sections[0].header.paragraphs[0].text


@pytest.mark.parametrize("make,filename,message", [
    (lambda: b"not a word file", "mall.dotx", "inte en Word-mall"),
    (templates.zip_bomb, "mall.docx", "orimligt mycket data"),
    (templates.without_headings, "mall.docx", "saknar formatmallarna"),
    (templates.house_dotx, "mall.odt", "slutar på .dotx eller .docx"),
])
def test_a_bad_template_keeps_the_previous_one(app, as_user, make, filename, message):
    c = as_user(KANSLI)
    assert _upload(c, templates.house_dotx(), "Bra.dotx").status_code == 303
    resp = _upload(c, make(), filename)
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert message in html and 'aria-invalid="true"' in html
    assert "Bra.dotx" in html  # still the current one
    with app.app_context():
        assert db.session.scalar(select(ExportTemplate.filename)) == "Bra.dotx"


def test_template_upload_without_a_file(as_user):
    resp = as_user(KANSLI).post(f"{W}/export/template", {}, content_type="multipart/form-data")
    assert resp.status_code == 422 and "Välj en Word-mall" in resp.get_data(as_text=True)


def test_remove_template(app, as_user):
    c = as_user(KANSLI)
    assert c.post(f"{W}/export/template/remove").status_code == 303  # the demo's template
    with app.app_context():
        assert db.session.scalar(select(ExportTemplate).where(ExportTemplate.workspace.has(slug="sydsverige"))) is None
    resp = c.post(f"{W}/export/template/remove")
    assert resp.status_code == 422 and "ingen egen mall" in resp.get_data(as_text=True)
    assert "Ingen egen mall" in c.get(f"{W}/export/template").get_data(as_text=True)


# --- PDF trouble, language ---------------------------------------------------------------------

def _fake_soffice(tmp_path, body: str) -> str:
    script = tmp_path / "soffice"
    script.write_text("#!/bin/sh\n" + body + "\n")
    script.chmod(0o755)
    return str(script)


def test_a_failing_conversion_says_so(app, as_user, paper, tmp_path):
    app.config["EXPORT_SOFFICE"] = _fake_soffice(tmp_path, "exit 1")
    try:
        resp = as_user(READER).get(f"{W}/papers/{paper['id']}/export.pdf")
        assert resp.status_code == 503
        assert "PDF-konverteringen misslyckades" in resp.get_data(as_text=True)
        c = as_user(READER)
        c.post(f"{W}/exports", {"kind": "pdf", "paper": [str(paper["id"])]}, htmx=True)
        export_services.wait_for_jobs()
        with app.app_context():
            job = db.session.scalar(select(ExportJob).order_by(ExportJob.id.desc()))
        html = c.hx_get(f"{W}/exports/{job.id}").get_data(as_text=True)
        assert "PDF-konverteringen misslyckades" in html and "load delay" not in html
    finally:
        app.config.pop("EXPORT_SOFFICE")


def test_a_hanging_conversion_is_stopped(app, as_user, paper, tmp_path):
    marker = tmp_path / "child-still-running"
    # The fake LibreOffice starts a child, as the real one does; both must be ended.
    app.config["EXPORT_SOFFICE"] = _fake_soffice(tmp_path, f"(sleep 3; touch {marker}) & sleep 30")
    app.config["EXPORT_PDF_TIMEOUT"] = 1
    try:
        started = time.time()
        resp = as_user(READER).get(f"{W}/papers/{paper['id']}/export.pdf")
        assert resp.status_code == 503 and time.time() - started < 10
        assert "tog för lång tid" in resp.get_data(as_text=True)
        time.sleep(3)
        assert not marker.exists()
    finally:
        app.config.pop("EXPORT_SOFFICE")
        app.config.pop("EXPORT_PDF_TIMEOUT")


def test_the_document_speaks_swedish_whatever_the_interface_language(as_user, paper):
    c = as_user(READER)
    c.post("/language", {"locale": "en"})
    assert "Choose version, comments and list of changes" in c.get(f"{W}/papers/{paper['id']}").get_data(as_text=True)
    doc = open_docx(c.get(f"{W}/papers/{paper['id']}/export.docx").data)
    cover = "".join(doc.element.body.itertext())
    assert "UTKAST" in cover and "Innehåll" in cover and "DRAFT" not in cover
