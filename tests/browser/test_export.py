"""Exports in the browser: the .zip from the papers list and the PDF from the export page
follow their job with htmx polling until the download link appears; downloads open."""
import io
import shutil
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_check
from tests.unit.export import templates
from tests.unit.export.docx_check import body_paragraphs, open_docx
from workspace.db import db
from workspace.papers import services

SKANE = "tjansteman.skane@demo.example"
READER = "lasare@demo.example"
KANSLI = "kansli@demo.example"


def make_papers(app, demo) -> list[int]:
    with app.test_request_context(method="POST"):
        ws = demo.workspace("sydsverige")
        ids = []
        for title in ("Godsstråk i Sydsverige", "Kultur i Sydsverige"):
            p = services.create_paper(demo.user(SKANE), ws, title=title,
                                      sections=[("Bakgrund", f"<p>{title} behövs.</p>")])
            ids.append(p.id)
        services.create_snapshot(demo.user(SKANE), p, "Remissversion 1")
        db.session.commit()
        return ids


def test_zip_of_chosen_papers_with_progress(app, demo, pages):
    ids = make_papers(app, demo)
    page = pages.new(READER)
    page.goto("/w/sydsverige/papers")
    axe_check(page)
    for pid in ids:
        page.check(f"#export-pick-{pid}")
    page.click("button:has-text('Exportera valda papper som .zip')")
    link = page.locator("#export-zip-progress a:has-text('Ladda ned')")
    expect(link).to_be_visible(timeout=60_000)
    axe_check(page)
    with page.expect_download() as dl:
        link.click()
    data = Path(dl.value.path()).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert sorted(zf.namelist()) == ["godsstrak-i-sydsverige.docx", "kultur-i-sydsverige.docx"]
        doc = open_docx(zf.read("kultur-i-sydsverige.docx"))
        assert "Kultur i Sydsverige behövs." in [p.text for p in body_paragraphs(doc)]


def test_nothing_chosen_says_so(app, demo, pages):
    make_papers(app, demo)
    page = pages.new(READER)
    page.goto("/w/sydsverige/papers")
    page.click("button:has-text('Exportera valda papper som .zip')")
    expect(page.locator("#export-zip-progress")).to_contain_text("Välj minst ett papper")


def test_word_download_of_a_named_version(app, demo, pages):
    ids = make_papers(app, demo)
    page = pages.new(READER)
    page.goto(f"/w/sydsverige/papers/{ids[1]}")
    page.click("a:has-text('Välj version, kommentarer och ändringslista')")
    axe_check(page)
    page.select_option("#export-version", label=page.locator("#export-version option").nth(1).inner_text())
    with page.expect_download() as dl:
        page.click("button:has-text('Hämta Word-fil')")
    assert dl.value.suggested_filename == "kultur-i-sydsverige-remissversion-1.docx"
    doc = open_docx(Path(dl.value.path()).read_bytes())
    assert "Remissversion 1" in "".join(doc.element.body.itertext())


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is installed by .ci/run")
def test_pdf_with_progress(app, demo, pages):
    ids = make_papers(app, demo)
    page = pages.new(READER)
    page.goto(f"/w/sydsverige/papers/{ids[0]}/export")
    page.click("button:has-text('Skapa PDF')")
    expect(page.locator("#export-progress .export-job")).to_be_visible()
    link = page.locator("#export-progress a:has-text('Ladda ned')")
    expect(link).to_be_visible(timeout=120_000)
    axe_check(page)
    with page.expect_download() as dl:
        link.click()
    assert Path(dl.value.path()).read_bytes().startswith(b"%PDF")


def test_secretariat_template_page(app, demo, pages, tmp_path):
    page = pages.new(KANSLI)
    page.goto("/w/sydsverige/export/template")
    axe_check(page)
    bad = tmp_path / "mall.docx"
    bad.write_bytes(templates.without_headings())
    page.set_input_files("#template-file", str(bad))
    page.click("button:has-text('Ladda upp')")
    expect(page.locator("#template-file-error")).to_contain_text("saknar formatmallarna")
    expect(page.locator("#template-file")).to_have_attribute("aria-invalid", "true")
    axe_check(page)
    good = tmp_path / "Sydsverige.dotx"
    good.write_bytes(templates.house_dotx())
    page.set_input_files("#template-file", str(good))
    page.click("button:has-text('Ladda upp')")
    expect(page.locator("#export-template")).to_contain_text("Sydsverige.dotx")
