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

The sections are kept one by one: a section's key names the newest change to it and the
newest change to the paper as a whole (its status, its title, a round …), worked out from the
events since the state this process knew before. After someone's save, the next view renders
that one section, not twenty, and the refresh that every open page fetches shares it.

Keys name states, so nothing is ever invalidated: a new state is a new key, and old
entries are forgotten when space runs out. A process that restores a backup must restart
(as `flask restore` says); the key also carries the event's time, so ids given again after a
restore cannot meet an old entry.
"""
from __future__ import annotations

from typing import NamedTuple

from flask import render_template
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import bindparam, select

from workspace.comments.services import participants, prefetch_paper
from workspace.db import db
from workspace.events import paper_changes, paper_state
from workspace.export.pdf import pdf_available
from workspace.papers import services
from workspace.papers.models import Paper, Section
from workspace.web.kept import keep, kept, with_token
from workspace.web.kept import store as kept_store
from workspace.web.rendering import splice
from workspace.web.site_header import facts as header_facts

# A paper page renders its missing sections with the whole paper's comments loaded at once
# (a few queries) when more than this many are missing; fewer load their own.
_LOAD_WHOLE_PAPER_FROM = 3
# Events read to bring a paper's section marks up to date; more than this, and they start anew.
_MAX_CHANGES = 200


def section_items(ctx: dict) -> Markup:
    """The items of the page's section list for this request. `ctx` is the paper page's
    template context (ws, me, paper, can_edit, present_people …)."""
    store = kept_store()
    if not store.enabled:
        load_sections(ctx["paper"])
        return Markup(render_template("papers/_section_list.html", **ctx))
    order = _live_order(ctx)
    keys = _section_keys(ctx, order)
    parts = [store.get(k) for k in keys]
    if None in parts:
        paper = ctx["paper"]
        missing = [i for i, part in enumerate(parts) if part is None]
        # After a change, those few sections alone; else (or if the list changed since its
        # state was read) all of them, as they are now.
        sections = _live_sections_of(paper, [order[i] for i in missing]) \
            if len(missing) < _LOAD_WHOLE_PAPER_FROM else None
        if sections is None:
            live = paper.live_sections
            if [s.id for s in live] != list(order):  # the rows win
                order = tuple(s.id for s in live)
                keys = _section_keys(ctx, order)
                parts = [store.get(k) for k in keys]
                missing = [i for i, part in enumerate(parts) if part is None]
            if len(missing) >= _LOAD_WHOLE_PAPER_FROM:
                load_sections(paper)
            sections = {s.id: s for s in live}
        for i in missing:
            parts[i] = keep(keys[i], _renderer("papers/_section.html",
                                               {**ctx, "section": sections[order[i]], "section_ids": list(order)}))
    return splice(_personal(b"".join(parts), ctx))


def _live_sections_of(paper: Paper, ids: list[int]) -> dict | None:
    """The sections `ids` of `paper` by id, or None if one is no longer there."""
    found = [db.session.get(Section, sid) for sid in ids]
    if any(s is None or s.paper_id != paper.id or s.deleted_at is not None for s in found):
        return None
    return {s.id: s for s in found}


def section_item(ctx: dict) -> Markup:
    """One section as its list item: what a live refresh fetches after someone's save, once
    for every open page, and the same entry the next page view takes. `ctx` holds the section
    (see papers.views._section_context)."""
    store = kept_store()
    if not store.enabled:
        return Markup(render_template("papers/_section.html", **ctx))
    order = _live_order(ctx)
    section = ctx["section"]
    if section.id not in order:  # removed or added since the state was read
        return Markup(render_template("papers/_section.html", **ctx))
    key = _section_keys(ctx, order)[order.index(section.id)]
    return splice(_personal(kept(key, _renderer("papers/_section.html", {**ctx, "section_ids": list(order)})), ctx))


def _section_keys(ctx: dict, order: tuple) -> list[tuple]:
    """The keys of the sections `order`. What a section shows depends on: its own changes and
    the paper's (`_marks`), the names and the viewer (as every shared part), and whether it is
    first or last (its move buttons)."""
    marks = _marks(ctx)
    common = (marks.paper, *_names(ctx), *_viewer(ctx, comments=True))
    last = len(order) - 1
    return [("section", sid, marks.sections.get(sid, marks.base), *common, i == 0, i == last)
            for i, sid in enumerate(order)]


_LIVE_ORDER = (select(Section.id).where(Section.paper_id == bindparam("paper_id"), Section.deleted_at.is_(None))
               .order_by(Section.position, Section.id))


def live_section_ids(paper_id: int) -> list[int]:
    """The ids of the paper's sections in their order, as stored now."""
    return list(db.session.scalars(_LIVE_ORDER, {"paper_id": paper_id}))


def _live_order(ctx: dict) -> tuple:
    """The ids of the paper's sections in their order, once per state of the paper."""
    order = ctx.get("_live_order")
    if order is None:
        store, key = kept_store(), ("order", *_state(ctx))
        order = store.get(key)
        if order is None:
            order = tuple(live_section_ids(ctx["paper"].id))
            store.put(key, order, 64 + 8 * len(order))
        ctx["_live_order"] = order
    return order


class Marks(NamedTuple):
    """Where the paper's sections stand at one state of the paper: the newest change to each
    section and to the paper as a whole, each an event id or, for what has not changed since
    this process first looked, `base`."""
    state: tuple | None
    base: tuple
    paper: object
    sections: dict


