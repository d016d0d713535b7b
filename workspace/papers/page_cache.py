"""The paper page's parts, rendered once per state of the paper and shared (issue 10).

Twenty sections with their tools and comment threads were four fifths of the paper page's
time; the header, the named versions and one section (what every open page fetches after
someone's save) come from here too. What they show depends on:

- the paper's stored state: every change to it is an event naming the paper (the same
  events that refresh open pages live), so the newest such event names the state;
- the names shown from rows whose changes are not events of the paper (the workspace's,
  the policy area's and the lead organisation's): they are in the key as they are;
- what the viewer may do (all of it follows from the role and the paper's status), and the
  language;
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
from typing import NamedTuple

from flask import Flask, current_app, g, render_template
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

from workspace.cache import BoundedCache
from workspace.comments.services import participants, prefetch_paper
from workspace.events import paper_state
from workspace.papers import services
from workspace.papers.models import Paper
from workspace.web.templating import csrf_token

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
    return _shared(("sections",), ctx, "papers/_section_list.html", comments=True,
                   prepare=lambda: load_sections(ctx["paper"]))


def section_item(ctx: dict) -> Markup:
    """One section as its list item: what a live refresh fetches after someone's save, once
    for every open page. `ctx` holds the section (see papers.views._section_context)."""
    return _shared(("section", ctx["section"].id), ctx, "papers/_section.html", comments=True)


def header(ctx: dict) -> Markup:
    """The paper's header (facts, status buttons, approval round): refreshed live on every
    save, once for every open page."""
    return _shared(("header",), ctx, "papers/_header.html", comments=False)


def versions(ctx: dict) -> Markup:
    """The paper's named versions, with the form to save one."""
    return _shared(("versions",), ctx, "papers/_versions.html", comments=False)


def _shared(name: tuple, ctx: dict, template: str, *, comments: bool, prepare=None) -> Markup:
    """`template` rendered once per state of the paper and kind of viewer, then made this
    request's own (token, presence). With `comments`, it draws comment panels, whose
    own-comment buttons make the writers of the paper's comments viewers of their own."""
    store = cache()
    if not store.enabled:
        if prepare:
            prepare()
        return Markup(render_template(template, **ctx))
    paper, me = ctx["paper"], ctx["me"]
    state = _state(ctx)
    # Every right a paper's templates ask for (edit, comment, resolve, change status, run
    # rounds) follows from the active membership's role and the paper's status (in the state).
    viewer = (str(get_locale()), me.role)
    person = 0
    if comments:
        own = store.get(("participants", *state))
        if own is None:
            own = participants(paper.id)
            store.put(("participants", *state), own, 64 + 8 * len(own))
        person = current_user.id if current_user.id in own else 0
    key = (*name, *state, *viewer, person)
    stored = store.get(key)
    if stored is None:
        if prepare:
            prepare()
        # Kept as UTF-8: a page is mostly text, and a str with one "–" in it takes two bytes a
        # character.
        stored = _render(template, ctx).encode("utf-8")
        store.put(key, stored, len(stored))
    return Markup(_personal(stored.decode("utf-8"), ctx))


def removed_sections(ctx: dict) -> list:
    """The paper's removed sections (id, title), for the page's list of them: the same for
    every viewer of a state of the paper."""
    store = cache()
    key = ("removed", *_state(ctx)) if store.enabled else None
    found = store.get(key) if key else None
    if found is None:
        found = [RemovedSection(s.id, s.title) for s in services.removed_sections(ctx["paper"])]
        if key:
            store.put(key, found, 64 + sum(64 + len(r.title) for r in found))
    return found


class RemovedSection(NamedTuple):
    id: int
    title: str


def _state(ctx: dict) -> tuple:
    """The key of what the paper shows every viewer: its stored state (the newest event naming
    it), and the names shown from rows whose changes are not events of the paper, as they are.
    Asked once per request: a page draws several shared parts."""
    state = ctx.get("_shared_state")
    if state is None:
        paper, ws = ctx["paper"], ctx["ws"]
        state = ctx["_shared_state"] = (
            paper.id, paper.created_at.isoformat(),
            ctx["_paper_state"] if "_paper_state" in ctx else paper_state(paper.id), ws.slug, ws.name,
            paper.policy_area.name if paper.policy_area else None,
            paper.lead_organization.name if paper.lead_organization else None)
    return state


def _render(template: str, ctx: dict) -> str:
    """Render as anyone with this viewer's rights sees it, with the token placeholder and
    nobody's presence."""
    real = g.pop("csrf_token", None)
    g.csrf_token = TOKEN_PLACEHOLDER
    try:
        return render_template(template, **{**ctx, "present_people": None})
    finally:
        g.pop("csrf_token", None)
        if real is not None:
            g.csrf_token = real


def load_sections(paper: Paper) -> None:
    """Everything the sections show, in a few queries instead of several per section."""
    services.load_current_revisions(paper.sections)
    prefetch_paper(paper.id)


def _personal(html: str, ctx: dict) -> str:
    html = html.replace(TOKEN_PLACEHOLDER, csrf_token())
    others = [p for p in ctx.get("present_people") or () if p.section_id and p.user_id != current_user.id]
    for section_id in {p.section_id for p in others}:
        empty = render_template("live/_section_presence.html", section_id=section_id, people=(), oob=False)
        html = html.replace(empty, render_template("live/_section_presence.html", section_id=section_id,
                                                   people=others, oob=False), 1)
    return html
