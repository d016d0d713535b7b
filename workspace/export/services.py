"""Export: papers to DOCX (and PDF), several papers as one .zip, the workspace template,
and background jobs whose state lives in the database.

Extension points for domains built beside this one:
- `set_comment_provider(fn)`: fn(paper) -> list[CommentThread] (the open threads).
- `register_appendix_provider(name, fn, order)`: fn(paper, snapshot) -> Appendix | None;
  e.g. the decisions domain returns the decision page (see `builder.decision_page_html`).
- `export_priority_list_docx(ws, PriorityListExport)` for priority lists.
"""
from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import secrets
import socket
import threading
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Callable

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from workspace.db import db, utcnow
from workspace.events import record_event, register_event_labels
from workspace.export.builder import build_paper_docx, build_priority_list_docx, changes_appendix_html
from workspace.export.document import Appendix, CommentThread, ExportDocument, ExportSection, PriorityListExport
from workspace.export.models import JOB_KINDS, ExportJob, ExportTemplate
from workspace.export.pdf import PdfError, docx_to_pdf, pdf_available
from workspace.export.template import TemplateError, normalise_template
from workspace.papers.models import Paper, Snapshot
from workspace.workspaces.models import Workspace
from workspace.workspaces.permissions import can_manage_workspace, membership_of

log = logging.getLogger("samverkan.export")

MAX_ZIP_PAPERS = 200
STALE_AFTER = timedelta(minutes=15)  # a running job not heard from in this long has died
KEEP_FILES_FOR = timedelta(days=1)

register_event_labels({
    "export-template-uploaded": _l("laddade upp Word-mallen ”%(filename)s”"),
    "export-template-removed": _l("tog bort Word-mallen"),
    "export-started": _l("startade en export (%(kind)s)"),
})


class ExportError(ValueError):
    """A rule was broken; the message is for the user."""


# --- extension points -------------------------------------------------------------------

CommentProvider = Callable[[Paper], list[CommentThread]]
AppendixProvider = Callable[[Paper, "Snapshot | None"], "Appendix | None"]

_comment_provider: CommentProvider | None = None
_appendix_providers: dict[str, tuple[int, AppendixProvider]] = {}


def set_comment_provider(fn: CommentProvider | None) -> None:
    global _comment_provider
    _comment_provider = fn


def comments_available() -> bool:
    return _comment_provider is not None


def register_appendix_provider(name: str, fn: AppendixProvider | None, order: int = 100) -> None:
    """Add (or with fn=None remove) an appendix; appendices come after the sections by order."""
    if fn is None:
        _appendix_providers.pop(name, None)
    else:
        _appendix_providers[name] = (order, fn)


def _appendices(paper: Paper, snapshot: Snapshot | None) -> list[Appendix]:
    out = []
    for _name, (_order, fn) in sorted(_appendix_providers.items(), key=lambda kv: (kv[1][0], kv[0])):
        appendix = fn(paper, snapshot)
        if appendix is not None:
            out.append(appendix)
    return out


# --- papers -----------------------------------------------------------------------------

@dataclass
class ExportOptions:
    snapshot: Snapshot | None = None
    comments: bool = False
    since: Snapshot | None = None  # list the changes since this version


def _capitalised(text) -> str:
    text = str(text)
    return text[:1].upper() + text[1:]


