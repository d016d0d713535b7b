"""The live stream: Server-Sent Events read from the event log."""
from __future__ import annotations

import dataclasses
import json
import logging
import random
import time

from flask import Blueprint, Response, abort, current_app, request, session
from flask_babel import force_locale, get_locale
from flask_login import current_user, login_required

from workspace.accounts.services import session_is_live
from workspace.cache import SharedWork
from workspace.db import db, read_only
from workspace.events import event_label
from workspace.live.hub import LiveEvent, get_hub, newest_event_id
from workspace.live.presence import leave as leave_paper
from workspace.live.presence import present_on, touch_presence
from workspace.papers import live_parts
from workspace.papers.permissions import load_paper
from workspace.web.rendering import commit, render
from workspace.web.templating import csrf_token
from workspace.workspaces.permissions import active_role, load_workspace

bp = Blueprint("live", __name__)
log = logging.getLogger("samverkan.live")

MAX_STREAM_SECONDS = 300  # then the browser reconnects with Last-Event-ID (re-authorised)
# A comment line this often: a page that was closed is noticed at the next write, so its
# stream ends and gives its thread back within seconds (dead streams held threads for 15 s,
# and a burst of reloads could fill a worker's threads).
KEEPALIVE_SECONDS = 5
# Membership and session re-checked this often; the first check falls anywhere in the second
# half of the interval, so streams opened together do not all query at the same moment.
CHECK_SECONDS = 15
# Only these payload fields leave the server; the rest (e-mail addresses …) stay in the audit log.
PUBLIC_PAYLOAD = {"paper_id", "section_id", "state", "number", "merged", "from", "to", "title", "user",
                  "round_id", "list_id", "year", "letter"}


def parse_cursor(value: str | None) -> int | None:
    if value is None or value == "":
        return None
    try:
        n = int(value)
    except ValueError:
        abort(400)
    if n < 0:
        abort(400)
    return n


def format_event(ev: LiveEvent, message: str, user_id: int | None = None,
                 parts: dict[str, str] | None = None) -> str:
    """The event as an SSE message. `parts` are the page parts it changed, by URL, each already
    a JSON string (live_parts encodes a part once for all its viewers)."""
    # Whom an event notified is private: a stream carries only its own person's user key.
    keys = [k for k in ev.keys() if not k.startswith("user:") or k == f"user:{user_id}"]
    data = {
        "id": ev.id,
        "verb": ev.verb,
        "keys": keys,
        "actor": ev.actor_name,
        "actor_id": ev.actor_id,
        "object_type": ev.object_type,
        "object_id": ev.object_id,
        "payload": {k: v for k, v in ev.payload.items() if k in PUBLIC_PAYLOAD},
        "message": message,
    }
    text = json.dumps(data, ensure_ascii=False)
    if parts:  # the page's parts this event changed, by the URL it would fetch
        text = text[:-1] + ', "parts": {' + ", ".join(
            f"{json.dumps(url, ensure_ascii=False)}: {encoded}" for url, encoded in parts.items()) + "}}"
    return f"id: {ev.id}\nevent: {ev.verb}\ndata: {text}\n\n"


# After these, whom the stream serves is checked at once, not at the next regular check:
# the parts it sends are rendered for the role it knows.
MEMBERSHIP_VERBS = {"member-role-changed", "member-deactivated", "member-activated", "organization-removed"}


