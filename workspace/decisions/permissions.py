"""Who may do what with rounds, decisions and ratifications. Views and templates ask these."""
from __future__ import annotations

from flask import abort

from workspace.db import db
from workspace.decisions.models import ApprovalRound
from workspace.workspaces.permissions import OFFICIAL, POLITICIAN, SECRETARIAT


def can_run_rounds(m) -> bool:
    return m is not None and m.active and m.role == SECRETARIAT


def takes_part(round_: ApprovalRound, organization_id: int | None) -> bool:
    return organization_id is not None and organization_id in round_.organization_ids


def can_decide_in(m, user, round_: ApprovalRound) -> bool:
    """A politician of a taking-part organisation (whether the round is still open is a rule, not a role)."""
    return (m is not None and m.active and m.role == POLITICIAN and user is not None
            and takes_part(round_, user.organization_id))


def can_record_ratification(m, user, organization_id: int) -> bool:
    if m is None or not m.active:
        return False
    if m.role == SECRETARIAT:
        return True
    return m.role == OFFICIAL and user is not None and user.organization_id == organization_id


def load_round(ws, round_id: int) -> ApprovalRound:
    round_ = db.session.get(ApprovalRound, round_id)
    if round_ is None or round_.workspace_id != ws.id:
        abort(404)
    return round_
