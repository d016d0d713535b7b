from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, current_app, flash, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from workspace.db import db
from workspace.live.hub import newest_event_id
from workspace.papers.services import list_papers
from workspace.web.htmx import redirect_to
from workspace.web.rendering import commit, render, render_invalid
from workspace.workspaces import audit, services
from workspace.workspaces.forms import AddOrganizationForm, InviteForm, RoleForm, WorkspaceForm, choices
from workspace.workspaces.models import Membership, Organization
from workspace.workspaces.permissions import can_manage_workspace, can_view_audit, load_workspace, require

bp = Blueprint("workspaces", __name__, url_prefix="/w")


@bp.before_request
@login_required
def _login_first():
    pass


@bp.get("/")
def index():
    return render("workspaces/index.html", workspaces=services.workspaces_of(current_user))


def _detail_context(ws, membership, **extra):
    ctx = dict(
        live_url=url_for("live.stream", slug=ws.slug, after=newest_event_id()),
        ws=ws,
        me=membership,
        people=services.people_of(ws),
        latest_papers=list_papers(ws, per_page=6).items,
        org_form=AddOrganizationForm(),
        role_forms={},
    )
    ctx.update(extra)
    return ctx


@bp.get("/<slug>")
def detail(slug: str):
    ws, me = load_workspace(slug, current_user)
    return render("workspaces/detail.html", **_detail_context(ws, me))


@bp.route("/<slug>/settings", methods=["GET", "POST"])
def settings(slug: str):
    ws, me = load_workspace(slug, current_user)
    require(can_manage_workspace(me))
    form = WorkspaceForm(obj=ws)
    if request.method == "POST":
        if not form.validate():
            return render_invalid("workspaces/settings.html", ws=ws, me=me, form=form)
        try:
            services.update_workspace(current_user, ws, name=form.name.data,
                                      description=form.description.data or "",
                                      decision_rule=form.decision_rule.data)
        except services.WorkspaceError as e:
            form.name.errors = [str(e)]
            return render_invalid("workspaces/settings.html", ws=ws, me=me, form=form)
        commit()
        flash(_("Inställningarna är sparade."), "success")
        return redirect_to(url_for("workspaces.detail", slug=ws.slug))
    return render("workspaces/settings.html", ws=ws, me=me, form=form)


@bp.post("/<slug>/organizations")
def add_organization(slug: str):
    ws, me = load_workspace(slug, current_user)
    require(can_manage_workspace(me))
    form = AddOrganizationForm()
    if form.validate():
        try:
            org = services.add_member_organization(current_user, ws, form.name.data)
        except services.WorkspaceError as e:
            form.name.errors = [str(e)]
        else:
            commit()
            flash(_("%(org)s är nu medlem.", org=org.name), "success")
            return render("workspaces/detail.html", block="organizations", **_detail_context(ws, me))
    db.session.rollback()
    return render_invalid("workspaces/detail.html", block="organizations",
                          **_detail_context(ws, me, org_form=form))


@bp.post("/<slug>/organizations/<int:org_id>/remove")
def remove_organization(slug: str, org_id: int):
    ws, me = load_workspace(slug, current_user)
    org = db.get_or_404(Organization, org_id)
    require(can_manage_workspace(me))
    try:
        services.remove_member_organization(current_user, ws, org)
    except services.WorkspaceError as e:
        db.session.rollback()
        return render_invalid("workspaces/detail.html", block="organizations",
                              **_detail_context(ws, me, org_error=str(e)))
    commit()
    flash(_("%(org)s är inte längre medlem.", org=org.name), "success")
    return render("workspaces/detail.html", block="organizations", **_detail_context(ws, me))


def _organization_choices(ws):
    orgs = {o.id: o for o in ws.member_organizations}
    for m in ws.memberships:
        orgs.setdefault(m.user.organization.id, m.user.organization)
    return choices((o.id, o.name) for o in sorted(orgs.values(), key=lambda o: o.name))


