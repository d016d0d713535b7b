"""Export services: papers from the database, extension points (with fake providers), the
workspace template, background jobs, and the round trip through the importer."""
import io
import zipfile
from datetime import timedelta

import pytest
from docx.oxml.ns import qn
from sqlalchemy import select

from tests.unit.export import templates
from tests.unit.export.docx_check import body_paragraphs, needs_libreoffice, open_docx, pdf_bytes_text, pdf_text
from workspace.db import db, utcnow
from workspace.events import Event
from workspace.export import services
from workspace.export.document import Appendix, CommentItem, CommentThread
from workspace.export.models import ExportJob, ExportTemplate
from workspace.export.template import TemplateError, normalise_template
from workspace.papers import services as papers
from workspace.papers.importer import parse_docx
from workspace.papers.sanitize import html_to_text

SKANE = "tjansteman.skane@demo.example"
KANSLI = "kansli@demo.example"
OUTSIDER = "tjansteman.ystad@demo.example"

SECTIONS = [
    ("Bakgrund", "<p>Sydsverige behöver <strong>nya stambanor</strong> och <em>snabba tåg</em>.</p>"
                 "<ul><li>Södra stambanan</li><li>Västkustbanan</li></ul>"),
    ("Krav", "<ol><li>Finansiering</li><li>Tidplan</li></ol><p>Läs mer på "
             '<a href="https://www.trafikverket.se/">Trafikverket</a>.</p>'
             "<table><thead><tr><th>Objekt</th><th>År</th></tr></thead><tbody><tr><td>Banan</td><td>2035</td></tr>"
             "</tbody></table>"),
    ("Avslutning", "<p>Tillsammans är vi starkare.</p><h2>Kontakt</h2><p>Kansliet.</p><h3>Adress</h3>"
                   "<p>Box 1.</p>"),
]


@pytest.fixture
def ws(ctx, demo):
    return demo.workspace("sydsverige")


@pytest.fixture
def paper(ws, demo):
    p = papers.create_paper(demo.user(SKANE), ws, title="Nya stambanor genom Sydsverige", sections=SECTIONS,
                            registration_number="RSS 2026/7")
    db.session.flush()
    return p


@pytest.fixture
def providers():
    """Fake providers for one test; the real ones (comments, decisions) come back after."""
    saved_comments, saved_appendices = services._comment_provider, dict(services._appendix_providers)
    services.set_comment_provider(None)
    services._appendix_providers.clear()
    yield
    services.set_comment_provider(saved_comments)
    services._appendix_providers.clear()
    services._appendix_providers.update(saved_appendices)


# --- papers from the database -------------------------------------------------------------

def test_paper_export_has_the_current_text(paper):
    doc = open_docx(services.export_paper_docx(paper))
    h1 = [p.text for p in body_paragraphs(doc) if p.style.name == "Heading 1"]
    assert h1 == ["Bakgrund", "Krav", "Avslutning"]
    assert doc.core_properties.title == "Nya stambanor genom Sydsverige"
    cover = "".join(doc.element.body.find(qn("w:sdt")).itertext())
    assert "Regionsamverkan Sydsverige" in cover and "RSS 2026/7" in cover and "Aktuell text" in cover
    assert "UTKAST" in cover


def test_named_version_and_changes_since(paper, demo):
    official = demo.user(SKANE)
    v1 = papers.create_snapshot(official, paper, "Remissversion 1")
    section = paper.live_sections[0]
    papers.save_section(official, section, "<p>Sydsverige behöver dubbelspår nu.</p>", section.current_revision_id)
    papers.add_section(official, paper, "Nytt avsnitt")
    db.session.flush()
    old = open_docx(services.export_paper_docx(paper, services.ExportOptions(snapshot=v1)))
    old_text = [p.text for p in body_paragraphs(old)]
    assert "Sydsverige behöver nya stambanor och snabba tåg." in old_text
    assert "Nytt avsnitt" not in old_text
    assert "Remissversion 1" in "".join(old.element.body.find(qn("w:sdt")).itertext())
    new = open_docx(services.export_paper_docx(paper, services.ExportOptions(since=v1)))
    paras = body_paragraphs(new)
    texts = [p.text for p in paras]
    assert "Ändringar sedan Remissversion 1" in texts
    start = texts.index("Ändringar sedan Remissversion 1")
    appendix = " ".join(texts[start:])
    assert "Bakgrund (Ändrat avsnitt)" in appendix and "Nytt avsnitt (Nytt avsnitt)" in appendix
    assert "Krav" not in appendix  # unchanged sections are not listed
    struck = [r.text for p in paras[start:] for r in p.runs if r.font.strike]
    assert any("nya" in t for t in struck)


