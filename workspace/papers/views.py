"""Paper pages: list, create, import, the paper with its sections, history, versions."""
from __future__ import annotations

import secrets
import time
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from workspace.db import db
from workspace.events import paper_state_and_newest
from workspace.live.hub import newest_event_id
from workspace.live.presence import present_on
from workspace.papers import page_cache, services
from workspace.papers.diff import diff_html
from workspace.papers.forms import PaperForm, SectionTitleForm, SnapshotForm
from workspace.papers.importer import MAX_UPLOAD_BYTES, DocxImportError, import_paper, parse_docx
from workspace.papers.models import PAPER_KINDS, PAPER_STATUSES, Snapshot
from workspace.papers.permissions import (
    allowed_transitions,
    can_edit_paper,
    load_paper,
    load_revision,
    load_section,
    load_workspace_and_paper,
)
from workspace.web.htmx import hx_response, redirect_to
from workspace.web.rendering import commit, render, render_invalid, render_kept
from workspace.web.templating import Lazy, LazyList
from workspace.workspaces.permissions import can_manage_workspace as perm_manage
from workspace.workspaces.permissions import can_write_papers, load_workspace, require

bp = Blueprint("papers", __name__, url_prefix="/w/<slug>/papers")


@bp.before_request
@login_required
def _login_first():
    pass


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name, "")
    return int(raw) if raw.isdigit() else None


def _live(ws, paper=None, after: int | None = None) -> str:
    """The page's live stream, from the newest event on (or `after`); a paper's page gets the
    parts that change with the events."""
    return url_for("live.stream", slug=ws.slug, after=newest_event_id() if after is None else after,
                   paper=paper.id if paper else None)


# --- list ----------------------------------------------------------------------------

@bp.get("")
def index(slug: str):
    ws, me = load_workspace(slug, current_user)
    filters = {
        "q": request.args.get("q", "").strip()[:200],
        "kind": request.args.get("kind") if request.args.get("kind") in PAPER_KINDS else "",
        "status": request.args.get("status") if request.args.get("status") in PAPER_STATUSES else "",
        "area": _int_arg("area"),
        "org": _int_arg("org"),
    }
    sort = request.args.get("sort") if request.args.get("sort") in services.SORTS else "updated"
    direction = "asc" if request.args.get("dir") == "asc" else "desc"
    page = _int_arg("page") or 1
    areas = services.ensure_policy_areas(ws)
    # Commit (the default policy areas, the first time) before the listing: a commit expires
    # every loaded paper, and the table then reloaded each row by itself (issue 10).
    db.session.commit()
    papers = services.list_papers(ws, q=filters["q"] or None, kind=filters["kind"] or None,
                                  status=filters["status"] or None, policy_area_id=filters["area"],
                                  organization_id=filters["org"], sort=sort, direction=direction, page=page)

    def url_with(**changes):
        args = {k: v for k, v in request.args.items() if v}
        args.update({k: v for k, v in changes.items()})
        args = {k: v for k, v in args.items() if v not in (None, "")}
        return url_for("papers.index", slug=ws.slug, **args)

    return render("papers/index.html", block="results", ws=ws, me=me, papers=papers, filters=filters,
                  sort=sort, direction=direction, areas=areas, url_with=url_with,
                  live_url=_live(ws))


# --- policy areas (the workspace's editable list) -----------------------------------

@bp.route("/areas", methods=["GET", "POST"])
def policy_areas(slug: str):
    ws, me = load_workspace(slug, current_user)
    require(perm_manage(me))
    error = None
    if request.method == "POST":
        try:
            area = services.add_policy_area(current_user, ws, request.form.get("name", ""))
        except services.PaperError as e:
            db.session.rollback()
            error = str(e)
        else:
            commit()
            flash(_("Sakområdet ”%(n)s” är tillagt.", n=area.name), "success")
            return redirect_to(url_for("papers.policy_areas", slug=ws.slug))
    areas = services.all_policy_areas(ws)
    db.session.commit()
    return render("papers/areas.html", status=422 if error else 200, ws=ws, me=me, areas=areas, error=error,
                  name=request.form.get("name", ""))


