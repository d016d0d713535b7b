"""Workspaces: settings, member organisations, people and roles.

Every function takes the acting user explicitly, flushes (never commits) and records an
event. Broken rules raise WorkspaceError with a message for the user.
"""
from __future__ import annotations

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import bindparam, func, select

from workspace.accounts.models import User
from workspace.accounts.services import issue_token, normalize_email
from workspace.db import db
from workspace.events import record_event
from workspace.mail.services import queue_mail
from workspace.workspaces.models import (
    DECISION_RULES,
    ROLES,
    SIDES,
    Membership,
    Organization,
    Workspace,
    WorkspaceOrganization,
)
from workspace.workspaces.permissions import SECRETARIAT, can_manage_workspace


class WorkspaceError(ValueError):
    """A rule was broken; the message is for the user."""


def _require_manager(actor: User, ws: Workspace) -> None:
    from workspace.workspaces.permissions import membership_of

    if not can_manage_workspace(membership_of(actor, ws)):
        raise PermissionError("secretariat only")


# Built once (the menu of every page asks it): building it costs more than running it.
_WORKSPACES_OF = (select(Workspace).join(Membership)
                  .where(Membership.user_id == bindparam("user_id"), Membership.active.is_(True))
                  .order_by(Workspace.name))


def workspaces_of_statement():
    """The active workspaces of the person `:user_id` by name, as a statement (the layout's
    query adds the bell's count to it)."""
    return _WORKSPACES_OF


def workspaces_of(user: User) -> list[Workspace]:
    return list(db.session.scalars(_WORKSPACES_OF, {"user_id": user.id}))


def people_of(ws: Workspace) -> list[Membership]:
    return list(
        db.session.scalars(
            select(Membership)
            .join(User)
            .where(Membership.workspace_id == ws.id)
            .order_by(Membership.active.desc(), User.name)
        )
    )


def update_workspace(actor: User, ws: Workspace, *, name: str, description: str, decision_rule: str) -> None:
    _require_manager(actor, ws)
    name = name.strip()
    if not name:
        raise WorkspaceError(_("Ange ett namn."))
    if decision_rule not in DECISION_RULES:
        raise WorkspaceError(_("Okänd beslutsregel."))
    changed = {}
    for field, value in (("name", name), ("description", description.strip()), ("decision_rule", decision_rule)):
        if getattr(ws, field) != value:
            changed[field] = value
            setattr(ws, field, value)
    if changed:
        record_event(actor, "workspace-updated", ws, workspace=ws, changed=sorted(changed))


def find_or_create_organization(name: str, kind: str = "other") -> Organization:
    name = " ".join(name.split())
    org = db.session.scalar(select(Organization).where(func.lower(Organization.name) == name.lower()))
    if org is None:
        org = Organization(name=name, kind=kind)
        db.session.add(org)
        db.session.flush()
    return org


def add_member_organization(actor: User, ws: Workspace, name: str) -> Organization:
    _require_manager(actor, ws)
    name = " ".join(name.split())
    if not name:
        raise WorkspaceError(_("Ange organisationens namn."))
    if len(name) > 160:
        raise WorkspaceError(_("Namnet är för långt (högst 160 tecken)."))
    org = find_or_create_organization(name)
    if any(link.organization_id == org.id for link in ws.member_links):
        raise WorkspaceError(_("%(org)s är redan medlem.", org=org.name))
    ws.member_links.append(WorkspaceOrganization(organization=org))
    db.session.flush()
    record_event(actor, "organization-added", org, workspace=ws, name=org.name)
    return org


def remove_member_organization(actor: User, ws: Workspace, org: Organization) -> None:
    _require_manager(actor, ws)
    link = next((lk for lk in ws.member_links if lk.organization_id == org.id), None)
    if link is None:
        raise WorkspaceError(_("Organisationen är inte medlem."))
    active_people = [
        m for m in ws.memberships if m.active and m.user.organization_id == org.id and m.role != SECRETARIAT
    ]
    if active_people:
        raise WorkspaceError(
            _("%(org)s har %(n)d aktiva personer här. Inaktivera dem först.", org=org.name, n=len(active_people))
        )
    ws.member_links.remove(link)
    db.session.flush()
    record_event(actor, "organization-removed", org, workspace=ws, name=org.name)


