"""Who may do what with comments and suggestions. Views and templates ask these."""
from __future__ import annotations

from flask import abort

from workspace.comments.models import Comment, CommentThread, Suggestion
from workspace.comments.services import can_resolve  # noqa: F401  (re-exported for templates)
from workspace.db import db
from workspace.papers.models import Paper
from workspace.papers.permissions import can_edit_paper
from workspace.workspaces.permissions import can_comment  # noqa: F401


def can_decide_suggestion(m, paper: Paper) -> bool:
    return can_edit_paper(m, paper)


def can_change_comment(m, comment: Comment, user) -> bool:
    return can_comment(m) and comment.author_id == user.id and comment.deleted_at is None


def load_thread(paper: Paper, thread_id: int) -> CommentThread:
    thread = db.session.get(CommentThread, thread_id)
    if thread is None or thread.paper_id != paper.id:
        abort(404)
    return thread


def load_comment(paper: Paper, comment_id: int) -> Comment:
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.thread.paper_id != paper.id:
        abort(404)
    return comment


def load_suggestion(paper: Paper, suggestion_id: int) -> Suggestion:
    sug = db.session.get(Suggestion, suggestion_id)
    if sug is None or sug.paper_id != paper.id:
        abort(404)
    return sug