def paper_document(paper: Paper, options: ExportOptions) -> ExportDocument:
    from workspace.papers.services import KIND_LABELS, STATUS_LABELS, compare_snapshot_to_current, compare_snapshots

    snap = options.snapshot
    if snap is not None:
        sections = [ExportSection(i.section_id, i.title, i.revision.html if i.revision else "") for i in snap.items]
        version = snap.name
        modified = snap.created_at
    else:
        sections = [ExportSection(s.id, s.title, s.html) for s in paper.live_sections]
        version = _("Aktuell text")
        modified = paper.updated_at
    threads: list[CommentThread] = []
    if options.comments and _comment_provider is not None:
        threads = list(_comment_provider(paper))
    appendices = _appendices(paper, snap)
    if options.since is not None:
        comparison = compare_snapshots(options.since, snap) if snap else compare_snapshot_to_current(options.since)
        appendices.append(Appendix(_("Ändringar sedan %(v)s", v=options.since.name),
                                   changes_appendix_html(comparison, options.since.name)))
    ws = paper.workspace
    return ExportDocument(
        title=paper.title,
        body_name=ws.name,
        kind_label=str(KIND_LABELS.get(paper.kind, paper.kind)),
        status_label=_capitalised(STATUS_LABELS.get(paper.status, paper.status)),
        adopted=paper.status in ("adopted", "archived"),
        sections=sections,
        registration_number=paper.registration_number or "",
        document_date=utcnow().date(),
        version_label=version,
        organisation=paper.lead_organization.name if paper.lead_organization else "",
        author=ws.name,
        created=paper.created_at,
        modified=modified,
        comment_threads=threads,
        appendices=appendices,
    )


def export_paper_docx(paper: Paper, options: ExportOptions | None = None) -> bytes:
    """The paper as .docx, in the workspace's template. Labels are in the document's language
    (Swedish), whatever the reader's interface language."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        document = paper_document(paper, options or ExportOptions())
        return build_paper_docx(document, template_bytes(paper.workspace))


def export_priority_list_docx(ws: Workspace, data: PriorityListExport) -> bytes:
    """The priorities domain's entry point: a priority list in the workspace's template."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return build_priority_list_docx(data, template_bytes(ws))


def export_paper_pdf(paper: Paper, options: ExportOptions | None = None) -> bytes:
    return docx_to_pdf(export_paper_docx(paper, options))


def paper_filename(paper: Paper, ext: str, snapshot: Snapshot | None = None) -> str:
    base = _slug(paper.title) or f"papper-{paper.id}"
    if paper.registration_number:
        base = f"{_slug(paper.registration_number)}-{base}"
    if snapshot is not None:
        base += "-" + (_slug(snapshot.name) or f"version-{snapshot.id}")
    return f"{base[:120]}.{ext}"


def _slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()


# --- the template -----------------------------------------------------------------------

def current_template(ws: Workspace) -> ExportTemplate | None:
    return db.session.scalar(select(ExportTemplate).where(ExportTemplate.workspace_id == ws.id))


def template_bytes(ws: Workspace) -> bytes | None:
    t = current_template(ws)
    return t.data if t is not None else None


def upload_template(actor, ws: Workspace, data: bytes, filename: str) -> ExportTemplate:
    """Check and store the template; on any problem nothing changes (the old one stays)."""
    if not can_manage_workspace(membership_of(actor, ws)):
        raise PermissionError("only the secretariat manages the template")
    filename = (filename or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1].strip()
    if not filename:
        raise ExportError(_("Välj en Word-mall (.dotx eller .docx)."))
    if len(filename) > 200:
        raise ExportError(_("Filnamnet är för långt (högst 200 tecken)."))
    try:
        clean = normalise_template(data, filename)
    except TemplateError as e:
        raise ExportError(str(e))
    t = current_template(ws)
    if t is None:
        t = ExportTemplate(workspace_id=ws.id)
        db.session.add(t)
    t.filename = filename
    t.data = clean
    t.size = len(data)
    t.content_hash = hashlib.sha256(clean).hexdigest()
    t.uploaded_by_id = actor.id
    t.uploaded_at = utcnow()
    db.session.flush()
    record_event(actor, "export-template-uploaded", t, workspace=ws, filename=filename)
    return t


def remove_template(actor, ws: Workspace) -> None:
    if not can_manage_workspace(membership_of(actor, ws)):
        raise PermissionError("only the secretariat manages the template")
    t = current_template(ws)
    if t is None:
        raise ExportError(_("Det finns ingen egen mall att ta bort."))
    record_event(actor, "export-template-removed", t, workspace=ws, filename=t.filename)
    db.session.delete(t)
    db.session.flush()


# --- jobs -------------------------------------------------------------------------------

JOB_LABELS = {"zip": _l("flera papper som .zip"), "pdf": _l("PDF")}


