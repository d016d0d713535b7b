"""Comment threads, comments, @mentions and suggestions (ändringsförslag).

Every write takes an explicit actor, checks the role, flushes (never commits) and records
an event (with paper_id and section_id, so that others see it live). Broken rules raise
CommentError with a message for the user; role problems raise PermissionError.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import lxml.html
from flask import g, has_request_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlalchemy.orm import Session as SASession

from workspace.accounts.models import User
from workspace.comments.anchors import Anchor, annotate, locate, new_anchor, normalize
from workspace.comments.models import Comment, CommentThread, Suggestion
from workspace.comments.sanitize import sanitize_comment
from workspace.db import db, utcnow
from workspace.events import Event, record_event, register_event_labels
from workspace.notifications.services import register_rule
from workspace.papers.diff import diff_html
from workspace.papers.merge import merge_html
from workspace.papers.models import Paper, Section
from workspace.papers.permissions import can_edit_paper
from workspace.papers.sanitize import sanitize_html
from workspace.papers.services import SaveResult, apply_suggestion_text
from workspace.workspaces.models import Membership, Organization, Workspace
from workspace.workspaces.permissions import can_comment, can_write_papers, membership_of

MAX_COMMENT_CHARS = 5000  # of text, as the reader sees it
MAX_RAW_CHARS = 50_000  # of what was sent, before cleaning
MAX_QUOTE_CHARS = 1000
MAX_REASON_CHARS = 2000
MAX_SUGGESTION_CHARS = 400_000

register_event_labels({
    "thread-started": _l("kommenterade avsnittet ”%(title)s”"),
    "comment-added": _l("svarade i en kommentarstråd i ”%(title)s”"),
    "comment-edited": _l("ändrade en kommentar i ”%(title)s”"),
    "comment-deleted": _l("tog bort en kommentar i ”%(title)s”"),
    "thread-resolved": _l("markerade en kommentarstråd i ”%(title)s” som löst"),
    "thread-reopened": _l("öppnade en kommentarstråd i ”%(title)s” igen"),
    "suggestion-made": _l("föreslog en ändring i ”%(title)s”"),
    "suggestion-accepted": _l("godtog ett ändringsförslag i ”%(title)s”"),
    "suggestion-rejected": _l("avslog ett ändringsförslag i ”%(title)s”"),
})


class CommentError(ValueError):
    """A rule was broken; the message is for the user."""


def _ws(paper: Paper) -> Workspace:
    return paper.workspace


def _require_commenter(actor, paper: Paper):
    m = membership_of(actor, _ws(paper))
    if not can_comment(m):
        raise PermissionError("members only")
    return m


def _clean_body(raw: str | None) -> str:
    if len(raw or "") > MAX_RAW_CHARS:
        raise CommentError(_("Kommentaren är för lång (högst %(n)d tecken).", n=MAX_COMMENT_CHARS))
    html = sanitize_comment(raw)
    text = plain_text(html)
    if not text:
        raise CommentError(_("Skriv en kommentar."))
    if len(text) > MAX_COMMENT_CHARS:
        raise CommentError(_("Kommentaren är för lång (högst %(n)d tecken).", n=MAX_COMMENT_CHARS))
    return html


def plain_text(html: str) -> str:
    if not html:
        return ""
    return normalize(lxml.html.fragment_fromstring(html, create_parent="div").text_content())


def plain_source(html: str) -> str:
    """A stored comment as the text box shows it for editing (the inverse of sanitize_comment)."""
    if not html:
        return ""

    def inline(el) -> str:
        out = el.text or ""
        for child in el:
            inner = inline(child)
            if child.tag == "strong":
                out += f"**{inner}**"
            elif child.tag == "em":
                out += f"*{inner}*"
            elif child.tag == "br":
                out += "\n"
            elif child.tag == "a" and child.get("href") and child.get("href") != inner:
                out += f"{inner} ({child.get('href')})"
            else:
                out += inner
            out += child.tail or ""
        return out

    parts = []
    for block in lxml.html.fragments_fromstring(html):
        if isinstance(block, str):
            parts.append(block)
        elif block.tag in ("ul", "ol"):
            parts.append("\n".join("- " + inline(li) for li in block if li.tag == "li"))
        else:
            parts.append(inline(block))
    return "\n\n".join(p.strip() for p in parts if p.strip())


def _section_payload(section: Section, **extra) -> dict:
    return dict(paper_id=section.paper_id, section_id=section.id, title=section.title, **extra)


# --- mentions -------------------------------------------------------------------------

def mentionable(ws: Workspace, query: str = "", limit: int = 8) -> list[User]:
    """Active members of the workspace whose name or organisation matches `query`."""
    stmt = (select(User).join(Membership, Membership.user_id == User.id).join(Organization, User.organization_id == Organization.id)
            .where(Membership.workspace_id == ws.id, Membership.active.is_(True), User.is_enabled.is_(True)))
    q = normalize(query)[:60]
    if q:
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(User.name.ilike(like, escape="\\") | Organization.name.ilike(like, escape="\\"))
    users = list(db.session.scalars(stmt.order_by(User.name).limit(200)))
    if q:
        # Names that start with what was typed first (SQL ILIKE does not fold å, ä, ö on SQLite).
        fold = q.casefold()
        users = [u for u in users if fold in u.name.casefold() or fold in u.organization.name.casefold()]
        users.sort(key=lambda u: (not u.name.casefold().startswith(fold), u.name))
    return users[:limit]


def mentioned_users(ws: Workspace, html: str) -> list[User]:
    """Members named as "@Förnamn Efternamn" in the text. Only members can be mentioned:
    a name that is not a member's is plain text."""
    text = plain_text(html).casefold()
    if "@" not in text:
        return []
    found = []
    for user in mentionable(ws, limit=10_000):
        if re.search("@" + re.escape(user.name.casefold()) + r"(?!\w)", text):
            found.append(user)
    return found


