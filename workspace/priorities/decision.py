"""A priority list as the subject of an approval round (the same rounds as papers).

Opening a round puts the list up for decision (frozen in its final order, its content hash
recorded); when the round's rule is met the list is adopted, otherwise it goes back to draft.
"""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from workspace.db import db
from workspace.decisions.subjects import SubjectType, register_subject_type
from workspace.priorities import services
from workspace.priorities.models import PriorityList

SUBJECT = "priority_list"


def _on_open(actor, plist: PriorityList, round_) -> None:
    from workspace.decisions.services import DecisionError

    if plist.status == "decision":
        return  # a restarted round: the list is already up for decision, unchanged
    if plist.status not in ("draft", "ranking"):
        raise DecisionError(_("Listan är fastställd och kan inte beslutas igen."))
    try:
        services.submit_for_decision(actor, plist)
    except services.PriorityError as e:
        raise DecisionError(str(e)) from None


def _on_adopt(actor, plist: PriorityList, round_) -> None:
    services.adopt(plist, round_.content_hash)


def _on_back_to_draft(actor, plist: PriorityList, round_) -> None:
    if plist.status == "decision":
        services.back_to_draft(plist)


register_subject_type(SubjectType(
    name=SUBJECT,
    load=lambda list_id: db.session.get(PriorityList, list_id),
    workspace_id=lambda plist: plist.workspace_id,
    title=lambda plist: plist.title,
    current_hash=services.content_hash,
    url=lambda plist, ws: url_for("priorities.detail", slug=ws.slug, year=plist.year),
    on_open=_on_open,
    on_adopt=_on_adopt,
    on_back_to_draft=_on_back_to_draft,
    extra_payload=lambda plist: {"list_id": plist.id, "year": plist.year},
))