def exports_dir() -> Path:
    d = Path(current_app.instance_path) / "exports"
    d.mkdir(parents=True, exist_ok=True)
    return d


def start_job(actor, ws: Workspace, kind: str, params: dict) -> ExportJob:
    """Queue a job; the caller commits and then calls `launch`."""
    if membership_of(actor, ws) is None:
        raise PermissionError("not a member")
    if kind not in JOB_KINDS:
        raise ExportError(_("Okänd exporttyp."))
    ids = params.get("paper_ids") or []
    if kind == "zip":
        if not ids:
            raise ExportError(_("Välj minst ett papper att exportera."))
        if len(ids) > MAX_ZIP_PAPERS:
            raise ExportError(_("Högst %(n)d papper åt gången.", n=MAX_ZIP_PAPERS))
    if kind == "pdf":
        if len(ids) != 1:
            raise ExportError(_("Välj ett papper."))
        if not pdf_available():
            raise ExportError(_("PDF kan inte skapas här: LibreOffice är inte installerat."))
    found = db.session.scalars(select(Paper.id).where(Paper.workspace_id == ws.id, Paper.id.in_(ids))).all()
    if len(set(found)) != len(set(ids)):
        raise ExportError(_("Ett av de valda papperen finns inte."))
    snapshot_id = params.get("snapshot_id")
    since_id = params.get("since_id")
    for sid in (snapshot_id, since_id):
        if sid is not None:
            snap = db.session.get(Snapshot, sid)
            if snap is None or snap.paper_id not in ids or kind != "pdf":
                raise ExportError(_("Versionen finns inte för det här papperet."))
    job = ExportJob(workspace_id=ws.id, user_id=actor.id, kind=kind, token=secrets.token_hex(16), runner=runner_id(),
                    params={"paper_ids": [int(i) for i in ids], "snapshot_id": snapshot_id, "since_id": since_id,
                            "comments": bool(params.get("comments"))},
                    step=_("Väntar på att starta …"))
    db.session.add(job)
    db.session.flush()
    record_event(actor, "export-started", job, workspace=ws, kind=kind, count=len(ids))
    return job


def load_job(ws: Workspace, user, job_id: int) -> ExportJob | None:
    """A user sees only their own jobs."""
    job = db.session.get(ExportJob, job_id)
    if job is None or job.workspace_id != ws.id or job.user_id != user.id:
        return None
    if job.status in ("queued", "running") and (runner_gone(job.runner) or job.updated_at < utcnow() - STALE_AFTER):
        # The process that ran it has gone (restart, crash): say so instead of spinning forever.
        job.status, job.error = "failed", _("Exporten avbröts. Försök igen.")
        job.finished_at = utcnow()
        db.session.commit()
    return job


def _start_ticks(pid: int) -> str:
    """When the process started (clock ticks since boot, from /proc), so that a new process
    that was given a dead one's pid is not taken for it; "" where /proc is not there."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat.rsplit(")", 1)[1].split()[19]  # field 22, counted after the command's name


def runner_id() -> str:
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_start_ticks(pid)}"


def runner_gone(runner: str) -> bool:
    """True when the process that runs a job is known to be gone. Only processes of this host
    can be checked; a job of another machine waits for STALE_AFTER."""
    host, _, rest = (runner or "").partition(":")
    pid_s, _, started = rest.partition(":")
    if host != socket.gethostname() or not pid_s.isdigit():
        return False
    pid = int(pid_s)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # alive, someone else's
    return bool(started) and _start_ticks(pid) not in ("", started)


def job_path(job: ExportJob) -> Path:
    ext = "zip" if job.kind == "zip" else "pdf"
    return exports_dir() / f"{job.token}.{ext}"


_threads: list[threading.Thread] = []


def launch(job_id: int) -> threading.Thread:
    """Run the job in a thread of this process; its progress is written to the database, so
    any process can answer the polling."""
    app = current_app._get_current_object()
    t = threading.Thread(target=_run_in_app, args=(app, job_id), name=f"export-job-{job_id}", daemon=True)
    _threads[:] = [x for x in _threads if x.is_alive()]
    _threads.append(t)
    t.start()
    return t


def wait_for_jobs(timeout: float = 120) -> None:
    """For tests and shutdown: wait for this process's running jobs."""
    for t in list(_threads):
        t.join(timeout)