@bp.route("/<slug>/people/invite", methods=["GET", "POST"])
def invite(slug: str):
    ws, me = load_workspace(slug, current_user)
    require(can_manage_workspace(me))
    form = InviteForm()
    form.organization_id.choices = _organization_choices(ws)
    if request.method == "POST":
        if not form.validate():
            return render_invalid("workspaces/invite.html", ws=ws, me=me, form=form)
        try:
            membership = services.invite_person(
                current_user, ws,
                email=form.email.data, name=form.name.data,
                organization=db.session.get(Organization, form.organization_id.data),
                role=form.role.data, side=form.political_side.data or None,
            )
        except services.WorkspaceError as e:
            db.session.rollback()
            form.email.errors = [str(e)]
            return render_invalid("workspaces/invite.html", ws=ws, me=me, form=form)
        commit()
        flash(_("En inbjudan har skickats till %(email)s.", email=membership.user.email), "success")
        return redirect_to(url_for("workspaces.detail", slug=ws.slug) + "#people")
    return render("workspaces/invite.html", ws=ws, me=me, form=form)


def _load_membership(ws, membership_id: int) -> Membership:
    m = db.session.get(Membership, membership_id)
    if m is None or m.workspace_id != ws.id:
        abort(404)
    return m


@bp.post("/<slug>/people/<int:membership_id>/role")
def change_role(slug: str, membership_id: int):
    ws, me = load_workspace(slug, current_user)
    target = _load_membership(ws, membership_id)
    require(can_manage_workspace(me))
    form = RoleForm()
    error = None
    if not form.validate():
        error = _("Ogiltig roll.")
    else:
        try:
            services.change_role(current_user, target, form.role.data, form.political_side.data or None)
        except services.WorkspaceError as e:
            error = str(e)
    if error:
        db.session.rollback()
        return render_invalid("workspaces/detail.html", block="people",
                              **_detail_context(ws, me, people_error=error, error_row=target.id))
    commit()
    flash(_("Rollen för %(name)s är ändrad.", name=target.user.name), "success")
    return render("workspaces/detail.html", block="people", **_detail_context(ws, me))


@bp.post("/<slug>/people/<int:membership_id>/active")
def set_active(slug: str, membership_id: int):
    ws, me = load_workspace(slug, current_user)
    target = _load_membership(ws, membership_id)
    require(can_manage_workspace(me))
    value = request.form.get("active")
    if value not in ("0", "1"):
        return render_invalid("workspaces/detail.html", block="people",
                              **_detail_context(ws, me, people_error=_("Ogiltigt värde."), error_row=target.id))
    try:
        services.set_member_active(current_user, target, value == "1")
    except services.WorkspaceError as e:
        db.session.rollback()
        return render_invalid("workspaces/detail.html", block="people",
                              **_detail_context(ws, me, people_error=str(e), error_row=target.id))
    commit()
    if target.user_id == current_user.id and not target.active:
        return redirect_to(url_for("workspaces.index"))
    msg = _("%(name)s är aktiverad.", name=target.user.name) if target.active else \
        _("%(name)s är inaktiverad.", name=target.user.name)
    flash(msg, "success")
    return render("workspaces/detail.html", block="people", **_detail_context(ws, me))


@bp.get("/<slug>/events")
def events(slug: str):
    ws, me = load_workspace(slug, current_user)
    require(can_view_audit(me))
    choices_ = audit.filter_choices(ws)
    f = audit.parse_filter(request.args, choices_)
    page = db.paginate(audit.audit_query(ws, f), per_page=current_app.config["EVENTS_PER_PAGE"], error_out=False)
    return render("workspaces/events.html", block="events", status=422 if f.errors else 200,
                  ws=ws, me=me, page=page, f=f, choices=choices_,
                  object_type_labels=audit.OBJECT_TYPE_LABELS)


@bp.get("/<slug>/events.csv")
def events_csv(slug: str):
    ws, me = load_workspace(slug, current_user)
    require(can_view_audit(me))
    f = audit.parse_filter(request.args, audit.filter_choices(ws))
    if f.errors:
        abort(422)
    name = f"handelselogg-{ws.slug}-{date.today().isoformat()}.csv"
    resp = Response(stream_with_context(audit.audit_csv(ws, f)), mimetype="text/csv")
    resp.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    resp.headers["Cache-Control"] = "no-store"
    return resp