def test_comment_provider_and_appendix_providers(paper, providers):
    section = paper.live_sections[0]
    calls = []

    def fake_comments(p):
        calls.append(p.id)
        return [CommentThread(section.id, "snabba tåg", [CommentItem("Anna Berg", "Vilka tåg?")])]

    services.set_comment_provider(fake_comments)
    services.register_appendix_provider("decisions", lambda p, snap: Appendix("Beslut", "<p>Alla godkänner.</p>"),
                                        order=10)
    services.register_appendix_provider("none", lambda p, snap: None, order=5)
    services.register_appendix_provider("annex", lambda p, snap: Appendix("Bilaga", "<p>Karta.</p>"), order=20)
    without = open_docx(services.export_paper_docx(paper))
    assert list(without.comments) == [] and calls == []  # comments only when asked for
    doc = open_docx(services.export_paper_docx(paper, services.ExportOptions(comments=True)))
    assert calls == [paper.id]
    assert [c.text for c in doc.comments] == ["Vilka tåg?"]
    h1 = [p.text for p in body_paragraphs(doc) if p.style.name == "Heading 1"]
    assert h1[-2:] == ["Beslut", "Bilaga"]  # by order; a provider returning None adds nothing
    assert services.comments_available()


def test_round_trip_through_the_importer(paper):
    data = services.export_paper_docx(paper)
    preview = parse_docx(io.BytesIO(data), "export.docx")
    assert preview.title == paper.title
    assert [s.title for s in preview.sections] == [s.title for s in paper.live_sections]
    for imported, original in zip(preview.sections, paper.live_sections):
        assert html_to_text(imported.html) == html_to_text(original.html)
    bakgrund, krav, avslutning = preview.sections
    assert "<h2>Kontakt</h2>" in avslutning.html and "<h3>Adress</h3>" in avslutning.html  # subheadings stay
    assert "<strong>nya stambanor</strong>" in bakgrund.html and "<em>snabba tåg</em>" in bakgrund.html
    assert "<ul><li>Södra stambanan</li><li>Västkustbanan</li></ul>" in bakgrund.html
    assert "<ol><li>Finansiering</li><li>Tidplan</li></ol>" in krav.html
    assert '<a href="https://www.trafikverket.se/"' in krav.html
    assert "<th><strong>Objekt</strong></th>" in krav.html  # the header row comes back as the header row


# --- the template ---------------------------------------------------------------------------

def test_the_demo_has_a_house_template(ws):
    t = services.current_template(ws)
    assert t.filename == "Regionsamverkan Sydsverige.docx"
    doc = open_docx(t.data)
    assert doc.sections[0].header.paragraphs[0].text == "REGIONSAMVERKAN SYDSVERIGE"


def test_a_dotx_template_is_used_for_exports(paper, demo, ws):
    t = services.upload_template(demo.user(KANSLI), ws, templates.house_dotx(), "Sydsverige.dotx")
    assert t.filename == "Sydsverige.dotx" and t.data.startswith(b"PK")
    doc = open_docx(services.export_paper_docx(paper))
    assert "SYDSVERIGE-SIDHUVUD" in doc.sections[0].header.paragraphs[0].text
    texts = [p.text for p in body_paragraphs(doc)]
    assert "Mallens exempeltext som inte ska följa med" not in texts and "Bakgrund" in texts
    assert db.session.scalars(select(Event.verb).order_by(Event.id)).all()[-1] == "export-template-uploaded"


@needs_libreoffice
def test_template_header_shows_in_the_pdf(paper, demo, ws):
    services.upload_template(demo.user(KANSLI), ws, templates.house_dotx("LOGGA SYDSVERIGE"), "mall.dotx")
    flat = " ".join(pdf_text(services.export_paper_docx(paper)).split())
    assert "LOGGA SYDSVERIGE" in flat and "Nya stambanor genom Sydsverige" in flat


@pytest.mark.parametrize("make,filename,message", [
    (lambda: b"hej hej", "mall.dotx", "inte en Word-mall"),
    (templates.house_dotx, "mall.pdf", "slutar på .dotx eller .docx"),
    (templates.not_word_zip, "mall.docx", "inte en Word-mall"),
    (templates.zip_bomb, "mall.docx", "orimligt mycket data"),
    (templates.with_macros, "mall.dotx", "makron"),
    (templates.without_headings, "mall.docx", "saknar formatmallarna"),
    (lambda: b"PK\x03\x04" + b"\0" * 100, "mall.docx", "skadad"),
    (lambda: b"PK" + b"x" * (11 * 1024 * 1024), "mall.docx", "för stor"),
])
def test_bad_templates_get_a_clear_message_and_the_old_one_stays(ws, demo, make, filename, message):
    kansli = demo.user(KANSLI)
    services.upload_template(kansli, ws, templates.house_dotx(), "Bra.dotx")
    db.session.flush()
    with pytest.raises(services.ExportError, match=message):
        services.upload_template(kansli, ws, make(), filename)
    assert services.current_template(ws).filename == "Bra.dotx"


