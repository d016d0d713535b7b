"""Comment threads on sections, @mention suggestions, and suggestions (ändringsförslag)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from workspace.comments import search as _search  # noqa: F401  (registers its search documents)
from workspace.comments import services
from workspace.comments.permissions import (
    can_change_comment,
    can_decide_suggestion,
    load_comment,
    load_suggestion,
    load_thread,
)
from workspace.db import db
from workspace.live.hub import newest_event_id
from workspace.papers.permissions import load_paper, load_section
from workspace.papers.services import PaperError
from workspace.web.htmx import is_fragment_request
from workspace.web.rendering import commit, render
from workspace.workspaces.permissions import can_comment, load_workspace, require

bp = Blueprint("comments", __name__, url_prefix="/w/<slug>")
P = "/papers/<int:paper_id>"


@bp.before_request
@login_required
def _login_first():
    pass


def _load(slug: str, paper_id: int):
    ws, me = load_workspace(slug, current_user)
    paper = load_paper(ws, paper_id)
    require(can_comment(me))
    return ws, me, paper


def _status_arg() -> str:
    return "resolved" if request.values.get("status") == "resolved" else "open"


def _threads_url(ws, paper, section, status="open", anchor=""):
    args = {"status": status} if status == "resolved" else {}
    return url_for("comments.section_threads", slug=ws.slug, paper_id=paper.id, section_id=section.id, **args) + anchor


def _panel(ws, me, paper, section, *, status=None, code=200, **extra):
    """The section's comment panel: a fragment for htmx, else the section's comments page."""
    status = status or _status_arg()
    ctx = dict(ws=ws, me=me, paper=paper, section=section, panel_status=status,
               section_panel=services.section_panel(section, status), text_oob=is_fragment_request(),
               live_url=url_for("live.stream", slug=ws.slug, after=newest_event_id()))
    ctx.update(extra)
    return render("comments/section.html", block="threads", status=code, **ctx)


def _done(ws, me, paper, section, message: str, anchor: str = "", **extra):
    """After a successful write: the fresh panel for htmx, a redirect for a plain form."""
    if not is_fragment_request():
        flash(message, "success")
        return redirect(_threads_url(ws, paper, section, _status_arg(), anchor), code=303)
    return _panel(ws, me, paper, section, announcement=message, **extra)


def _hint_index() -> int | None:
    raw = request.form.get("block", "")
    return int(raw) if raw.isdigit() and len(raw) < 6 else None


# --- threads ----------------------------------------------------------------------------

@bp.get(P + "/sections/<int:section_id>/comments")
def section_threads(slug: str, paper_id: int, section_id: int):
    ws, me, paper = _load(slug, paper_id)
    section = load_section(paper, section_id)
    return _panel(ws, me, paper, section)


@bp.post(P + "/sections/<int:section_id>/comments")
def start_thread(slug: str, paper_id: int, section_id: int):
    ws, me, paper = _load(slug, paper_id)
    section = load_section(paper, section_id)
    body, quote = request.form.get("body", ""), request.form.get("quote", "")
    try:
        thread = services.start_thread(current_user, section, body, quote, _hint_index())
    except services.CommentError as e:
        db.session.rollback()
        return _panel(ws, me, paper, section, status="open", code=422,
                      form_state={"target": "new", "error": str(e), "body": body[:services.MAX_RAW_CHARS],
                                  "quote": quote[:services.MAX_QUOTE_CHARS * 2]})
    commit()
    return _done(ws, me, paper, section, _("Kommentaren är publicerad."), f"#thread-{thread.id}",
                 status="open", focus=f"thread-{thread.id}")


@bp.post(P + "/threads/<int:thread_id>/replies")
def reply(slug: str, paper_id: int, thread_id: int):
    ws, me, paper = _load(slug, paper_id)
    thread = load_thread(paper, thread_id)
    body = request.form.get("body", "")
    try:
        comment = services.reply(current_user, thread, body)
    except services.CommentError as e:
        db.session.rollback()
        return _panel(ws, me, paper, thread.section, code=422,
                      form_state={"target": f"reply-{thread.id}", "error": str(e), "body": body[:services.MAX_RAW_CHARS]})
    commit()
    return _done(ws, me, paper, thread.section, _("Svaret är publicerat."), f"#comment-{comment.id}",
                 status=thread.status, focus=f"comment-{comment.id}")


def _resolve(slug, paper_id, thread_id, resolved: bool):
    ws, me, paper = _load(slug, paper_id)
    thread = load_thread(paper, thread_id)
    require(services.can_resolve(me, thread, current_user))
    try:
        services.resolve_thread(current_user, thread, resolved)
    except services.CommentError as e:
        db.session.rollback()
        return _panel(ws, me, paper, thread.section, code=422, panel_error=str(e))
    commit()
    message = _("Tråden är markerad som löst.") if resolved else _("Tråden är öppen igen.")
    return _done(ws, me, paper, thread.section, message)


@bp.post(P + "/threads/<int:thread_id>/resolve")
def resolve(slug: str, paper_id: int, thread_id: int):
    return _resolve(slug, paper_id, thread_id, True)


@bp.post(P + "/threads/<int:thread_id>/reopen")
def reopen(slug: str, paper_id: int, thread_id: int):
    return _resolve(slug, paper_id, thread_id, False)


@bp.route(P + "/comments/<int:comment_id>/edit", methods=["GET", "POST"])
def edit_comment(slug: str, paper_id: int, comment_id: int):
    ws, me, paper = _load(slug, paper_id)
    comment = load_comment(paper, comment_id)
    require(can_change_comment(me, comment, current_user))
    section = comment.thread.section
    status = comment.thread.status
    if request.method == "GET":
        return _panel(ws, me, paper, section, status=status, editing=comment.id,
                      form_state={"target": f"edit-{comment.id}", "body": services.plain_source(comment.html)})
    body = request.form.get("body", "")
    try:
        services.edit_comment(current_user, comment, body)
    except services.CommentError as e:
        db.session.rollback()
        return _panel(ws, me, paper, section, status=status, code=422, editing=comment.id,
                      form_state={"target": f"edit-{comment.id}", "error": str(e), "body": body[:services.MAX_RAW_CHARS]})
    commit()
    return _done(ws, me, paper, section, _("Kommentaren är ändrad."), f"#comment-{comment.id}", status=status,
                 focus=f"comment-{comment.id}")


@bp.post(P + "/comments/<int:comment_id>/delete")
def delete_comment(slug: str, paper_id: int, comment_id: int):
    ws, me, paper = _load(slug, paper_id)
    comment = load_comment(paper, comment_id)
    require(can_change_comment(me, comment, current_user))
    services.delete_comment(current_user, comment)
    commit()
    return _done(ws, me, paper, comment.thread.section, _("Kommentaren är borttagen."), f"#comment-{comment.id}",
                 status=comment.thread.status)


# --- @mentions -----------------------------------------------------------------------------

@bp.get("/mentions")
def mentions(slug: str):
    ws, me = load_workspace(slug, current_user)
    require(can_comment(me))
    q = request.args.get("q", "")[:60]
    people = services.mentionable(ws, q)
    return render("comments/_mentions.html", people=people, q=q)


# --- suggestions -----------------------------------------------------------------------------

@bp.route(P + "/sections/<int:section_id>/suggestions/new", methods=["GET", "POST"])
def new_suggestion(slug: str, paper_id: int, section_id: int):
    ws, me, paper = _load(slug, paper_id)
    section = load_section(paper, section_id)
    ctx = dict(ws=ws, me=me, paper=paper, section=section, draft=section.html, reason="",
               base_id=section.current_revision_id, error=None)
    if request.method == "GET":
        return render("comments/suggestion_new.html", **ctx)
    html, reason = request.form.get("html", ""), request.form.get("reason", "")
    base_raw = request.form.get("base_revision_id", "")
    ctx.update(draft=html[:services.MAX_SUGGESTION_CHARS], reason=reason[:services.MAX_REASON_CHARS * 2],
               base_id=int(base_raw) if base_raw.isdigit() else None)
    if base_raw and not base_raw.isdigit():
        ctx["error"] = _("Okänd utgångsversion. Ladda om sidan.")
        return render("comments/suggestion_new.html", status=422, **ctx)
    try:
        services.make_suggestion(current_user, section, html, reason, ctx["base_id"])
    except services.CommentError as e:
        db.session.rollback()
        ctx["error"] = str(e)
        return render("comments/suggestion_new.html", status=422, **ctx)
    commit()
    flash(_("Ändringsförslaget är skickat. Den som skriver papperet kan nu godta eller avslå det."), "success")
    return redirect(url_for("papers.detail", slug=ws.slug, paper_id=paper.id) + f"#section-{section.id}", code=303)


def _suggestion_page(ws, me, paper, sug, code=200, **extra):
    ctx = dict(ws=ws, me=me, paper=paper, sug=sug, section=sug.section,
               can_decide=can_decide_suggestion(me, paper) and sug.status == "open",
               preview=services.preview_suggestion(sug) if sug.status == "open" else None,
               reject_reason="", error=None, result=None)
    ctx.update(extra)
    return render("comments/suggestion.html", status=code, **ctx)


@bp.get(P + "/suggestions/<int:suggestion_id>")
def suggestion(slug: str, paper_id: int, suggestion_id: int):
    ws, me, paper = _load(slug, paper_id)
    return _suggestion_page(ws, me, paper, load_suggestion(paper, suggestion_id))


@bp.post(P + "/suggestions/<int:suggestion_id>/accept")
def accept_suggestion(slug: str, paper_id: int, suggestion_id: int):
    ws, me, paper = _load(slug, paper_id)
    sug = load_suggestion(paper, suggestion_id)
    require(can_decide_suggestion(me, paper))
    html = request.form.get("html")
    base_raw = request.form.get("base_revision_id", "")
    if html is not None and (not base_raw.isdigit() or len(html) > services.MAX_SUGGESTION_CHARS):
        return _suggestion_page(ws, me, paper, sug, 422, error=_("Okänd utgångsversion. Ladda om sidan."))
    try:
        result = services.accept_suggestion(current_user, sug, html, int(base_raw) if html is not None else None)
    except (services.CommentError, PaperError) as e:
        db.session.rollback()
        return _suggestion_page(ws, me, paper, sug, 422, error=str(e))
    if result.status == "conflict":
        db.session.rollback()
        return _suggestion_page(ws, me, paper, sug, 409, result=result)
    commit()
    flash(_("Ändringsförslaget är godtaget och infört i texten."), "success")
    return redirect(url_for("papers.detail", slug=ws.slug, paper_id=paper.id) + f"#section-{sug.section_id}", code=303)


@bp.post(P + "/suggestions/<int:suggestion_id>/reject")
def reject_suggestion(slug: str, paper_id: int, suggestion_id: int):
    ws, me, paper = _load(slug, paper_id)
    sug = load_suggestion(paper, suggestion_id)
    require(can_decide_suggestion(me, paper))
    reason = request.form.get("reason", "")
    try:
        services.reject_suggestion(current_user, sug, reason)
    except services.CommentError as e:
        db.session.rollback()
        return _suggestion_page(ws, me, paper, sug, 422, reject_error=str(e),
                                reject_reason=reason[:services.MAX_REASON_CHARS * 2])
    commit()
    flash(_("Ändringsförslaget är avslaget. Förslagsställaren får veta det."), "success")
    return redirect(url_for("papers.detail", slug=ws.slug, paper_id=paper.id) + f"#section-{sug.section_id}", code=303)
