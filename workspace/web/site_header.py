"""The site header, drawn on every page, rendered once per set of what it shows (issue 10).

It shows a handful of facts: the language, the app's root, the person (name, e-mail,
initials, organisation), the workspace of the page, the person's workspaces (the menu) and
their unread count (the bell). The rendered header is kept under exactly those facts, with
the request's CSRF token and its path (the language switch returns there) as placeholders,
filled in on the way out. Drawing it was 15 % of a paper page's time; the facts come from
one query either way (web/context.layout_facts).

templates/web/_site_header.html must draw nothing that is not in `_facts`.
"""
from __future__ import annotations

import secrets

from flask import Flask, current_app, render_template, request
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup, escape

from workspace.cache import BoundedCache
from workspace.web.context import layout_facts
from workspace.web.templating import TOKEN_PLACEHOLDER, csrf_token, token_placeholder

TEMPLATE = "web/_site_header.html"
_EXTENSION = "samverkan.header_cache"
_HEADER_CACHE_MB = 8
# Stands for the request's path in the kept header; random per process, as the token's.
_PATH_PLACEHOLDER = "path-" + secrets.token_hex(16)


def init_app(app: Flask) -> None:
    megabytes = min(_HEADER_CACHE_MB, app.config["SECTION_CACHE_MB"])  # 0 turns it off too
    app.extensions[_EXTENSION] = BoundedCache(megabytes * 1024 * 1024)
    app.jinja_env.globals["site_header"] = site_header


def site_header(ws=None) -> Markup:
    """The header for this request; `ws` is the page's workspace, if it has one."""
    store: BoundedCache = current_app.extensions[_EXTENSION]
    if not store.enabled:
        return Markup(render_template(TEMPLATE, ws=ws))
    key = _facts(ws)
    html = store.get(key)
    if html is None:
        html = _render(ws)
        store.put(key, html, 2 * len(html) + 200)
    path = request.full_path.rstrip("?") if request else "/"
    return Markup(html.replace(TOKEN_PLACEHOLDER, csrf_token()).replace(_PATH_PLACEHOLDER, str(escape(path))))


def _facts(ws) -> tuple:
    """Everything the header draws, and nothing else."""
    locale = str(get_locale())
    page = (ws.id, ws.slug) if ws else None
    if not current_user.is_authenticated:
        return (request.script_root, locale, page)
    user = current_user
    workspaces, unread = layout_facts()
    return (request.script_root, locale, page, user.id, user.name, user.email, user.initials,
            user.organization.name if user.organization else None,
            tuple((w.id, w.slug, w.name) for w in workspaces), unread)


def _render(ws) -> str:
    """The header as anyone with these facts sees it, with placeholders for token and path."""
    with token_placeholder():
        return render_template(TEMPLATE, ws=ws, current_path=_PATH_PLACEHOLDER)