# --- threads and comments -------------------------------------------------------------

def start_thread(actor, section: Section, body: str, quote: str | None = None,
                 hint_index: int | None = None) -> CommentThread:
    paper = section.paper
    _require_commenter(actor, paper)
    if section.deleted_at is not None:
        raise CommentError(_("Avsnittet har tagits bort."))
    html = _clean_body(body)
    quote = normalize(quote) or None
    anchor_text = anchor_index = None
    if quote:
        if len(quote) > MAX_QUOTE_CHARS:
            raise CommentError(_("Citatet är för långt (högst %(n)d tecken).", n=MAX_QUOTE_CHARS))
        found = new_anchor(section.html, quote, hint_index)
        if found is None:
            raise CommentError(_("Den markerade texten finns inte (längre) i avsnittet. Markera texten igen."))
        anchor_index, anchor_text = found
    thread = CommentThread(workspace_id=paper.workspace_id, paper_id=paper.id, section_id=section.id, quote=quote,
                           anchor_text=anchor_text, anchor_index=anchor_index, created_by_id=actor.id,
                           revision_id=section.current_revision_id)
    db.session.add(thread)
    db.session.flush()
    comment = Comment(thread_id=thread.id, author_id=actor.id, html=html)
    db.session.add(comment)
    db.session.flush()
    mentioned = [u.id for u in mentioned_users(_ws(paper), html)]
    record_event(actor, "thread-started", thread, workspace=_ws(paper),
                 **_section_payload(section, thread_id=thread.id, comment_id=comment.id, mentioned_ids=mentioned))
    return thread


def reply(actor, thread: CommentThread, body: str) -> Comment:
    section = thread.section
    _require_commenter(actor, section.paper)
    html = _clean_body(body)
    comment = Comment(thread_id=thread.id, author_id=actor.id, html=html)
    db.session.add(comment)
    db.session.flush()
    db.session.refresh(thread, ["comments"])
    mentioned = [u.id for u in mentioned_users(_ws(section.paper), html)]
    record_event(actor, "comment-added", comment, workspace=_ws(section.paper),
                 **_section_payload(section, thread_id=thread.id, comment_id=comment.id, mentioned_ids=mentioned))
    if thread.status == "resolved":  # a new reply reopens the discussion
        _set_status(actor, thread, "open")
    return comment


def _require_author(actor, comment: Comment) -> None:
    _require_commenter(actor, comment.thread.section.paper)
    if comment.author_id != actor.id:
        raise PermissionError("only the author")
    if comment.deleted_at is not None:
        raise CommentError(_("Kommentaren är borttagen."))