@bp.post("/areas/<int:area_id>/active")
def policy_area_active(slug: str, area_id: int):
    from workspace.papers.models import PolicyArea

    ws, me = load_workspace(slug, current_user)
    area = db.session.get(PolicyArea, area_id)
    if area is None or area.workspace_id != ws.id:
        abort(404)
    require(perm_manage(me))
    value = request.form.get("active")
    if value not in ("0", "1"):
        abort(422)
    services.set_policy_area_active(current_user, area, value == "1")
    commit()
    return redirect_to(url_for("papers.policy_areas", slug=ws.slug))


# --- create, import, edit ------------------------------------------------------------

def _paper_form(ws, obj=None) -> PaperForm:
    form = PaperForm(obj=obj)
    form.fill_choices(services.ensure_policy_areas(ws), ws.member_organizations)
    return form


def _form_fields(form: PaperForm) -> dict:
    return dict(title=form.title.data, kind=form.kind.data, policy_area_id=form.policy_area_id.data,
                lead_organization_id=form.lead_organization_id.data,
                registration_number=form.registration_number.data, deadline=form.deadline.data)


@bp.route("/new", methods=["GET", "POST"])
def new(slug: str):
    ws, me = load_workspace(slug, current_user)
    require(can_write_papers(me))
    form = _paper_form(ws)
    if request.method == "POST":
        if not form.validate():
            return render_invalid("papers/new.html", ws=ws, me=me, form=form)
        try:
            paper = services.create_paper(current_user, ws, **_form_fields(form))
        except services.PaperError as e:
            db.session.rollback()
            form.title.errors = [str(e)]
            form = _rebind(form, ws)
            return render_invalid("papers/new.html", ws=ws, me=me, form=form)
        commit()
        flash(_("Papperet är skapat."), "success")
        return redirect_to(url_for("papers.detail", slug=ws.slug, paper_id=paper.id))
    db.session.commit()
    return render("papers/new.html", ws=ws, me=me, form=form)


def _rebind(form, ws):
    form.fill_choices(services.ensure_policy_areas(ws), ws.member_organizations)
    return form


@bp.route("/<int:paper_id>/edit", methods=["GET", "POST"])
def edit(slug: str, paper_id: int):
    ws, me = load_workspace(slug, current_user)
    paper = load_paper(ws, paper_id)
    require(can_write_papers(me))
    form = _paper_form(ws, obj=paper)
    if request.method == "POST":
        if not form.validate():
            return render_invalid("papers/edit.html", ws=ws, me=me, form=form, paper=paper)
        try:
            services.update_paper(current_user, paper, **_form_fields(form))
        except services.PaperError as e:
            db.session.rollback()
            form = _rebind(form, ws)
            form.title.errors = [str(e)]
            return render_invalid("papers/edit.html", ws=ws, me=me, form=form, paper=paper)
        commit()
        flash(_("Uppgifterna är sparade."), "success")
        return redirect_to(url_for("papers.detail", slug=ws.slug, paper_id=paper.id))
    return render("papers/edit.html", ws=ws, me=me, form=form, paper=paper)