def _run_in_app(app, job_id: int) -> None:
    with app.app_context():
        try:
            run_job(job_id)
        finally:
            db.session.remove()


def _progress(job: ExportJob, percent: int, step: str) -> None:
    job.progress, job.step, job.updated_at = max(0, min(percent, 100)), step[:300], utcnow()
    db.session.commit()


def run_job(job_id: int) -> None:
    job = db.session.get(ExportJob, job_id)
    if job is None or job.status != "queued":
        return
    job.status, job.runner = "running", runner_id()
    _progress(job, 1, _("Exporten har startat."))
    try:
        with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
            data, filename = _ZIP_OR_PDF[job.kind](job)
        path = job_path(job)
        tmp = path.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(path)  # the download never sees a half-written file
        job.status, job.filename, job.finished_at = "done", filename, utcnow()
        _progress(job, 100, _("Klart."))
    except (PdfError, ExportError) as e:
        db.session.rollback()
        _fail(job_id, str(e))
    except Exception:
        log.exception("export job %s failed", job_id)
        db.session.rollback()
        _fail(job_id, _("Exporten misslyckades. Försök igen."))
    _clean_old_files()


def _fail(job_id: int, message: str) -> None:
    job = db.session.get(ExportJob, job_id)
    job.status, job.error, job.finished_at = "failed", message[:500], utcnow()
    _progress(job, job.progress, _("Misslyckades."))


def _job_papers(job: ExportJob) -> list[Paper]:
    ids = job.params.get("paper_ids") or []
    papers = db.session.scalars(select(Paper).where(Paper.workspace_id == job.workspace_id, Paper.id.in_(ids))).all()
    by_id = {p.id: p for p in papers}
    return [by_id[i] for i in ids if i in by_id]


def _job_snapshot(job: ExportJob, key: str, paper: Paper) -> Snapshot | None:
    sid = job.params.get(key)
    snap = db.session.get(Snapshot, sid) if sid else None
    return snap if snap is not None and snap.paper_id == paper.id else None


def _zip(job: ExportJob) -> tuple[bytes, str]:
    papers = _job_papers(job)
    if not papers:
        raise ExportError(_("Papperen finns inte längre."))
    out = io.BytesIO()
    used: set[str] = set()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, paper in enumerate(papers, 1):
            _progress(job, int(5 + 90 * (n - 1) / len(papers)),
                      _("Papper %(n)d av %(total)d: %(title)s", n=n, total=len(papers), title=paper.title))
            name = paper_filename(paper, "docx")
            if name in used:
                name = f"{paper.id}-{name}"
            used.add(name)
            zf.writestr(name, export_paper_docx(paper, ExportOptions(comments=bool(job.params.get("comments")))))
    ws = db.session.get(Workspace, job.workspace_id)
    return out.getvalue(), f"{_slug(ws.name) or 'export'}-{utcnow():%Y%m%d-%H%M}.zip"


def _pdf(job: ExportJob) -> tuple[bytes, str]:
    papers = _job_papers(job)
    if not papers:
        raise ExportError(_("Papperet finns inte längre."))
    paper = papers[0]
    snap = _job_snapshot(job, "snapshot_id", paper)
    options = ExportOptions(snapshot=snap, since=_job_snapshot(job, "since_id", paper),
                            comments=bool(job.params.get("comments")))
    _progress(job, 10, _("Skapar Word-filen …"))
    docx = export_paper_docx(paper, options)
    _progress(job, 30, _("Gör om till PDF …"))
    return docx_to_pdf(docx), paper_filename(paper, "pdf", snap)


_ZIP_OR_PDF = {"zip": _zip, "pdf": _pdf}


def _clean_old_files() -> None:
    cutoff = (utcnow() - KEEP_FILES_FOR).timestamp()
    for f in exports_dir().iterdir():
        try:
            if f.stat().st_mtime < cutoff:
                f.unlink(missing_ok=True)
        except OSError:
            pass