def edit_comment(actor, comment: Comment, body: str) -> None:
    _require_author(actor, comment)
    html = _clean_body(body)
    if html == comment.html:
        return
    ws = _ws(comment.thread.section.paper)
    before = {u.id for u in mentioned_users(ws, comment.html)}
    comment.html = html
    comment.edited_at = utcnow()
    new_mentions = [u.id for u in mentioned_users(ws, html) if u.id not in before]
    record_event(actor, "comment-edited", comment, workspace=ws,
                 **_section_payload(comment.thread.section, thread_id=comment.thread_id, comment_id=comment.id,
                                    mentioned_ids=new_mentions))


def delete_comment(actor, comment: Comment) -> None:
    _require_author(actor, comment)
    comment.html = ""
    comment.deleted_at = utcnow()
    record_event(actor, "comment-deleted", comment, workspace=_ws(comment.thread.section.paper),
                 **_section_payload(comment.thread.section, thread_id=comment.thread_id, comment_id=comment.id))


def can_resolve(m, thread: CommentThread, user) -> bool:
    return can_comment(m) and (can_write_papers(m) or thread.created_by_id == user.id)


def _set_status(actor, thread: CommentThread, status: str) -> None:
    thread.status = status
    thread.resolved_at = utcnow() if status == "resolved" else None
    thread.resolved_by_id = actor.id if status == "resolved" else None
    verb = "thread-resolved" if status == "resolved" else "thread-reopened"
    record_event(actor, verb, thread, workspace=_ws(thread.section.paper),
                 **_section_payload(thread.section, thread_id=thread.id))


def resolve_thread(actor, thread: CommentThread, resolved: bool = True) -> None:
    m = _require_commenter(actor, thread.section.paper)
    if not can_resolve(m, thread, actor):
        raise PermissionError("writers or the thread's author")
    status = "resolved" if resolved else "open"
    if thread.status == status:
        raise CommentError(_("Tråden är redan löst.") if resolved else _("Tråden är redan öppen."))
    _set_status(actor, thread, status)


# --- suggestions ----------------------------------------------------------------------

