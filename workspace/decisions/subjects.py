"""What a round can decide on. A subject type tells the round how to load its subject,
hash its current content and what "adopt" and "back to draft" mean for it.

Papers are registered here; priority lists register their own type (see the README of
this domain in the final report) with `register_subject_type`.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import url_for
from flask_babel import gettext as _

from workspace.db import db, utcnow
from workspace.events import record_event


@dataclass(frozen=True)
class SubjectType:
    name: str
    load: Callable[[int], Any]  # id → the subject or None
    workspace_id: Callable[[Any], int]
    title: Callable[[Any], str]
    current_hash: Callable[[Any], str]  # hash of the subject's content as it is now
    url: Callable[[Any, Any], str]  # (subject, workspace) → its page
    # (actor, subject, round): raise DecisionError (a ValueError) to refuse opening.
    on_open: Callable[[Any, Any, Any], None]
    on_adopt: Callable[[Any, Any, Any], None]
    on_back_to_draft: Callable[[Any, Any, Any], None]
    paper_id: Callable[[Any], int | None] = lambda subject: None
    # Payload fields added to the round's events, so the subject's pages refresh live.
    extra_payload: Callable[[Any], dict] = lambda subject: {}
    requires_registration_number: bool = False


SUBJECT_TYPES: dict[str, SubjectType] = {}


def register_subject_type(st: SubjectType) -> None:
    SUBJECT_TYPES[st.name] = st


def subject_type(name: str) -> SubjectType:
    return SUBJECT_TYPES[name]


# --- papers --------------------------------------------------------------------------

def _paper_load(paper_id: int):
    from workspace.papers.models import Paper

    return db.session.get(Paper, paper_id)


def _paper_hash(paper) -> str:
    from workspace.papers.services import paper_content_hash

    return paper_content_hash(paper)


def _set_status(actor, paper, status: str, round_) -> None:
    old = paper.status
    if old == status:
        return
    paper.status = status
    paper.updated_at = utcnow()
    record_event(actor, "paper-status-changed", paper, workspace=paper.workspace, paper_id=paper.id,
                 round_id=round_.id, title=paper.title, **{"from": old, "to": status})


def _paper_open(actor, paper, round_) -> None:
    from workspace.decisions.services import DecisionError
    from workspace.papers.permissions import EDITABLE_STATUSES

    if paper.status not in EDITABLE_STATUSES:
        raise DecisionError(_("Papperet är fastställt eller arkiverat. Starta ett nytt utkast för att besluta igen."))
    _set_status(actor, paper, "decision", round_)


def _paper_adopt(actor, paper, round_) -> None:
    old = paper.status
    paper.status = "adopted"
    paper.registration_number = round_.registration_number
    paper.updated_at = utcnow()
    record_event(actor, "paper-adopted", paper, workspace=paper.workspace, paper_id=paper.id, round_id=round_.id,
                 title=paper.title, registration_number=round_.registration_number,
                 content_hash=round_.adopted_content_hash, organization_ids=round_.organization_ids,
                 **{"from": old, "to": "adopted"})


def _paper_back_to_draft(actor, paper, round_) -> None:
    _set_status(actor, paper, "draft", round_)


register_subject_type(SubjectType(
    name="paper",
    load=_paper_load,
    workspace_id=lambda p: p.workspace_id,
    title=lambda p: p.title,
    current_hash=_paper_hash,
    url=lambda p, ws: url_for("papers.detail", slug=ws.slug, paper_id=p.id),
    on_open=_paper_open,
    on_adopt=_paper_adopt,
    on_back_to_draft=_paper_back_to_draft,
    paper_id=lambda p: p.id,
    requires_registration_number=True,
))
