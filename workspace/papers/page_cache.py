"""The paper page's sections, rendered once per state of the paper and shared (issue 10).

Twenty sections with their tools and comment threads were four fifths of the paper page's
time. What they show depends on:

- the paper's stored state: every change to it is an event naming the paper (the same
  events that refresh open pages live), so the newest such event names the state;
- what the viewer may do (edit, comment, resolve), and the language;
- whether the viewer wrote anything in the panels (their own comments get buttons);
- the CSRF token and who is editing which section right now: per request, so the cached
  HTML holds a placeholder token and empty presence marks, filled in on the way out.

Keys name states, so nothing is ever invalidated: a new state is a new key, and old
entries are forgotten when space runs out. A process that restores a backup must restart
(as `flask restore` says); the key also carries the event's time, so ids given again after a
restore cannot meet an old entry.
"""
from __future__ import annotations

import secrets

from flask import Flask, current_app, g, render_template
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm.attributes import set_committed_value

from workspace.cache import BoundedCache
from workspace.comments.services import participants, prefetch_paper
from workspace.db import db
from workspace.events import paper_state
from workspace.papers.models import Paper, Revision
from workspace.web.templating import csrf_token
from workspace.workspaces.permissions import can_comment, can_write_papers

# Stands for the CSRF token in cached HTML. Random per process (the cache is too), so no
# text a person writes can be taken for it.
TOKEN_PLACEHOLDER = "csrf-" + secrets.token_hex(16)
_EXTENSION = "samverkan.section_cache"


def init_app(app: Flask) -> None:
    app.extensions[_EXTENSION] = BoundedCache(app.config["SECTION_CACHE_MB"] * 1024 * 1024)


def cache() -> BoundedCache:
    return current_app.extensions[_EXTENSION]


def section_items(ctx: dict) -> Markup:
    """The items of the page's section list for this request. `ctx` is the paper page's
    template context (ws, me, paper, can_edit, present_people …)."""
    store = cache()
    paper, me = ctx["paper"], ctx["me"]
    if not store.enabled:
        load_sections(paper)
        return Markup(render_template("papers/_section_list.html", **ctx))
    state = (paper.id, paper.created_at.isoformat(), paper_state(paper.id))
    viewer = (str(get_locale()), bool(ctx["can_edit"]), can_comment(me), can_write_papers(me))
    stored = None
    own = store.get(("participants", *state))
    if own is not None:
        stored = store.get(("sections", *state, *viewer, current_user.id if current_user.id in own else 0))
    if stored is None:
        # Kept as UTF-8: a page is mostly text, and a str with one "–" in it takes two bytes a
        # character.
        stored = _render(ctx).encode("utf-8")
        if own is None:
            own = participants(paper.id)
            store.put(("participants", *state), own, 64 + 8 * len(own))
        store.put(("sections", *state, *viewer, current_user.id if current_user.id in own else 0),
                  stored, len(stored))
    return Markup(_personal(stored.decode("utf-8"), ctx))


def _render(ctx: dict) -> str:
    """Render the sections as anyone with this viewer's rights sees them, with the token
    placeholder and nobody's presence."""
    load_sections(ctx["paper"])
    real = g.pop("csrf_token", None)
    g.csrf_token = TOKEN_PLACEHOLDER
    try:
        return render_template("papers/_section_list.html", **{**ctx, "present_people": None})
    finally:
        g.pop("csrf_token", None)
        if real is not None:
            g.csrf_token = real


def load_sections(paper: Paper) -> None:
    """Everything the sections show, in a few queries instead of several per section."""
    sections = [s for s in paper.sections if s.current_revision_id]
    revisions = {r.id: r for r in db.session.scalars(
        select(Revision).where(Revision.id.in_([s.current_revision_id for s in sections])))}
    for s in sections:
        set_committed_value(s, "current_revision", revisions.get(s.current_revision_id))
    prefetch_paper(paper.id)


def _personal(html: str, ctx: dict) -> str:
    html = html.replace(TOKEN_PLACEHOLDER, csrf_token())
    others = [p for p in ctx.get("present_people") or () if p.section_id and p.user_id != current_user.id]
    for section_id in {p.section_id for p in others}:
        empty = render_template("live/_section_presence.html", section_id=section_id, people=(), oob=False)
        html = html.replace(empty, render_template("live/_section_presence.html", section_id=section_id,
                                                   people=others, oob=False), 1)
    return html
