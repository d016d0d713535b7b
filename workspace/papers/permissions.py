"""Who may do what with a paper. Views and templates ask these same functions."""
from __future__ import annotations

from flask import abort
from sqlalchemy import bindparam, select

from workspace.db import db
from workspace.events import state_and_newest, with_paper_state_and_newest
from workspace.live.presence import people, present_column, presence_params
from workspace.papers.models import Paper, Revision, Section
from workspace.workspaces.models import Workspace
from workspace.workspaces.permissions import SECRETARIAT, can_write_papers, load_workspace_with

EDITABLE_STATUSES = ("draft", "review", "decision")
# status → statuses it may move to by hand, and who may make the move. "decision" and
# "adopted" are reached only through an approval round (workspace/decisions): opening one
# puts the paper up for decision, closing it adopts the paper or returns it to draft.
TRANSITIONS = {
    "draft": ("review",),
    "review": ("draft",),
    "decision": (),
    "adopted": ("archived",),
    "archived": (),
}
SECRETARIAT_ONLY = {"archived"}


def can_edit_paper(m, paper: Paper) -> bool:
    return can_write_papers(m) and paper.status in EDITABLE_STATUSES


def can_change_status(m, paper: Paper, to_status: str) -> bool:
    if to_status not in TRANSITIONS.get(paper.status, ()):
        return False
    if to_status in SECRETARIAT_ONLY:
        return m is not None and m.active and m.role == SECRETARIAT
    return can_write_papers(m)


def allowed_transitions(m, paper: Paper) -> list[str]:
    return [s for s in TRANSITIONS.get(paper.status, ()) if can_change_status(m, paper, s)]


# Built once: every paper page and fragment asks it, and building a statement costs more than
# running it (a plain session.get builds one for every call).
_PAPER_IN_WORKSPACE = select(Paper).where(Paper.id == bindparam("paper_id"),
                                          Paper.workspace_id == bindparam("workspace_id"))


def load_paper(ws, paper_id: int) -> Paper:
    paper = db.session.scalar(_PAPER_IN_WORKSPACE, {"paper_id": paper_id, "workspace_id": ws.id})
    if paper is None:
        abort(404)
    return paper


def _with_paper(membership_query):
    return with_paper_state_and_newest(
        membership_query.add_columns(Paper).join(Paper, Paper.workspace_id == Workspace.id)
        .where(Paper.id == bindparam("paper_id"))).add_columns(present_column(Paper.id))


def load_workspace_and_paper(slug: str, user, paper_id: int):
    """`load_workspace` and `load_paper`, with the paper's state and the newest event
    (`events.paper_state_and_newest`) and who is present (`live.presence.present_on`), in one
    query: what the paper page asks first. 404 if the person is not a member or the paper is not
    the workspace's."""
    ws, membership, (paper, *state, present) = load_workspace_with(slug, user, _with_paper, paper_id=paper_id,
                                                                   **presence_params())
    return ws, membership, paper, *state_and_newest(*state), people(present)


def load_section(paper: Paper, section_id: int) -> Section:
    section = db.session.get(Section, section_id)
    if section is None or section.paper_id != paper.id:
        abort(404)
    return section


def load_revision(section: Section, revision_id: int) -> Revision:
    rev = db.session.get(Revision, revision_id)
    if rev is None or rev.section_id != section.id:
        abort(404)
    return rev
