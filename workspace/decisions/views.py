"""Round pages: open a round on a paper's version, follow and decide, close, ratify."""
from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from workspace.db import db, utcnow
from workspace.decisions import services
from workspace.decisions.forms import NEW_VERSION, DecisionForm, OpenRoundForm, RatificationForm, RoundForm
from workspace.decisions.permissions import (
    can_decide_in,
    can_record_ratification,
    can_run_rounds,
    load_round,
)
from workspace.live.hub import newest_event_id
from workspace.papers import services as papers
from workspace.papers.models import Paper
from workspace.papers.permissions import load_paper
from workspace.web.htmx import is_fragment_request, redirect_to
from workspace.web.rendering import commit, render, render_invalid
from workspace.workspaces.permissions import load_workspace, require

bp = Blueprint("decisions", __name__, url_prefix="/w/<slug>")


@bp.before_request
@login_required
def _login_first():
    pass


def _live(ws) -> str:
    return url_for("live.stream", slug=ws.slug, after=newest_event_id())


def _local_tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


# --- lists ---------------------------------------------------------------------------

@bp.get("/rounds")
def index(slug: str):
    ws, me = load_workspace(slug, current_user)
    rounds = services.workspace_rounds(ws)
    subjects = {r.id: services.subject_label(r) for r in rounds}
    return render("decisions/index.html", ws=ws, me=me, rounds=rounds, subjects=subjects, live_url=_live(ws))


@bp.get("/ratifications")
def ratifications(slug: str):
    ws, me = load_workspace(slug, current_user)
    rounds = services.adopted_rounds(ws)
    rows = [(r, services.subject_label(r), services.ratifications_of(r)) for r in rounds]
    return render("decisions/ratifications.html", block="overview", ws=ws, me=me, rows=rows,
                  orgs=ws.member_organizations, live_url=_live(ws))


# --- opening -------------------------------------------------------------------------

def _open_form(ws, paper, formdata=True) -> OpenRoundForm:
    form = OpenRoundForm() if formdata else OpenRoundForm(formdata=None)
    form.fill_choices(papers.snapshots_of(paper), ws.member_organizations)
    return form


@bp.route("/papers/<int:paper_id>/rounds/new", methods=["GET", "POST"])
def open_round(slug: str, paper_id: int):
    ws, me = load_workspace(slug, current_user)
    paper = load_paper(ws, paper_id)
    require(can_run_rounds(me))
    current = services.open_round_of("paper", paper.id)
    ctx = dict(ws=ws, me=me, current=current, error=None, subject_title=paper.title,
               subject_url=url_for("papers.detail", slug=ws.slug, paper_id=paper.id),
               action=url_for("decisions.open_round", slug=ws.slug, paper_id=paper.id))
    if request.method == "GET":
        form = _open_form(ws, paper, formdata=False)
        snaps = papers.snapshots_of(paper)
        fresh = snaps and snaps[0].content_hash == papers.paper_content_hash(paper)
        form.snapshot.data = str(snaps[0].id) if fresh and not (current and current.snapshot_id == snaps[0].id) \
            else NEW_VERSION
        form.organizations.data = current.organization_ids if current else [o.id for o in ws.member_organizations]
        form.registration_number.data = (current.registration_number if current else None) or paper.registration_number
        form.deadline.data = _default_deadline()
        return render("decisions/open.html", form=form, **ctx)
    form = _open_form(ws, paper)
    if not form.validate():
        return render_invalid("decisions/open.html", form=form, **ctx)
    deadline = form.deadline.data.replace(tzinfo=_local_tz())
    try:
        if form.snapshot.data == NEW_VERSION:
            snap = papers.create_snapshot(current_user, paper, form.new_version_name.data)
        else:
            snap = next((s for s in papers.snapshots_of(paper) if str(s.id) == form.snapshot.data), None)
        round_ = services.open_paper_round(current_user, paper, snap, deadline=deadline,
                                           message=form.message.data or "",
                                           organization_ids=form.organizations.data or [],
                                           registration_number=form.registration_number.data)
    except (services.DecisionError, papers.PaperError) as e:
        db.session.rollback()
        ctx["error"] = str(e)
        return render_invalid("decisions/open.html", form=_open_form(ws, paper), **ctx)
    commit()
    flash(_("Beslutsomgången är öppnad."), "success")
    return redirect_to(url_for("decisions.detail", slug=ws.slug, round_id=round_.id))