def _clean_reason(reason: str | None, *, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise CommentError(_("Skriv en motivering.") if what == "suggestion" else _("Skriv varför förslaget avslås."))
    if len(reason) > MAX_REASON_CHARS:
        raise CommentError(_("Motiveringen är för lång (högst %(n)d tecken).", n=MAX_REASON_CHARS))
    return reason


def make_suggestion(actor, section: Section, html: str, reason: str, base_revision_id: int | None) -> Suggestion:
    paper = section.paper
    _require_commenter(actor, paper)
    if section.deleted_at is not None:
        raise CommentError(_("Avsnittet har tagits bort."))
    if paper.status not in ("draft", "review", "decision"):
        raise CommentError(_("Papperet är fastställt eller arkiverat och tar inte emot ändringsförslag."))
    if len(html or "") > MAX_SUGGESTION_CHARS:
        raise CommentError(_("Texten är för lång för ett avsnitt."))
    clean = sanitize_html(html)
    if not plain_text(clean):
        raise CommentError(_("Skriv den text du föreslår."))
    reason = _clean_reason(reason, what="suggestion")
    if base_revision_id is not None:
        from workspace.papers.models import Revision

        base = db.session.get(Revision, base_revision_id)
        if base is None or base.section_id != section.id:
            raise CommentError(_("Okänd utgångsversion. Ladda om sidan."))
        if clean == base.html:
            raise CommentError(_("Förslaget är likadant som texten det utgår från. Ändra något först."))
    sug = Suggestion(workspace_id=paper.workspace_id, paper_id=paper.id, section_id=section.id,
                     base_revision_id=base_revision_id, html=clean, reason=reason, author_id=actor.id)
    db.session.add(sug)
    db.session.flush()
    record_event(actor, "suggestion-made", sug, workspace=_ws(paper),
                 **_section_payload(section, suggestion_id=sug.id))
    return sug


def _require_decider(actor, sug: Suggestion) -> None:
    paper = sug.section.paper
    m = membership_of(actor, _ws(paper))
    if not can_write_papers(m):
        raise PermissionError("writers only")
    if not can_edit_paper(m, paper):
        raise CommentError(_("Papperet är fastställt eller arkiverat och kan inte ändras."))
    if sug.status != "open":
        raise CommentError(_("Förslaget är redan avgjort."))
    if sug.section.deleted_at is not None:
        raise CommentError(_("Avsnittet har tagits bort. Återställ det först."))


def accept_suggestion(actor, sug: Suggestion, html: str | None = None,
                      base_revision_id: int | None = None) -> SaveResult:
    """Merge the suggested text into the section (three-way, as a save). A conflict saves
    nothing and returns the conflict; the editor resolves it by sending `html` combined
    on top of `base_revision_id` (the current revision)."""
    _require_decider(actor, sug)
    section = sug.section
    author = sug.author.name if sug.author else "?"
    note = _("Ändringsförslag från %(name)s", name=author)[:300]
    if html is None:
        result = apply_suggestion_text(actor, section, sug.html, sug.base_revision_id, note=note)
    else:
        result = apply_suggestion_text(actor, section, html, base_revision_id, note=note)
    if result.status == "conflict":
        return result
    sug.status = "accepted"
    sug.decided_by_id = actor.id
    sug.decided_at = utcnow()
    sug.revision_id = result.revision.id if result.revision else None
    record_event(actor, "suggestion-accepted", sug, workspace=_ws(section.paper),
                 **_section_payload(section, suggestion_id=sug.id))
    return result


def reject_suggestion(actor, sug: Suggestion, reason: str) -> None:
    _require_decider(actor, sug)
    sug.decision_reason = _clean_reason(reason, what="rejection")
    sug.status = "rejected"
    sug.decided_by_id = actor.id
    sug.decided_at = utcnow()
    record_event(actor, "suggestion-rejected", sug, workspace=_ws(sug.section.paper),
                 **_section_payload(sug.section, suggestion_id=sug.id))


@dataclass
class SuggestionPreview:
    status: str  # "clean" (accepting gives `diff`) | "conflict" | "unchanged"
    diff: object
    conflicts: list = field(default_factory=list)


def preview_suggestion(sug: Suggestion) -> SuggestionPreview:
    """What accepting would do to the current text, shown as a diff against it."""
    current = sug.section.html
    base = sug.base_revision.html if sug.base_revision is not None else ""
    if sug.base_revision is None or sug.base_revision_id == sug.section.current_revision_id:
        merged = sug.html
    else:
        result = merge_html(base, sug.html, current)
        if not result.clean:
            return SuggestionPreview("conflict", diff_html(base, sug.html), result.conflicts)
        merged = sanitize_html(result.html)
    if merged == current:
        return SuggestionPreview("unchanged", diff_html(current, merged))
    return SuggestionPreview("clean", diff_html(current, merged))


# --- reading: the panel of a section ---------------------------------------------------

@dataclass
class ThreadView:
    thread: CommentThread
    anchor: Anchor


@dataclass
class Panel:
    section: Section
    status: str
    threads: list[ThreadView]
    open_count: int
    resolved_count: int
    suggestions: list[Suggestion]
    html: object  # the section's text with commented passages marked


def _paper_comments(paper_id: int, section_id: int) -> tuple[dict, dict]:
    """Threads (with their comments) and open suggestions by section, loaded once per request.

    A paper page asks for 20 panels, and four queries per panel made it the slowest page
    (issue 10): the second section asked for loads the whole paper at once. A request that
    answers with one section (a save, a live refresh) loads only that section's threads.
    Any flush, commit or rollback forgets the cache (see below)."""
    cache = g.setdefault("comment_prefetch", {}) if has_request_context() else {}
    whole = cache.get(paper_id)
    if whole is not None:
        return whole
    single = cache.get((paper_id, section_id))
    if single is not None:
        return single
    asked = cache.setdefault(("asked", paper_id), set())
    asked.add(section_id)
    if len(asked) > 1:
        cache[paper_id] = _load_comments(paper_id, None)
        return cache[paper_id]
    cache[(paper_id, section_id)] = _load_comments(paper_id, section_id)
    return cache[(paper_id, section_id)]


def prefetch_paper(paper_id: int) -> None:
    """Load the whole paper's threads now: the caller is about to draw every section."""
    if has_request_context():
        g.setdefault("comment_prefetch", {})[paper_id] = _load_comments(paper_id, None)


def _load_comments(paper_id: int, section_id: int | None) -> tuple[dict, dict]:
    thread_q = select(CommentThread).where(CommentThread.paper_id == paper_id)
    sug_q = select(Suggestion).where(Suggestion.paper_id == paper_id, Suggestion.status == "open")
    if section_id is not None:
        thread_q = thread_q.where(CommentThread.section_id == section_id)
        sug_q = sug_q.where(Suggestion.section_id == section_id)
    threads: dict[int, list] = {}
    for t in db.session.scalars(thread_q.order_by(CommentThread.id)):
        threads.setdefault(t.section_id, []).append(t)
    suggestions: dict[int, list] = {}
    for sug in db.session.scalars(sug_q.order_by(Suggestion.id)):
        suggestions.setdefault(sug.section_id, []).append(sug)
    return threads, suggestions


def participants(paper_id: int) -> frozenset[int]:
    """Everyone who started a thread or wrote a comment on the paper: the people whose
    view of its comment panels has buttons of their own (change, remove, mark as solved)."""
    started = select(CommentThread.created_by_id).where(CommentThread.paper_id == paper_id)
    wrote = (select(Comment.author_id).join(CommentThread, Comment.thread_id == CommentThread.id)
             .where(CommentThread.paper_id == paper_id))
    return frozenset(uid for uid in db.session.scalars(started.union(wrote)) if uid is not None)


@sa_event.listens_for(SASession, "after_flush")
@sa_event.listens_for(SASession, "after_commit")
@sa_event.listens_for(SASession, "after_soft_rollback")
def _forget_prefetch(session, *args) -> None:
    if has_request_context():
        g.pop("comment_prefetch", None)


def section_panel(section: Section, status: str = "open", label: str = "") -> Panel:
    status = status if status in ("open", "resolved") else "open"
    by_section, open_suggestions = _paper_comments(section.paper_id, section.id)
    threads = by_section.get(section.id, [])
    counts: dict[str, int] = {}
    for t in threads:
        counts[t.status] = counts.get(t.status, 0) + 1
    html = section.html
    views, marks = [], {}
    for t in threads:
        anchor = locate(html, t.quote, t.anchor_text, t.anchor_index,
                        t.revision.html if t.quote and t.revision is not None else None)
        if t.status == "open" and anchor.state == "attached":
            marks.setdefault(anchor.index, []).append(t.id)
        if t.status == status:
            views.append(ThreadView(t, anchor))
    # Threads in the order of the text: passages by their place, whole-section ones first.
    views.sort(key=lambda v: (v.anchor.index if v.anchor.index is not None else -1, v.thread.id))
    suggestions = list(open_suggestions.get(section.id, []))
    return Panel(section, status, views, counts.get("open", 0), counts.get("resolved", 0), suggestions,
                 annotate(html, marks, section.id, label or _("Kommentar")))


# --- notification rules ---------------------------------------------------------------

def _mentions(ev: Event):
    for uid in (ev.payload or {}).get("mentioned_ids") or ():
        yield uid, "mention"


def _thread_people(ev: Event):
    """Replies notify those who wrote in the thread before (its author first)."""
    thread = db.session.get(CommentThread, (ev.payload or {}).get("thread_id"))
    if thread is None:
        return
    if thread.created_by_id:
        yield thread.created_by_id, "reply"
    for c in thread.comments:
        if c.author_id and c.id != (ev.payload or {}).get("comment_id"):
            yield c.author_id, "reply"


def _suggestion_author(ev: Event):
    sug = db.session.get(Suggestion, ev.object_id)
    if sug is not None and sug.author_id:
        yield sug.author_id, "suggestion_outcome"


register_rule("thread-started", _mentions)
register_rule("comment-added", _mentions)
register_rule("comment-added", _thread_people)
register_rule("comment-edited", _mentions)
register_rule("suggestion-accepted", _suggestion_author)
register_rule("suggestion-rejected", _suggestion_author)