def test_template_missing_headings_names_them(ctx):
    with pytest.raises(TemplateError) as e:
        normalise_template(templates.without_headings(), "mall.docx")
    assert "”Heading 1”, ”Heading 2”, ”Heading 3”" in str(e.value)


def test_only_the_secretariat_manages_the_template(ws, demo):
    with pytest.raises(PermissionError):
        services.upload_template(demo.user(SKANE), ws, templates.house_dotx(), "mall.dotx")
    with pytest.raises(PermissionError):
        services.remove_template(demo.user(SKANE), ws)
    services.remove_template(demo.user(KANSLI), ws)  # the demo's template
    with pytest.raises(services.ExportError):
        services.remove_template(demo.user(KANSLI), ws)  # none to remove
    services.upload_template(demo.user(KANSLI), ws, templates.house_docx(), "mall.docx")
    services.remove_template(demo.user(KANSLI), ws)
    assert services.current_template(ws) is None
    assert db.session.scalar(select(ExportTemplate)) is None


# --- jobs --------------------------------------------------------------------------------------

def test_start_job_validates(ws, demo, paper):
    official = demo.user(SKANE)
    other = papers.create_paper(demo.user(OUTSIDER), demo.workspace("sosk"), title="SÖSK-papper")
    db.session.flush()
    snap = papers.create_snapshot(official, paper, "V1")
    cases = [
        ("zip", {"paper_ids": []}, "minst ett"),
        ("zip", {"paper_ids": [other.id]}, "finns inte"),
        ("zip", {"paper_ids": [paper.id, other.id]}, "finns inte"),
        ("zip", {"paper_ids": list(range(1, 300))}, "Högst"),
        ("zip", {"paper_ids": [paper.id], "snapshot_id": snap.id}, "Versionen"),
        ("pdf", {"paper_ids": [paper.id, paper.id + 1]}, "Välj ett papper"),
        ("pdf", {"paper_ids": [paper.id], "snapshot_id": snap.id + 999}, "Versionen"),
        ("word", {"paper_ids": [paper.id]}, "Okänd"),
    ]
    for kind, params, message in cases:
        with pytest.raises(services.ExportError, match=message):
            services.start_job(official, ws, kind, params)
    with pytest.raises(PermissionError):
        services.start_job(demo.user(OUTSIDER), ws, "zip", {"paper_ids": [paper.id]})


def test_zip_job_runs_and_reports_progress(app, ws, demo, paper):
    second = papers.create_paper(demo.user(SKANE), ws, title="Kultur i Sydsverige", sections=[("Mål", "<p>Mer kultur.</p>")])
    job = services.start_job(demo.user(SKANE), ws, "zip", {"paper_ids": [second.id, paper.id]})
    db.session.commit()
    assert job.status == "queued" and job.progress == 0
    services.run_job(job.id)
    db.session.refresh(job)
    assert job.status == "done" and job.progress == 100 and job.filename.endswith(".zip")
    with zipfile.ZipFile(services.job_path(job)) as zf:
        names = zf.namelist()
        assert names == ["kultur-i-sydsverige.docx", "rss-2026-7-nya-stambanor-genom-sydsverige.docx"]
        doc = open_docx(zf.read(names[1]))
        assert doc.core_properties.title == "Nya stambanor genom Sydsverige"
    services.run_job(job.id)  # a finished job is not run again
    assert services.load_job(ws, demo.user(KANSLI), job.id) is None  # only its owner sees it
    assert services.load_job(ws, demo.user(SKANE), job.id).id == job.id


def test_job_runs_in_a_background_thread(app, ws, demo, paper):
    job = services.start_job(demo.user(SKANE), ws, "zip", {"paper_ids": [paper.id]})
    db.session.commit()
    services.launch(job.id)
    services.wait_for_jobs()
    db.session.rollback()  # end this session's read snapshot: the thread committed in its own
    assert db.session.get(ExportJob, job.id).status == "done"


def test_a_job_whose_process_died_is_reported_failed(ws, demo, paper):
    job = services.start_job(demo.user(SKANE), ws, "zip", {"paper_ids": [paper.id]})
    job.status, job.updated_at = "running", utcnow() - timedelta(hours=1)
    db.session.commit()
    loaded = services.load_job(ws, demo.user(SKANE), job.id)
    assert loaded.status == "failed" and "avbröts" in loaded.error