def _upload_dir() -> Path:
    d = Path(current_app.instance_path) / "uploads"
    d.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - 24 * 3600
    for old in d.glob("*.docx"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    return d


@bp.route("/import", methods=["GET", "POST"])
def import_docx(slug: str):
    ws, me = load_workspace(slug, current_user)
    require(can_write_papers(me))
    form = _paper_form(ws)
    ctx = dict(ws=ws, me=me, form=form, preview=None, token="", error=None)
    if request.method == "GET":
        db.session.commit()
        return render("papers/import.html", **ctx)
    token = request.form.get("token", "")
    if token:  # confirm the preview
        if not (token.isalnum() and len(token) <= 64):
            abort(422)
        path = _upload_dir() / f"{token}.docx"
        if not path.exists():
            ctx["error"] = _("Förhandsgranskningen har gått ut. Välj filen igen.")
            return render_invalid("papers/import.html", **ctx)
        with path.open("rb") as fh:
            preview = parse_docx(fh, path.name)
        if not form.validate():
            ctx.update(preview=preview, token=token)
            return render_invalid("papers/import.html", **ctx)
        try:
            paper = import_paper(current_user, ws, preview, **_form_fields(form))
        except services.PaperError as e:
            db.session.rollback()
            _rebind(form, ws).title.errors = [str(e)]
            ctx.update(preview=preview, token=token)
            return render_invalid("papers/import.html", **ctx)
        commit()
        path.unlink(missing_ok=True)
        flash(_("Papperet är importerat med %(n)d avsnitt.", n=len(preview.sections)), "success")
        return redirect_to(url_for("papers.detail", slug=ws.slug, paper_id=paper.id))
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        ctx["error"] = _("Välj en Word-fil (.docx).")
        return render_invalid("papers/import.html", **ctx)
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    try:
        import io

        preview = parse_docx(io.BytesIO(data), upload.filename)
    except DocxImportError as e:
        ctx["error"] = str(e)
        return render_invalid("papers/import.html", **ctx)
    token = secrets.token_hex(16)
    (_upload_dir() / f"{token}.docx").write_bytes(data)
    form.title.data = preview.title
    ctx.update(preview=preview, token=token)
    db.session.commit()
    return render("papers/import.html", **ctx)


# --- the paper -----------------------------------------------------------------------

def _paper_part_context(ws, me, paper, *, present_people=None, **extra):
    """What every part of a paper's page draws: who looks, with what rights, who is here (asked
    here unless the caller has it already)."""
    ctx = dict(ws=ws, me=me, paper=paper, can_edit=can_edit_paper(me, paper),
               present_people=present_on(paper.id) if present_people is None else present_people)
    ctx.update(extra)
    return ctx


def _section_context(ws, me, paper, section, **extra):
    """What a single section's fragments (view, editor, conflict) draw: not the page's
    versions, removed sections, status buttons or forms. A save's answer and every live
    refresh of a section after someone's save render this."""
    # The section's move buttons need its place: the paper's section ids, not its sections.
    return _paper_part_context(ws, me, paper, section=section,
                               section_ids=LazyList(lambda: page_cache.live_section_ids(paper.id)), **extra)


def _paper_context(ws, me, paper, *, state_and_newest=None, **extra):
    """The whole page's: every part's context and the page's own parts. `state_and_newest`:
    the paper's state (the shared parts' key) and the live stream's start, if loaded already."""
    state, newest = state_and_newest or paper_state_and_newest(paper.id)
    page = dict(transitions=allowed_transitions(me, paper), _paper_state=state,
                # Made only if drawn: the page's shared parts mostly come from the cache.
                removed=LazyList(lambda: page_cache.removed_sections(ctx)),
                snapshots=LazyList(lambda: services.snapshots_of(paper)), snapshot_form=Lazy(SnapshotForm),
                section_form=None, live_url=_live(ws, paper, after=newest))
    page.update(extra)  # a form with its errors, a message …
    ctx = _paper_part_context(ws, me, paper, **page)
    return ctx


@bp.get("/<int:paper_id>")
def detail(slug: str, paper_id: int):
    ws, me, paper, state, newest, present = load_workspace_and_paper(slug, current_user, paper_id)
    ctx = _paper_context(ws, me, paper, state_and_newest=(state, newest), present_people=present)
    # Called by the template only where it draws those parts (shared between viewers).
    ctx["section_items"] = lambda: page_cache.section_items(ctx)
    ctx["header_html"] = lambda: page_cache.header(ctx)
    ctx["versions_html"] = lambda: page_cache.versions(ctx)
    ctx["export_card"] = lambda: page_cache.export_card(ctx)
    part = request.args.get("part")
    return render_kept(lambda: page_cache.page_key(ctx), "papers/detail.html", per_request=("live_url",),
                       block=part if part in ("sections", "header", "versions") else None, **ctx)


@bp.post("/<int:paper_id>/status")
def change_status(slug: str, paper_id: int):
    ws, me = load_workspace(slug, current_user)
    paper = load_paper(ws, paper_id)
    require(can_write_papers(me) or me.role == "secretariat")
    try:
        services.change_status(current_user, paper, request.form.get("status", ""))
    except PermissionError:
        abort(403)
    except services.PaperError as e:
        db.session.rollback()
        return render_invalid("papers/detail.html", block="header",
                              **_paper_context(ws, me, paper, status_error=str(e)))
    commit()
    flash(_("Status är ändrad till %(s)s.", s=services.STATUS_LABELS[paper.status]), "success")
    return redirect_to(url_for("papers.detail", slug=ws.slug, paper_id=paper.id))


def _writer_paper(slug, paper_id):
    ws, me = load_workspace(slug, current_user)
    paper = load_paper(ws, paper_id)
    require(can_write_papers(me))
    return ws, me, paper


def _sections_response(ws, me, paper, status=200, **extra):
    page_cache.load_sections(paper)  # not from the cache: the answer says what just happened
    return render("papers/detail.html", block="sections", status=status, **_paper_context(ws, me, paper, **extra))


@bp.post("/<int:paper_id>/sections")
def add_section(slug: str, paper_id: int):
    ws, me, paper = _writer_paper(slug, paper_id)
    form = SectionTitleForm()
    if not form.validate():
        return _sections_response(ws, me, paper, 422, section_form=form)
    try:
        section = services.add_section(current_user, paper, form.title.data)
    except services.PaperError as e:
        db.session.rollback()
        form.title.errors = [str(e)]
        return _sections_response(ws, me, paper, 422, section_form=form)
    commit()
    flash(_("Avsnittet ”%(t)s” är tillagt.", t=section.title), "success")
    return _sections_response(ws, me, paper, section_form=SectionTitleForm(formdata=None))


def _section_view(ws, me, paper, section, status=200, **extra):
    return render("papers/_section.html", status=status,
                  **_section_context(ws, me, paper, section, **extra))


@bp.get("/<int:paper_id>/sections/<int:section_id>")
def section(slug: str, paper_id: int, section_id: int):
    ws, me = load_workspace(slug, current_user)
    paper = load_paper(ws, paper_id)
    sec = load_section(paper, section_id)
    if sec.deleted_at is not None:
        return redirect_to(url_for("papers.detail", slug=ws.slug, paper_id=paper.id))
    if request.args.get("edit") == "1" and can_edit_paper(me, paper):
        return render("papers/_section_editor.html", **_section_context(ws, me, paper, sec))
    # What every open page fetches after someone's save: shared between viewers.
    ctx = _section_context(ws, me, paper, sec)
    return render("papers/_section_shared.html", section_html=lambda: page_cache.section_item(ctx), **ctx)


@bp.post("/<int:paper_id>/sections/<int:section_id>")
def save_section(slug: str, paper_id: int, section_id: int):
    ws, me, paper = _writer_paper(slug, paper_id)
    sec = load_section(paper, section_id)
    html = request.form.get("html", "")
    base_raw = request.form.get("base_revision_id", "")
    if not base_raw.isdigit() and base_raw != "":
        return render("papers/_section_editor.html", status=422,
                      **_section_context(ws, me, paper, sec, draft=html,
                                         error=_("Okänd utgångsversion. Ladda om sidan.")))
    if len(html) > 400_000:
        return render("papers/_section_editor.html", status=422,
                      **_section_context(ws, me, paper, sec, draft=html[:400_000],
                                         error=_("Texten är för lång för ett avsnitt. Dela upp den i flera avsnitt.")))
    try:
        result = services.save_section(current_user, sec, html, int(base_raw) if base_raw else None)
    except services.PaperError as e:
        db.session.rollback()
        return render("papers/_section_editor.html", status=422,
                      **_section_context(ws, me, paper, sec, draft=html, error=str(e)))
    if result.status == "conflict":
        db.session.rollback()
        return render("papers/_section_conflict.html", status=409,
                      **_section_context(ws, me, paper, sec, result=result))
    commit(keep_loaded=True)  # the service changed the section and the paper through the ORM only
    return hx_response(_section_view(ws, me, paper, sec, save_status=result.status),
                       trigger={"section-saved-here": {"section_id": sec.id, "status": result.status}})


@bp.post("/<int:paper_id>/sections/<int:section_id>/rename")
def rename_section(slug: str, paper_id: int, section_id: int):
    ws, me, paper = _writer_paper(slug, paper_id)
    sec = load_section(paper, section_id)
    form = SectionTitleForm()
    if not form.validate():
        return _section_view(ws, me, paper, sec, 422, rename_error=" ".join(map(str, form.title.errors)))
    try:
        services.rename_section(current_user, sec, form.title.data)
    except services.PaperError as e:
        db.session.rollback()
        return _section_view(ws, me, paper, sec, 422, rename_error=str(e))
    commit()
    return _section_view(ws, me, paper, sec)


@bp.post("/<int:paper_id>/sections/<int:section_id>/move")
def move_section(slug: str, paper_id: int, section_id: int):
    ws, me, paper = _writer_paper(slug, paper_id)
    sec = load_section(paper, section_id)
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        return _sections_response(ws, me, paper, 422, order_error=_("Okänd riktning."))
    live = paper.live_sections
    if sec not in live:
        return _sections_response(ws, me, paper, 422, order_error=_("Avsnittet är borttaget."))
    index = live.index(sec) + (-1 if direction == "up" else 1)
    try:
        services.move_section(current_user, sec, index)
    except services.PaperError as e:
        db.session.rollback()
        return _sections_response(ws, me, paper, 422, order_error=str(e))
    commit()
    db.session.refresh(paper)
    position = paper.live_sections.index(sec) + 1
    return _sections_response(ws, me, paper, moved=sec.id, moved_dir=direction,
                              announcement=_("”%(t)s” är nu avsnitt %(n)d av %(total)d.", t=sec.title,
                                             n=position, total=len(paper.live_sections)))


@bp.post("/<int:paper_id>/sections/order")
def reorder_sections(slug: str, paper_id: int):
    ws, me, paper = _writer_paper(slug, paper_id)
    raw = request.form.getlist("section")
    if not raw or not all(r.isdigit() for r in raw):
        return _sections_response(ws, me, paper, 422, order_error=_("Ogiltig ordning."))
    try:
        services.reorder_sections(current_user, paper, [int(r) for r in raw])
    except services.PaperError as e:
        db.session.rollback()
        return _sections_response(ws, me, paper, 422, order_error=str(e))
    commit()
    db.session.refresh(paper)
    return _sections_response(ws, me, paper, announcement=_("Ordningen är sparad."))


def _section_list_change(slug, paper_id, section_id, action, announcement):
    """Remove or restore a section: the sections list answers, with a spoken message."""
    ws, me, paper = _writer_paper(slug, paper_id)
    sec = load_section(paper, section_id)
    try:
        action(current_user, sec)
    except services.PaperError as e:
        db.session.rollback()
        return _sections_response(ws, me, paper, 422, order_error=str(e))
    commit()
    db.session.refresh(paper)
    return _sections_response(ws, me, paper, announcement=announcement % {"t": sec.title})


@bp.post("/<int:paper_id>/sections/<int:section_id>/remove")
def remove_section(slug: str, paper_id: int, section_id: int):
    return _section_list_change(slug, paper_id, section_id, services.remove_section,
                                _("Avsnittet ”%(t)s” är borttaget. Det kan återställas.", t="%(t)s"))


@bp.post("/<int:paper_id>/sections/<int:section_id>/restore")
def restore_section(slug: str, paper_id: int, section_id: int):
    return _section_list_change(slug, paper_id, section_id, services.restore_section,
                                _("Avsnittet ”%(t)s” är återställt.", t="%(t)s"))


# --- history -------------------------------------------------------------------------

@bp.get("/<int:paper_id>/history")
def history(slug: str, paper_id: int):
    ws, me = load_workspace(slug, current_user)
    paper = load_paper(ws, paper_id)
    return render("papers/history.html", ws=ws, me=me, paper=paper, revisions=services.paper_history(paper),
                  can_edit=can_edit_paper(me, paper))


@bp.get("/<int:paper_id>/sections/<int:section_id>/history")
def section_history(slug: str, paper_id: int, section_id: int):
    ws, me = load_workspace(slug, current_user)
    paper = load_paper(ws, paper_id)
    sec = load_section(paper, section_id)
    revisions = services.section_history(sec)
    by_id = {r.id: r for r in revisions}
    a, b = by_id.get(_int_arg("a")), by_id.get(_int_arg("b"))
    if b is None and revisions:
        b = revisions[0]
    if a is None and len(revisions) > 1:
        a = next((r for r in revisions if r.number == b.number - 1), revisions[-1])
    diff = diff_html(a.html if a else "", b.html if b else "") if b else None
    return render("papers/section_history.html", block="diff", ws=ws, me=me, paper=paper, section=sec,
                  revisions=revisions, a=a, b=b, diff=diff, can_edit=can_edit_paper(me, paper))


@bp.post("/<int:paper_id>/sections/<int:section_id>/revisions/<int:revision_id>/restore")
def restore_revision(slug: str, paper_id: int, section_id: int, revision_id: int):
    ws, me, paper = _writer_paper(slug, paper_id)
    sec = load_section(paper, section_id)
    rev = load_revision(sec, revision_id)
    try:
        new = services.restore_revision(current_user, rev)
    except services.PaperError as e:
        db.session.rollback()
        flash(str(e), "error")
        return redirect_to(url_for("papers.section_history", slug=ws.slug, paper_id=paper.id, section_id=sec.id))
    commit()
    flash(_("Version %(n)d är återställd som version %(m)d.", n=rev.number, m=new.number), "success")
    return redirect_to(url_for("papers.detail", slug=ws.slug, paper_id=paper.id) + f"#section-{sec.id}")


# --- named versions ------------------------------------------------------------------

@bp.post("/<int:paper_id>/versions")
def create_snapshot(slug: str, paper_id: int):
    ws, me, paper = _writer_paper(slug, paper_id)
    form = SnapshotForm()
    if not form.validate():
        return render("papers/detail.html", block="versions", status=422,
                      **_paper_context(ws, me, paper, snapshot_form=form))
    try:
        snap = services.create_snapshot(current_user, paper, form.name.data, form.note.data or "")
    except services.PaperError as e:
        db.session.rollback()
        form.name.errors = [str(e)]
        return render("papers/detail.html", block="versions", status=422,
                      **_paper_context(ws, me, paper, snapshot_form=form))
    commit()
    flash(_("Versionen ”%(n)s” är sparad.", n=snap.name), "success")
    return render("papers/detail.html", block="versions",
                  **_paper_context(ws, me, paper, snapshot_form=SnapshotForm(formdata=None)))


def _load_snapshot(paper, snapshot_id: int | None) -> Snapshot | None:
    if snapshot_id is None:
        return None
    snap = db.session.get(Snapshot, snapshot_id)
    if snap is None or snap.paper_id != paper.id:
        abort(404)
    return snap


@bp.get("/<int:paper_id>/versions/<int:snapshot_id>")
def snapshot(slug: str, paper_id: int, snapshot_id: int):
    ws, me = load_workspace(slug, current_user)
    paper = load_paper(ws, paper_id)
    snap = _load_snapshot(paper, snapshot_id)
    changed = snap.content_hash != services.paper_content_hash(paper)
    return render("papers/snapshot.html", ws=ws, me=me, paper=paper, snap=snap, changed=changed)


@bp.get("/<int:paper_id>/versions/compare")
def compare(slug: str, paper_id: int):
    ws, me = load_workspace(slug, current_user)
    paper = load_paper(ws, paper_id)
    snaps = services.snapshots_of(paper)
    a = _load_snapshot(paper, _int_arg("a"))
    b = _load_snapshot(paper, _int_arg("b"))  # None = the current text
    if a is None and snaps:
        a = snaps[0]
    comparison = None
    if a is not None:
        comparison = services.compare_snapshots(a, b) if b else services.compare_snapshot_to_current(a)
    return render("papers/compare.html", block="comparison", ws=ws, me=me, paper=paper, snaps=snaps,
                  a=a, b=b, comparison=comparison)