@bp.get("/w/<slug>/stream")
@login_required
def stream(slug: str):
    ws, me = load_workspace(slug, current_user)
    header = parse_cursor(request.headers.get("Last-Event-ID"))
    param = parse_cursor(request.args.get("after"))
    cursors = [c for c in (header, param) if c is not None]
    start = max(cursors) if cursors else newest_event_id()
    # A paper's page: its changed parts come with the events (papers/live_parts.py).
    paper_id = parse_cursor(request.args.get("paper"))
    if paper_id is not None:
        load_paper(ws, paper_id)
    app = current_app._get_current_object()
    hub = get_hub(app)
    ws_id, user_id, locale = ws.id, current_user.id, current_user.locale
    viewer = None if paper_id is None else live_parts.Viewer(
        user_id=user_id, locale=str(get_locale()), role=me.role, slug=ws.slug, paper_id=paper_id,
        token=csrf_token())
    sid = session.get("sid")
    db.session.remove()  # hold no connection while streaming

    def generate():
        nonlocal viewer
        cursor = start
        yield "retry: 1500\n\n"
        began = time.monotonic()
        next_check = began + CHECK_SECONDS * (0.5 + random.random() / 2)
        next_keepalive = began + KEEPALIVE_SECONDS
        while time.monotonic() - began < MAX_STREAM_SECONDS:
            with hub.cond:
                hub_position = hub.last_id
            events = hub.events_after(cursor, ws_id)
            now = time.monotonic()
            if now >= next_check or any(ev.verb in MEMBERSHIP_VERBS for ev in events):
                with app.app_context(), read_only():
                    role = active_role(user_id, ws_id)
                    if role is None or not session_is_live(user_id, sid):
                        return  # removed from the workspace or logged out: the stream ends
                if viewer is not None and role != viewer.role:
                    viewer = dataclasses.replace(viewer, role=role)
                next_check = now + CHECK_SECONDS
            if events:
                chunks = [format_event(ev, _message(app, ev, locale), user_id, _parts(app, viewer, ev))
                          for ev in events]
                cursor = events[-1].id
                yield "".join(chunks)
            if now >= next_keepalive:
                next_keepalive = now + KEEPALIVE_SECONDS
                yield ": keepalive\n\n"
            hub.wait(max(hub_position, cursor), timeout=max(0.05, min(next_check, next_keepalive) - now))

    resp = Response(generate(), mimetype="text/event-stream")
    resp.headers["Cache-Control"] = "no-cache"
    resp.headers["X-Accel-Buffering"] = "no"
    return resp


def _parts(app, viewer, ev: LiveEvent) -> dict[str, str]:
    if viewer is None:
        return {}
    try:
        return live_parts.parts_for(app, viewer, ev)
    except Exception:  # the page fetches what it did not get; the stream goes on
        log.exception("rendering the parts of event %s failed", ev.id)
        return {}


# What the streams of the process woken by one event share: its message in each language.
_shared = SharedWork(1024)


def _message(app, ev: LiveEvent, locale: str | None) -> str:
    """What the screen reader announces: "Sara Lindqvist sparade ett avsnitt"."""
    def make():
        with app.test_request_context(), force_locale(locale):
            return f"{ev.actor_name or ''} {_label(ev)}".strip()

    return _shared.get(("message", ev.serial, locale), make)


def _label(ev: LiveEvent) -> str:
    class _Row:
        verb = ev.verb
        payload = {k: v for k, v in ev.payload.items() if k in PUBLIC_PAYLOAD}

    return event_label(_Row)


# --- presence ---------------------------------------------------------------------------

def _client_id() -> str:
    cid = (request.form.get("client_id") or "").strip()
    if not cid or len(cid) > 40 or not all(c.isalnum() or c in "-_" for c in cid):
        abort(422)
    return cid


def _section_id(paper) -> int | None:
    raw = request.form.get("section_id") or ""
    if raw == "":
        return None
    try:
        sid = int(raw)
    except ValueError:
        abort(422)
    if not any(s.id == sid for s in paper.sections):
        abort(422)
    return sid


@bp.post("/w/<slug>/papers/<int:paper_id>/presence")
@login_required
def heartbeat(slug: str, paper_id: int):
    ws, _me = load_workspace(slug, current_user)
    paper = load_paper(ws, paper_id)
    try:
        touch_presence(current_user, paper, _client_id(), _section_id(paper))
    except PermissionError:
        abort(403)
    commit()
    return Response(status=204)


@bp.post("/w/<slug>/papers/<int:paper_id>/presence/leave")
@login_required
def leave(slug: str, paper_id: int):
    ws, _me = load_workspace(slug, current_user)
    paper = load_paper(ws, paper_id)
    leave_paper(current_user, paper, _client_id())
    commit()
    return Response(status=204)


@bp.get("/w/<slug>/papers/<int:paper_id>/presence")
@login_required
def presence(slug: str, paper_id: int):
    ws, me = load_workspace(slug, current_user)
    paper = load_paper(ws, paper_id)
    return render("live/_presence.html", ws=ws, me=me, paper=paper, people=present_on(paper.id), oob_sections=True)