def _default_deadline():
    return (utcnow() + timedelta(days=14)).astimezone(_local_tz()).replace(
        hour=12, minute=0, second=0, microsecond=0, tzinfo=None)


@bp.route("/priorities/<int:year>/rounds/new", methods=["GET", "POST"])
def open_list_round(slug: str, year: int):
    """Put a priority list up for decision: the same round as for papers, on the list's content hash."""
    from workspace.priorities import services as priorities
    from workspace.priorities.decision import SUBJECT
    from workspace.priorities.permissions import load_list

    ws, me = load_workspace(slug, current_user)
    plist = load_list(ws, year)
    require(can_run_rounds(me))
    current = services.open_round_of(SUBJECT, plist.id)
    ctx = dict(ws=ws, me=me, current=current, error=None, subject_title=plist.title,
               subject_url=url_for("priorities.detail", slug=ws.slug, year=plist.year),
               action=url_for("decisions.open_list_round", slug=ws.slug, year=plist.year))
    form = RoundForm(formdata=None) if request.method == "GET" else RoundForm()
    form.fill_organizations(ws.member_organizations)
    if request.method == "GET":
        form.organizations.data = current.organization_ids if current else [o.id for o in ws.member_organizations]
        form.deadline.data = _default_deadline()
        return render("decisions/open.html", form=form, **ctx)
    if not form.validate():
        return render_invalid("decisions/open.html", form=form, **ctx)
    try:
        round_ = services.open_round(current_user, ws, SUBJECT, plist, content_hash=priorities.content_hash(plist),
                                     deadline=form.deadline.data.replace(tzinfo=_local_tz()),
                                     message=form.message.data or "", organization_ids=form.organizations.data or [])
    except (services.DecisionError, priorities.PriorityError) as e:
        db.session.rollback()
        ctx["error"] = str(e)
        return render_invalid("decisions/open.html", form=form, **ctx)
    commit()
    flash(_("Beslutsomgången är öppnad."), "success")
    return redirect_to(url_for("decisions.detail", slug=ws.slug, round_id=round_.id))


# --- the round -----------------------------------------------------------------------

def _round_context(ws, me, round_, **extra):
    subject = services.subject_of(round_)
    standing = services.standing_decisions(round_)
    prev = services.previous_round(round_)
    comparison = None
    if prev is not None and prev.snapshot is not None and round_.snapshot is not None and prev.snapshot_id != round_.snapshot_id:
        comparison = papers.compare_snapshots(prev.snapshot, round_.snapshot)
    mine = standing.get(current_user.organization_id)
    form = extra.pop("form", None)
    if form is None:
        form = DecisionForm(formdata=None)
        if mine is not None:
            form.kind.data, form.statement.data, form.note.data = mine.kind, mine.statement, mine.note
    ctx = dict(ws=ws, me=me, round=round_, subject=subject, paper=subject if isinstance(subject, Paper) else None,
               subject_title=services.subject_label(round_, subject),
               standing=standing, history=services.decision_history(round_), outcome=services.outcome_of(round_),
               stale=services.is_stale(round_, subject), previous=prev, comparison=comparison,
               can_decide=can_decide_in(me, current_user, round_) and round_.is_open, mine=mine,
               can_run=can_run_rounds(me), form=form, ratifications=services.ratifications_of(round_),
               can_ratify=lambda org_id: can_record_ratification(me, current_user, org_id),
               orgs=ws.member_organizations, live_url=_live(ws))
    ctx.update(extra)
    return ctx


PARTS = ("round", "ratifications")


