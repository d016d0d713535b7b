"""Who may do what with a priority list. Views and templates ask these same functions.

Secretariat and officials write the list while it is a draft or being ranked; politicians
rank while it is being ranked; the secretariat sets the final order and puts it up for
decision; an adopted list is frozen except for its follow-ups."""
from __future__ import annotations

from flask import abort
from sqlalchemy import select

from workspace.db import db
from workspace.priorities.models import PriorityItem, PriorityList
from workspace.workspaces.permissions import SECRETARIAT, can_decide, can_write_papers

EDITABLE_STATUSES = ("draft", "ranking")


def can_create_list(m) -> bool:
    return can_write_papers(m)


def can_edit_list(m, plist: PriorityList) -> bool:
    return can_write_papers(m) and plist.status in EDITABLE_STATUSES


def can_rank(m, plist: PriorityList) -> bool:
    return can_decide(m) and plist.status == "ranking"


def is_secretariat(m) -> bool:
    return m is not None and m.active and m.role == SECRETARIAT


def can_set_final_order(m, plist: PriorityList) -> bool:
    return is_secretariat(m) and plist.status in EDITABLE_STATUSES


def can_follow_up(m, plist: PriorityList) -> bool:
    return can_write_papers(m) and plist.status == "adopted"


# status → statuses it may move to; the rule for each move is in allowed_transitions.
# "decision" and "adopted" are reached only through an approval round (workspace/decisions).
TRANSITIONS = {
    "draft": ("ranking",),
    "ranking": ("draft",),
    "decision": (),
    "adopted": (),
}
ROUND_TRANSITIONS = {"draft": ("decision",), "ranking": ("decision",)}


def can_put_up_for_decision(m, plist: PriorityList) -> bool:
    return is_secretariat(m) and plist.status in ROUND_TRANSITIONS and bool(plist.items)


def can_change_status(m, plist: PriorityList, to_status: str) -> bool:
    if to_status in ROUND_TRANSITIONS.get(plist.status, ()):
        return is_secretariat(m)  # the round's opening (submit_for_decision) asks this
    if to_status not in TRANSITIONS.get(plist.status, ()):
        return False
    if to_status in ("decision", "adopted") or plist.status == "decision":
        return is_secretariat(m)
    return can_write_papers(m)


def allowed_transitions(m, plist: PriorityList) -> list[str]:
    return [s for s in TRANSITIONS.get(plist.status, ()) if can_change_status(m, plist, s)]


def load_list(ws, year: int) -> PriorityList:
    plist = db.session.scalar(select(PriorityList).where(PriorityList.workspace_id == ws.id,
                                                         PriorityList.year == year))
    if plist is None:
        abort(404)
    return plist


def load_item(plist: PriorityList, item_id: int) -> PriorityItem:
    item = db.session.get(PriorityItem, item_id)
    if item is None or item.list_id != plist.id:
        abort(404)
    return item
