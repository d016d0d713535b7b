"""The paper page's parts, sent with the event that changed them (issue 10).

After a save every open page of the paper refreshed its section (and, while an approval
round is open, its header) by fetching it: 200 open pages made 400 requests, and the last
page showed the change 2 s after the save. Now the live stream of a page opened on the
paper (`?paper=<id>`) carries those parts in the event itself, rendered as the page's own
fetch would answer them: by the same views, with the viewer's rights. The page swaps them
in as it would the fetched answer; a part it did not get it still fetches.

Viewers with the same view of a part share one render per process and event: the rights
follow from the role, the comment panels differ for the people who wrote in them, the
presence marks for the people editing. Their CSRF token is filled in per viewer. A part is
kept as its JSON text, encoded once for all its viewers (encoding 30 KB of HTML costs more than
everything else a stream does for an event).
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from functools import lru_cache

from flask import Flask, g, url_for
from werkzeug.exceptions import HTTPException

from workspace.cache import SharedWork
from workspace.db import db, read_only
from workspace.web.kept import TOKEN_PLACEHOLDER

# The header's verbs: those that change it always, and those that change the text, which
# matter to it only while a round is open (its "the text has changed" notice).
HEADER_VERBS = ("paper-updated", "paper-status-changed", "paper-adopted", "round-opened", "round-closed",
                "round-cancelled", "decision-recorded")
HEADER_TEXT_VERBS = ("section-saved", "section-renamed", "section-added", "section-removed", "section-restored",
                     "sections-reordered", "revision-restored", "suggestion-accepted")
# One section's: its text or title changed.
SECTION_VERBS = ("section-saved", "section-renamed", "revision-restored")


def header_verbs(open_round: bool) -> tuple[str, ...]:
    """What the header refreshes on: the template's data-live-on and the stream's one rule."""
    return HEADER_VERBS + (HEADER_TEXT_VERBS if open_round else ())


def header_live_verbs(round_info: dict | None) -> str:
    """The header's data-live-on, from the template's round info."""
    return " ".join(header_verbs(bool(round_info and round_info["round"].is_open)))


@dataclass(frozen=True)
class Viewer:
    """A live stream opened on a paper's page: whose, in which language, with which role."""

    user_id: int
    locale: str
    role: str
    slug: str
    paper_id: int
    token: str  # the viewer's CSRF token (its session's), put into every form of a part


@dataclass(frozen=True)
class _Audience:
    """What sets viewers of the paper apart, as of one event."""

    writers: frozenset[int]  # their own comments get buttons
    editing: frozenset[int]  # everyone else sees them editing a section
    round_open: bool


# Renders shared by the streams of one process: a part is needed only while they deliver its
# event, so a few hundred are plenty.
_renders = SharedWork(256)
# One render at a time in a process. Under the GIL they would not run faster side by side, and
# a page request arriving meanwhile would share the interpreter with all of them.
_one_render = threading.Lock()


def parts_for(app: Flask, viewer: Viewer, event) -> dict[str, str]:
    """The parts of the viewer's paper page that `event` changes, by the URL the page would
    fetch each from, each as a JSON string (the HTML encoded); empty if it changes none (or
    none can be rendered for the viewer)."""
    if event.payload.get("paper_id") != viewer.paper_id and not (
            event.object_type == "paper" and event.object_id == viewer.paper_id):
        return {}
    # (endpoint, its arguments, whether it draws comment panels and presence marks)
    wanted = []
    section_id = event.payload.get("section_id")
    if event.verb in SECTION_VERBS and isinstance(section_id, int):
        wanted.append(("papers.section", {"section_id": section_id}, True))
    if event.verb in HEADER_VERBS + HEADER_TEXT_VERBS:
        wanted.append(("papers.detail", {"part": "header"}, False))
    if not wanted:
        return {}
    audience = _renders.get(("audience", event.serial, viewer.paper_id), lambda: _audience(app, viewer.paper_id))
    if audience is None:
        return {}
    # Same key, same HTML: what the view draws follows from these (see page_cache). Only the
    # parts with comment panels and presence marks differ for the people in them.
    own = viewer.user_id if viewer.user_id in audience.writers or viewer.user_id in audience.editing else 0
    out = {}
    for endpoint, args, personal in wanted:
        if endpoint == "papers.detail" and event.verb not in header_verbs(audience.round_open):
            continue
        url = _url(app, endpoint, viewer.slug, viewer.paper_id, tuple(sorted(args.items())))
        kind = (viewer.locale, viewer.role, own if personal else 0)
        encoded = _renders.get(("part", event.serial, url, *kind),
                               lambda: _encoded(_render(app, viewer, url, endpoint, args)))
        if encoded is not None:  # the token is URL-safe, so it goes into the JSON text as it is
            out[url] = encoded.replace(TOKEN_PLACEHOLDER, viewer.token)
    return out


@lru_cache(maxsize=4096)
def _url(app: Flask, endpoint: str, slug: str, paper_id: int, args: tuple) -> str:
    with app.test_request_context():
        return url_for(endpoint, slug=slug, paper_id=paper_id, **dict(args))


def _audience(app: Flask, paper_id: int) -> _Audience:
    from workspace.comments.services import participants
    from workspace.decisions.services import latest_round
    from workspace.live.presence import present_on

    with app.app_context(), read_only():
        round_ = latest_round("paper", paper_id)
        return _Audience(writers=participants(paper_id),
                         editing=frozenset(p.user_id for p in present_on(paper_id) if p.section_id),
                         round_open=bool(round_ is not None and round_.is_open))


def _encoded(html: str | None) -> str | None:
    return None if html is None else json.dumps(html, ensure_ascii=False)


def _render(app: Flask, viewer: Viewer, url: str, endpoint: str, args: dict) -> str | None:
    """The part as the viewer's own fetch of `url` would answer it, with the token left as
    a placeholder (so viewers of the same kind can share it); None if it would not be 200."""
    from workspace.accounts.models import User

    with _one_render, app.test_request_context(url, headers={"HX-Request": "true"}), read_only():
        user = db.session.get(User, viewer.user_id)
        if user is None or not user.is_active:
            return None
        g._login_user = user  # Flask-Login's current user for this render
        g.csrf_token = TOKEN_PLACEHOLDER  # see web/kept.py
        try:
            resp = app.make_response(app.view_functions[endpoint](
                slug=viewer.slug, paper_id=viewer.paper_id, **{k: v for k, v in args.items() if k != "part"}))
        except HTTPException:
            return None
        if resp.status_code != 200:
            return None
        return resp.get_data(as_text=True)