def test_a_failing_job_says_so(app, ws, demo, paper, monkeypatch):
    job = services.start_job(demo.user(SKANE), ws, "zip", {"paper_ids": [paper.id]})
    db.session.commit()

    def boom(*a, **kw):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "export_paper_docx", boom)
    services.run_job(job.id)
    db.session.refresh(job)
    assert job.status == "failed" and job.error == "Exporten misslyckades. Försök igen."
    assert not services.job_path(job).exists()


@needs_libreoffice
def test_pdf_job_has_the_same_content(app, ws, demo, paper):
    snap = papers.create_snapshot(demo.user(SKANE), paper, "Beslutsversion")
    job = services.start_job(demo.user(SKANE), ws, "pdf", {"paper_ids": [paper.id], "snapshot_id": snap.id})
    db.session.commit()
    services.run_job(job.id)
    db.session.refresh(job)
    assert job.status == "done", job.error
    assert job.filename == "rss-2026-7-nya-stambanor-genom-sydsverige-beslutsversion.pdf"
    flat = " ".join(pdf_bytes_text(services.job_path(job).read_bytes()).split())
    for text in ("Nya stambanor genom Sydsverige", "Beslutsversion", "Bakgrund", "nya stambanor", "1. Finansiering",
                 "Trafikverket", "Banan", "2035"):
        assert text in flat


def test_pdf_is_refused_without_libreoffice(app, ws, demo, paper):
    app.config["EXPORT_SOFFICE"] = ""
    try:
        with pytest.raises(services.ExportError, match="LibreOffice"):
            services.start_job(demo.user(SKANE), ws, "pdf", {"paper_ids": [paper.id]})
    finally:
        app.config.pop("EXPORT_SOFFICE")


def test_a_template_footer_with_page_numbers_is_kept_as_is(paper, demo, ws):
    services.upload_template(demo.user(KANSLI), ws, templates.with_page_number_footer(), "mall.docx")
    footer = open_docx(services.export_paper_docx(paper)).sections[0].footer._element
    fields = [f.get(qn("w:instr")) for f in footer.iter(qn("w:fldSimple"))]
    assert fields == [" PAGE "] and not list(footer.iter(qn("w:instrText")))  # no second page number


def test_priority_list_entry_point_uses_the_workspace_template(ws):
    from workspace.export.document import FollowUpEntry, PriorityItem, PriorityListExport

    data = PriorityListExport(title="Prioriteringar för 2027", year=2027, body_name=ws.name, status_label="Utkast",
                              adopted=False, items=[PriorityItem("A", "Sydostlänken", "<p>Elektrifiering.</p>",
                                                                 ["Region Blekinge"],
                                                                 follow_ups=[FollowUpEntry("Årsbokslut 2027", "Klar")])])
    doc = open_docx(services.export_priority_list_docx(ws, data))
    assert doc.sections[0].header.paragraphs[0].text == "REGIONSAMVERKAN SYDSVERIGE"  # the demo's template
    assert [c.text for c in doc.tables[1].rows[1].cells] == ["A. Sydostlänken", "Klar"]


def test_a_job_whose_process_is_gone_fails_at_once(ws, demo, paper):
    """Not after STALE_AFTER: the job names its process, and this host can see it is gone."""
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    job = services.start_job(demo.user(SKANE), ws, "zip", {"paper_ids": [paper.id]})
    assert job.runner == services.runner_id()
    host = job.runner.split(":")[0]
    job.status, job.updated_at, job.runner = "running", utcnow(), f"{host}:{proc.pid}:1"
    db.session.commit()
    loaded = services.load_job(ws, demo.user(SKANE), job.id)
    assert loaded.status == "failed" and "avbröts" in loaded.error


def test_runner_gone_only_for_processes_known_to_be_gone():
    import os
    import socket
    import subprocess
    import sys

    host = socket.gethostname()
    me = services.runner_id()
    assert me.startswith(f"{host}:{os.getpid()}:") and not services.runner_gone(me)
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        ticks = services._start_ticks(alive.pid)
        assert not services.runner_gone(f"{host}:{alive.pid}:{ticks}")
        # The same pid with another start time: the job's process died and the pid was reused.
        if ticks:
            assert services.runner_gone(f"{host}:{alive.pid}:{int(ticks) - 1}")
        assert not services.runner_gone(f"another-host:{alive.pid}:{ticks}")  # cannot tell: wait
    finally:
        alive.kill()
        alive.wait()
    assert services.runner_gone(f"{host}:{alive.pid}:{ticks}")
    assert not services.runner_gone("")  # jobs from before runners were recorded