def _marks(ctx: dict) -> Marks:
    """The paper's marks at this request's state: from the marks of the state this process
    knew before, moved on by the events since (one query), or anew."""
    marks = ctx.get("_marks")
    if marks is not None:
        return marks
    paper, state = ctx["paper"], _paper_state(ctx)
    store, key = kept_store(), ("marks", paper.id, paper.created_at.isoformat())
    known = store.get(key)
    if known is not None and known.state == state:
        marks = known
    else:
        changes = None
        if known is not None and known.state is not None and state is not None and known.state[0] < state[0]:
            changes = paper_changes(paper.id, known.state[0], state[0], _MAX_CHANGES + 1)
        if changes is not None and len(changes) <= _MAX_CHANGES and changes and changes[-1][0] == state[0]:
            sections, whole = dict(known.sections), known.paper
            for event_id, section_id in changes:
                if section_id is None:
                    whole = event_id
                else:
                    sections[section_id] = event_id
            marks = Marks(state, known.base, whole, sections)
        else:
            base = ("base", state)
            marks = Marks(state, base, base, {})
        store.put(key, marks, 128 + 32 * len(marks.sections))
    ctx["_marks"] = marks
    return marks


def header(ctx: dict) -> Markup:
    """The paper's header (facts, status buttons, approval round): refreshed live on every
    save, once for every open page."""
    return _shared(("header",), ctx, "papers/_header.html")


def versions(ctx: dict) -> Markup:
    """The paper's named versions, with the form to save one: they change only with the paper
    as a whole (a new version), not with its sections."""
    return _shared(("versions",), ctx, "papers/_versions.html", state=(_marks(ctx).paper, *_names(ctx)))


def export_card(ctx: dict) -> Markup:
    """The export card: the same for every state of the paper. It offers PDF only where
    LibreOffice is installed (looked up once a minute), so that is in its key."""
    return _shared(("export", pdf_available()), ctx, "export/_paper_card.html", state=_names(ctx))


def _shared(name: tuple, ctx: dict, template: str, state: tuple | None = None) -> Markup:
    """`template` rendered once per state of the paper (or the `state` given) and kind of
    viewer, then made this request's own (token, presence)."""
    store = kept_store()
    if not store.enabled:
        return Markup(render_template(template, **ctx))
    key = (*name, *(state or _state(ctx)), *_viewer(ctx, comments=False))
    return splice(_personal(kept(key, _renderer(template, ctx)), ctx))


def page_key(ctx: dict) -> tuple:
    """Everything the whole paper page shows (web/rendering.render_kept keeps it under this, for
    the next time the same person opens the paper as it is): the state of the paper and its
    names (every part, the title, the removed sections), the viewer's rights and their comments
    (`_viewer`), the site header's facts (the person: id, name, organisation; language, menu,
    bell), whether PDF can be made, and who is here. The live stream's start is filled in per
    request: events elsewhere leave the page as it was."""
    return (*_state(ctx), *_viewer(ctx, comments=True), pdf_available(), header_facts(ctx["ws"]),
            tuple(ctx["present_people"] or ()))


def removed_sections(ctx: dict) -> list:
    """The paper's removed sections (id, title), for the page's list of them: the same for
    every viewer of a state of the paper."""
    store = kept_store()
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


def _viewer(ctx: dict, *, comments: bool) -> tuple:
    """The kind of viewer: every right a paper's templates ask for (edit, comment, resolve,
    change status, run rounds) follows from the active membership's role and the paper's status
    (in the state). Parts with comment panels also name the writers of the paper's comments,
    whose panels have buttons of their own."""
    viewer = (str(get_locale()), ctx["me"].role)
    if not comments:
        return viewer
    store, key = kept_store(), ("participants", *_state(ctx))
    own = store.get(key)
    if own is None:
        own = participants(ctx["paper"].id)
        store.put(key, own, 64 + 8 * len(own))
    return (*viewer, current_user.id if current_user.id in own else 0)


def _paper_state(ctx: dict) -> tuple | None:
    """The paper's stored state: the newest event naming it. Asked once per request."""
    if "_paper_state" not in ctx:
        ctx["_paper_state"] = paper_state(ctx["paper"].id)
    return ctx["_paper_state"]


def _names(ctx: dict) -> tuple:
    """The paper, and the names shown from rows whose changes are not events of the paper, as
    they are."""
    names = ctx.get("_names")
    if names is None:
        paper, ws = ctx["paper"], ctx["ws"]
        names = ctx["_names"] = (paper.id, paper.created_at.isoformat(), ws.slug, ws.name,
                                 paper.policy_area.name if paper.policy_area else None,
                                 paper.lead_organization.name if paper.lead_organization else None)
    return names


def _state(ctx: dict) -> tuple:
    """The key of what the paper shows every viewer: its stored state and the names."""
    return (_paper_state(ctx), *_names(ctx))


def _renderer(template: str, ctx: dict):
    """What renders `template` as anyone with this viewer's rights sees it: nobody's presence
    (and, kept, the token placeholder)."""
    return lambda: render_template(template, **{**ctx, "present_people": None})


def load_sections(paper: Paper) -> None:
    """Everything the sections show, in a few queries instead of several per section."""
    services.load_current_revisions(paper.sections)
    prefetch_paper(paper.id)


def _personal(html: bytes, ctx: dict) -> bytes:
    """Shared HTML made this request's own: its CSRF token, and who is editing which section."""
    html = with_token(html)
    others = [p for p in ctx.get("present_people") or () if p.section_id and p.user_id != current_user.id]
    for section_id in {p.section_id for p in others}:
        empty = render_template("live/_section_presence.html", section_id=section_id, people=(), oob=False)
        html = html.replace(empty.encode("utf-8"), render_template(
            "live/_section_presence.html", section_id=section_id, people=others, oob=False).encode("utf-8"), 1)
    return html
