"""One way to render: a whole page, or one named block of it for htmx."""
from __future__ import annotations

from collections.abc import Callable, Hashable

from flask import current_app, g, make_response, render_template, request, session
from jinja2_fragments.flask import render_block
from markupsafe import Markup, escape

from workspace.db import commit_keeping_loaded, db
from workspace.mail.sender import sender as mail_sender
from workspace.mail.services import deliver_pending
from workspace.web.htmx import is_fragment_request
from workspace.web.kept import kept, placeholder, store, with_token


def render(template: str, *, block: str | None = None, status: int = 200, **context):
    """Render `block` of `template` for an htmx request, the whole page otherwise.

    The same URL answers both, so responses vary on HX-Request.
    """
    if block and is_fragment_request():
        html = render_block(template, block, **context)
        if session.get("_flashes"):
            # The flash area is outside the swapped part: update it out of band.
            html += render_template("web/_flash.html", oob=True)
    else:
        html = render_template(template, **context)
    resp = make_response(_with_spliced_parts(html), status)
    resp.vary.add("HX-Request")
    return resp


def render_kept(key: Callable[[], Hashable], template: str, *, block: str | None = None,
                per_request: tuple[str, ...] = (), **context):
    """`render`, for a page that is asked for again and again as it was (a person going back to
    a paper nobody has changed since): the whole answer is kept under `key()`, the template and
    the path. This request's CSRF token and the context values named in `per_request` (what
    differs between requests for the same page: the live stream's start) are drawn as
    placeholders and filled in on the way out, escaped as the template escapes them.

    `key()` must name everything else the page shows, as the keys of its kept parts do (a new
    state is a new key; nothing is invalidated). A fragment, a page with a flashed message or a
    query string (any string would be a new entry), and every request while keeping is off are
    drawn as `render` draws them.
    """
    if ((block and is_fragment_request()) or not store().enabled or request.query_string
            or session.get("_flashes")):
        return render(template, block=block, **context)
    marks = {name: _PER_REQUEST.setdefault(name, placeholder(name)) for name in per_request}
    html = kept(("page", template, request.path, key()),
                lambda: _with_spliced_parts(render_template(template, **{**context, **marks})))
    html = with_token(html)
    for name, mark in marks.items():
        html = html.replace(mark.encode("ascii"), str(escape(context[name])).encode("utf-8"))
    resp = make_response(html)
    resp.vary.add("HX-Request")
    return resp


# The placeholders of per-request values in kept pages, by name.
_PER_REQUEST: dict[str, str] = {}


# Stands for a spliced part in a template's output.
_SPLICE = placeholder("splice") + "-"


def splice(part: bytes) -> Markup:
    """Put `part` (UTF-8 HTML) where this is drawn, after the page is encoded: a big part kept
    as UTF-8 (the paper page's shared parts, about 200 KB) is then neither decoded nor encoded
    again for each request. Only what `render` answers can hold such parts."""
    parts = g.setdefault("spliced_parts", [])
    parts.append(part)
    return Markup(f"{_SPLICE}{len(parts) - 1}.")


def _with_spliced_parts(html: str) -> str | bytes:
    parts = g.pop("spliced_parts", None)
    if not parts:
        return html
    head, *rest = html.split(_SPLICE)
    out = [head.encode("utf-8")]
    for piece in rest:
        index, after = piece.split(".", 1)
        out += (parts[int(index)], after.encode("utf-8"))
    return b"".join(out)


def render_invalid(template: str, *, block: str | None = None, **context):
    """A form with errors: 422, the messages shown in the form."""
    return render(template, block=block, status=422, **context)


def commit(*, keep_loaded: bool = False) -> None:
    """Commit the request's one transaction, then send any e-mail it queued.

    `keep_loaded`: what the request loaded stays as it was at the commit, not read again for
    the answer. Only where the request changed its objects through the ORM alone (a Core
    UPDATE would leave them stale): a section save's answer then draws the section, the paper
    and the person without reading them anew (issue 10)."""
    mail_queued = db.session.info.pop("mail_queued", False)
    if keep_loaded:
        commit_keeping_loaded(db.session())
    else:
        db.session.commit()
    if mail_queued:
        if current_app.config.get("MAIL_DELIVERY") == "inline":
            # Sending claims each message with a write: on SQLite that transaction must begin
            # IMMEDIATE (wait its turn), not DEFERRED, or concurrent requests fail with
            # "database is locked" after their change was committed (issue 10).
            deliver_pending()
        else:
            # The answer does not wait for the mail server (issue 10: a reply notifying four
            # people made nine more write transactions before its answer).
            mail_sender.wake(current_app._get_current_object())
    # What the request does after this only reads (rendering the answer): on SQLite it
    # must not queue behind other writers again.
    g.committed = True
