"""Who hears about approval rounds: rules for the notifications domain.

Opening a round tells the politicians (who decide) and officials (who prepare) of every
taking-part member organisation; closing or cancelling it tells them and the secretariat.
"""
from __future__ import annotations

from sqlalchemy import select

from workspace.accounts.models import User
from workspace.db import db
from workspace.notifications.services import register_rule, workspace_members
from workspace.workspaces.models import Membership


def _taking_part(ev, roles=("politician", "official")) -> list[int]:
    org_ids = (ev.payload or {}).get("organization_ids") or []
    if not org_ids:
        return []
    return list(db.session.scalars(
        select(Membership.user_id).join(User, User.id == Membership.user_id).where(
            Membership.workspace_id == ev.workspace_id, Membership.active.is_(True),
            Membership.role.in_(roles), User.organization_id.in_(org_ids))))


def _opened(ev):
    return ((uid, "approval_round") for uid in _taking_part(ev))


def _ended(ev):
    people = set(_taking_part(ev)) | set(workspace_members(ev, roles=("secretariat",)))
    return ((uid, "approval_round") for uid in sorted(people))


register_rule("round-opened", _opened)
register_rule("round-closed", _ended)
register_rule("round-cancelled", _ended)