@bp.get("/rounds/<int:round_id>")
def detail(slug: str, round_id: int):
    ws, me = load_workspace(slug, current_user)
    round_ = load_round(ws, round_id)
    part = request.args.get("part")
    return render("decisions/round.html", block=part if part in PARTS else None, **_round_context(ws, me, round_))


@bp.post("/rounds/<int:round_id>/decision")
def decide(slug: str, round_id: int):
    ws, me = load_workspace(slug, current_user)
    round_ = load_round(ws, round_id)
    require(can_decide_in(me, current_user, round_))
    form = DecisionForm()
    if not form.validate():
        return render_invalid("decisions/round.html", block="round", **_round_context(ws, me, round_, form=form))
    try:
        services.record_decision(current_user, round_, form.kind.data, form.statement.data or "", form.note.data or "")
    except services.DecisionError as e:
        db.session.rollback()
        return render_invalid("decisions/round.html", block="round",
                              **_round_context(ws, me, round_, form=form, decide_error=str(e)))
    commit()
    db.session.refresh(round_)
    announcement = _("Ställningstagandet är registrerat.")
    if not round_.is_open:
        announcement += " " + str(services.OUTCOME_LABELS[round_.outcome])
    if not is_fragment_request():
        flash(announcement, "success")
        return redirect_to(url_for("decisions.detail", slug=ws.slug, round_id=round_.id))
    return render("decisions/round.html", block="round", **_round_context(ws, me, round_, announcement=announcement))


def _secretariat_action(slug, round_id, action, message):
    ws, me = load_workspace(slug, current_user)
    round_ = load_round(ws, round_id)
    require(can_run_rounds(me))
    try:
        action(current_user, round_)
    except services.DecisionError as e:
        db.session.rollback()
        return render_invalid("decisions/round.html", block="round",
                              **_round_context(ws, me, round_, action_error=str(e)))
    commit()
    db.session.refresh(round_)
    flash(message if round_.outcome is None else f"{message} {services.OUTCOME_LABELS[round_.outcome]}", "success")
    return redirect_to(url_for("decisions.detail", slug=ws.slug, round_id=round_.id))


@bp.post("/rounds/<int:round_id>/close")
def close(slug: str, round_id: int):
    return _secretariat_action(slug, round_id, services.close_round, _("Beslutsomgången är avslutad."))


@bp.post("/rounds/<int:round_id>/cancel")
def cancel(slug: str, round_id: int):
    return _secretariat_action(slug, round_id, services.cancel_round,
                               _("Beslutsomgången är avbruten och papperet är tillbaka som utkast."))


# --- ratification --------------------------------------------------------------------

@bp.post("/rounds/<int:round_id>/ratifications/<int:org_id>")
def ratify(slug: str, round_id: int, org_id: int):
    ws, me = load_workspace(slug, current_user)
    round_ = load_round(ws, round_id)
    if org_id not in {o.id for o in ws.member_organizations}:
        abort(404)
    require(can_record_ratification(me, current_user, org_id))
    form = RatificationForm()
    if not form.validate():
        return render_invalid("decisions/round.html", block="ratifications",
                              **_round_context(ws, me, round_, rat_form=form, rat_org=org_id))
    try:
        services.record_ratification(current_user, round_, org_id, status=form.status.data,
                                     registration_number=form.registration_number.data or "",
                                     body=form.body.data or "", decided_on=form.decided_on.data,
                                     paragraph=form.paragraph.data or "")
    except services.DecisionError as e:
        db.session.rollback()
        form.status.errors = [str(e)]
        return render_invalid("decisions/round.html", block="ratifications",
                              **_round_context(ws, me, round_, rat_form=form, rat_org=org_id))
    commit()
    org = next(o for o in ws.member_organizations if o.id == org_id)
    if not is_fragment_request():
        flash(_("Ratificeringen för %(org)s är sparad.", org=org.name), "success")
        return redirect_to(url_for("decisions.detail", slug=ws.slug, round_id=round_.id) + "#ratifications-heading")
    return render("decisions/round.html", block="ratifications",
                  **_round_context(ws, me, round_, rat_announcement=_("Ratificeringen för %(org)s är sparad.",
                                                                       org=org.name)))
