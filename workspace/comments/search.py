"""Comment threads and suggestions as search documents (registered with the search index)."""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from workspace.db import db
from workspace.search.indexer import DocumentSource, SearchDoc, register_source

THREAD_VERBS = {"thread-started", "comment-added", "comment-edited", "comment-deleted", "thread-resolved",
                "thread-reopened"}
SUGGESTION_VERBS = {"suggestion-made", "suggestion-accepted", "suggestion-rejected"}


def _paper_fields(paper) -> dict:
    org = paper.lead_organization
    return dict(workspace_id=paper.workspace_id, paper_id=paper.id,
                policy_area=paper.policy_area.name if paper.policy_area else "",
                organization=org.name if org else "", year=paper.created_at.year)


def thread_documents(thread_id: int) -> list[SearchDoc]:
    from workspace.comments.models import CommentThread
    from workspace.papers.models import Paper
    from workspace.papers.sanitize import html_to_text

    t = db.session.get(CommentThread, thread_id)
    if t is None:
        return []
    paper = db.session.get(Paper, t.paper_id)
    live = [c for c in t.comments if c.deleted_at is None]
    if paper is None or not live:
        return []
    body = "\n\n".join(([f"”{t.quote}”"] if t.quote else []) + [html_to_text(c.html) for c in live])
    authors = []
    for c in live:
        if c.author and c.author.name not in authors:
            authors.append(c.author.name)
    return [SearchDoc(id=f"thread:{t.id}", kind="comment", title=f"{paper.title} – {t.section.title}", body=body,
                      author=", ".join(authors), status=t.status, updated=max(c.created_at for c in live),
                      section_id=t.section_id, target={"thread_id": t.id}, **_paper_fields(paper))]


def suggestion_documents(suggestion_id: int) -> list[SearchDoc]:
    from workspace.comments.models import Suggestion
    from workspace.papers.sanitize import html_to_text

    s = db.session.get(Suggestion, suggestion_id)
    if s is None or s.paper is None:
        return []
    return [SearchDoc(id=f"suggestion:{s.id}", kind="suggestion", title=f"{s.paper.title} – {s.section.title}",
                      body=f"{s.reason}\n\n{html_to_text(s.html)}", author=s.author.name if s.author else "",
                      status=s.status, updated=s.decided_at or s.created_at, section_id=s.section_id,
                      target={"suggestion_id": s.id}, **_paper_fields(s.paper))]


def _ids(key: str):
    return lambda ev: [int(ev.payload[key])] if ev.payload and ev.payload.get(key) else []


def _all(model):
    return lambda: db.session.scalars(select(model.id).order_by(model.id)).all()


def _register() -> None:
    from workspace.comments.models import CommentThread, Suggestion

    register_source(DocumentSource(
        name="thread", kinds={"comment": _l("Kommentar")}, verbs=THREAD_VERBS, object_ids=_ids("thread_id"),
        documents=thread_documents, all_object_ids=_all(CommentThread),
        link=lambda hit, ws: url_for("papers.detail", slug=ws.slug, paper_id=hit.paper_id,
                                     _anchor=f"thread-{hit.target['thread_id']}"),
        status_labels={"open": _l("öppen"), "resolved": _l("löst")}))
    register_source(DocumentSource(
        name="suggestion", kinds={"suggestion": _l("Ändringsförslag")}, verbs=SUGGESTION_VERBS,
        object_ids=_ids("suggestion_id"), documents=suggestion_documents, all_object_ids=_all(Suggestion),
        link=lambda hit, ws: url_for("comments.suggestion", slug=ws.slug, paper_id=hit.paper_id,
                                     suggestion_id=hit.target["suggestion_id"]),
        status_labels={"open": _l("väntar"), "accepted": _l("godtaget"), "rejected": _l("avslaget")}))


_register()
