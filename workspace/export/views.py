"""Export pages: a paper as .docx or .pdf, export choices, background jobs, the Word template."""
from __future__ import annotations

import io

from flask import Blueprint, abort, flash, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from workspace.db import db
from workspace.export import providers, services
from workspace.export.pdf import PdfError, pdf_available
from workspace.export.template import MAX_TEMPLATE_BYTES
from workspace.papers.models import Snapshot
from workspace.papers.permissions import load_paper
from workspace.papers.services import snapshots_of
from workspace.web.htmx import is_fragment_request, redirect_to
from workspace.web.rendering import commit, render, render_invalid
from workspace.export.permissions import can_export, can_manage_template
from workspace.workspaces.permissions import load_workspace, require

bp = Blueprint("export", __name__, url_prefix="/w/<slug>")

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@bp.before_request
@login_required
def _login_first():
    pass


@bp.app_context_processor
def _export_helpers():
    return {"export_pdf_available": pdf_available, "export_comments_available": services.comments_available,
            "JOB_LABELS": services.JOB_LABELS}


def _int(raw) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


def _snapshot(paper, raw) -> Snapshot | None:
    """A version of this paper from a query or form value; 404 for anything else."""
    if raw in (None, ""):
        return None
    sid = _int(raw)
    snap = db.session.get(Snapshot, sid) if sid is not None else None
    if snap is None or snap.paper_id != paper.id:
        abort(404)
    return snap


def _options(paper, values) -> services.ExportOptions:
    return services.ExportOptions(snapshot=_snapshot(paper, values.get("version")),
                                  since=_snapshot(paper, values.get("since")),
                                  comments=values.get("comments") == "1")


def _download(data: bytes, mimetype: str, filename: str):
    resp = send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=filename,
                     max_age=0)
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


# --- a priority list ---------------------------------------------------------------------

@bp.get("/priorities/<int:year>/export.docx")
def priority_list_docx(slug: str, year: int):
    from workspace.priorities.permissions import load_list

    ws, me = load_workspace(slug, current_user)
    plist = load_list(ws, year)
    require(can_export(me))
    data = providers.export_priority_list(plist)
    db.session.rollback()  # only read
    return _download(data, DOCX_MIME, f"prioriteringar-{plist.year}.docx")


# --- one paper --------------------------------------------------------------------------

@bp.get("/papers/<int:paper_id>/export.docx")
def paper_docx(slug: str, paper_id: int):
    ws, me = load_workspace(slug, current_user)
    paper = load_paper(ws, paper_id)
    require(can_export(me))
    options = _options(paper, request.args)
    data = services.export_paper_docx(paper, options)
    db.session.rollback()  # only read
    return _download(data, DOCX_MIME, services.paper_filename(paper, "docx", options.snapshot))


@bp.get("/papers/<int:paper_id>/export.pdf")
def paper_pdf(slug: str, paper_id: int):
    """The stable PDF address: converts while the request waits (the page uses a job)."""
    ws, me = load_workspace(slug, current_user)
    paper = load_paper(ws, paper_id)
    if not pdf_available():
        abort(404)
    options = _options(paper, request.args)
    try:
        data = services.export_paper_pdf(paper, options)
    except PdfError as e:
        db.session.rollback()
        return render("export/paper.html", status=503, **_paper_page(ws, me, paper, error=str(e)))
    db.session.rollback()
    return _download(data, "application/pdf", services.paper_filename(paper, "pdf", options.snapshot))


def _paper_page(ws, me, paper, **extra):
    ctx = dict(ws=ws, me=me, paper=paper, snapshots=snapshots_of(paper), job=None, error=None,
               values=request.values)
    ctx.update(extra)
    return ctx


@bp.get("/papers/<int:paper_id>/export")
def paper_options(slug: str, paper_id: int):
    ws, me = load_workspace(slug, current_user)
    paper = load_paper(ws, paper_id)
    return render("export/paper.html", **_paper_page(ws, me, paper))


# --- jobs: several papers as .zip, PDF --------------------------------------------------

@bp.post("/exports")
def start(slug: str):
    ws, me = load_workspace(slug, current_user)
    require(can_export(me))
    kind = request.form.get("kind", "")
    raw_ids = request.form.getlist("paper")
    error = None
    if not all(r.isdigit() and len(r) < 12 for r in raw_ids):
        error = _("Ogiltigt urval av papper.")
    params = {"paper_ids": list(dict.fromkeys(int(r) for r in raw_ids if r.isdigit() and len(r) < 12)),
              "comments": request.form.get("comments") == "1"}
    for key, field in (("snapshot_id", "version"), ("since_id", "since")):
        raw = request.form.get(field, "")
        if raw:
            if _int(raw) is None:
                error = _("Okänd version.")
            params[key] = _int(raw)
    if error is None:
        try:
            job = services.start_job(current_user, ws, kind, params)
        except services.ExportError as e:
            db.session.rollback()
            error = str(e)
    if error is not None:
        return render_invalid("export/job.html", block="job", ws=ws, me=me, job=None, error=error)
    commit()
    services.launch(job.id)
    if is_fragment_request():
        return render("export/job.html", block="job", ws=ws, me=me, job=job, error=None)
    return redirect_to(url_for("export.job", slug=ws.slug, job_id=job.id))


def _own_job(ws, job_id: int):
    job = services.load_job(ws, current_user, job_id)
    if job is None:
        abort(404)
    return job


@bp.get("/exports/<int:job_id>")
def job(slug: str, job_id: int):
    ws, me = load_workspace(slug, current_user)
    job = _own_job(ws, job_id)
    return render("export/job.html", block="job", ws=ws, me=me, job=job, error=None)


@bp.get("/exports/<int:job_id>/download")
def download(slug: str, job_id: int):
    ws, me = load_workspace(slug, current_user)
    job = _own_job(ws, job_id)
    path = services.job_path(job)
    if job.status != "done" or not path.exists():
        abort(404)
    mimetype = "application/zip" if job.kind == "zip" else "application/pdf"
    resp = send_file(path, mimetype=mimetype, as_attachment=True, download_name=job.filename, max_age=0)
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


# --- the workspace's Word template --------------------------------------------------------

@bp.route("/export/template", methods=["GET", "POST"])
def template(slug: str):
    ws, me = load_workspace(slug, current_user)
    require(can_manage_template(me))
    if request.method == "POST":
        upload = request.files.get("template")
        error = None
        if upload is None or not upload.filename:
            error = _("Välj en Word-mall (.dotx eller .docx).")
        else:
            data = upload.read(MAX_TEMPLATE_BYTES + 1)
            try:
                services.upload_template(current_user, ws, data, upload.filename)
            except services.ExportError as e:
                db.session.rollback()
                error = str(e)
        if error:
            return render_invalid("export/template.html", block="template", ws=ws, me=me,
                                  current=services.current_template(ws), error=error)
        commit()
        flash(_("Mallen är sparad. Nya exporter använder den."), "success")
        return redirect_to(url_for("export.template", slug=ws.slug))
    return render("export/template.html", block="template", ws=ws, me=me, current=services.current_template(ws),
                  error=None)


@bp.post("/export/template/remove")
def remove_template(slug: str):
    ws, me = load_workspace(slug, current_user)
    require(can_manage_template(me))
    try:
        services.remove_template(current_user, ws)
    except services.ExportError as e:
        db.session.rollback()
        return render_invalid("export/template.html", block="template", ws=ws, me=me, current=None, error=str(e))
    commit()
    flash(_("Den egna mallen är borttagen. Exporter använder standardutseendet."), "success")
    return redirect_to(url_for("export.template", slug=ws.slug))