def _check_role(role: str, side: str | None) -> str | None:
    if role not in ROLES:
        raise WorkspaceError(_("Okänd roll."))
    if role == "politician":
        if side not in SIDES:
            raise WorkspaceError(_("Ange om förtroendevalda tillhör majoritet eller opposition."))
        return side
    return None


def invite_person(
    actor: User,
    ws: Workspace,
    *,
    email: str,
    name: str,
    organization: Organization,
    role: str,
    side: str | None = None,
) -> Membership:
    """Add a person to the workspace; a new person gets an invitation link by e-mail."""
    _require_manager(actor, ws)
    side = _check_role(role, side)
    email = normalize_email(email)
    user = db.session.scalar(select(User).where(func.lower(User.email) == email))
    is_new = user is None
    if is_new:
        user = User(email=email, name=name.strip(), organization=organization, locale="sv")
        db.session.add(user)
        db.session.flush()
    membership = db.session.scalar(
        select(Membership).where(Membership.workspace_id == ws.id, Membership.user_id == user.id)
    )
    if membership is not None and membership.active:
        raise WorkspaceError(_("%(email)s är redan med i samverkansorganet.", email=email))
    if membership is None:
        membership = Membership(workspace=ws, user=user, role=role, political_side=side)
        db.session.add(membership)
    else:
        membership.active, membership.role, membership.political_side = True, role, side
    db.session.flush()

    base = current_app.config["PUBLIC_URL"].rstrip("/")
    with force_locale(user.locale):
        if user.password_hash is None:
            valid_for = current_app.config["INVITATION_VALID_FOR"]
            token = issue_token(user, "invite", valid_for, workspace=ws)
            link = base + url_for("accounts.accept_invitation", token=token)
            body = _(
                "Hej!\n\n%(inviter)s har bjudit in dig till %(ws)s i Samverkan, där "
                "medlemsorganisationerna skriver positionspapper tillsammans.\n\n"
                "Välj ditt lösenord och kom igång här:\n\n%(link)s\n\n"
                "Länken gäller i %(days)d dagar och kan användas en gång.",
                inviter=actor.name, ws=ws.name, link=link, days=valid_for.days,
            )
        else:
            link = base + url_for("workspaces.detail", slug=ws.slug)
            body = _(
                "Hej %(name)s!\n\n%(inviter)s har lagt till dig i %(ws)s i Samverkan.\n\n%(link)s",
                name=user.name, inviter=actor.name, ws=ws.name, link=link,
            )
        queue_mail(user.email, _("Inbjudan till %(ws)s", ws=ws.name), body, kind="invitation")
    record_event(actor, "member-invited", membership, workspace=ws, email=email, role=role, new_account=is_new)
    return membership


def _secretariat_left(ws: Workspace, without: Membership) -> bool:
    return any(m.active and m.role == SECRETARIAT and m.id != without.id for m in ws.memberships)


def change_role(actor: User, membership: Membership, role: str, side: str | None) -> None:
    ws = membership.workspace
    _require_manager(actor, ws)
    side = _check_role(role, side)
    if membership.role == SECRETARIAT and role != SECRETARIAT and not _secretariat_left(ws, membership):
        raise WorkspaceError(_("Samverkansorganet måste ha minst en person i kansliet."))
    before = (membership.role, membership.political_side)
    membership.role, membership.political_side = role, side
    if before != (role, side):
        record_event(actor, "member-role-changed", membership, workspace=ws,
                     user=membership.user.name, role=role, side=side, was=before[0])


def set_member_active(actor: User, membership: Membership, active: bool) -> None:
    ws = membership.workspace
    _require_manager(actor, ws)
    if not active and membership.role == SECRETARIAT and not _secretariat_left(ws, membership):
        raise WorkspaceError(_("Samverkansorganet måste ha minst en person i kansliet."))
    if membership.active == active:
        return
    membership.active = active
    record_event(actor, "member-activated" if active else "member-deactivated", membership,
                 workspace=ws, user=membership.user.name)
