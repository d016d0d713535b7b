"""The site header, drawn on every page, kept per set of what it shows (issue 10).

It shows a handful of facts: the language, the app's root, the person (name, e-mail and
organisation; the initials follow from name and e-mail), the workspace of the page, the
person's workspaces (the menu) and their unread count (the bell). The rendered header is kept
(web/kept.py) under exactly those facts, with the request's CSRF token and its path (the
language switch returns there) filled in on the way out. Drawing it was 15 % of a paper page's
time; the facts come from one query either way (web/context.layout_facts).

templates/web/_site_header.html must draw nothing that is not in `facts`.
"""
from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup, escape

from workspace.web.context import current_path, layout_facts
from workspace.web.kept import kept, placeholder, store, with_token

TEMPLATE = "web/_site_header.html"
_PATH_PLACEHOLDER = placeholder("path")
_PATH_BYTES = _PATH_PLACEHOLDER.encode("ascii")


def init_app(app: Flask) -> None:
    app.jinja_env.globals["site_header"] = site_header


def site_header(ws=None) -> Markup:
    """The header for this request; `ws` is the page's workspace, if it has one. Error pages
    draw it too, outside `render`, so it is text, not a spliced part."""
    if not store().enabled:
        return Markup(render_template(TEMPLATE, ws=ws))
    html = kept(("site-header", *facts(ws)),
                lambda: render_template(TEMPLATE, ws=ws, current_path=_PATH_PLACEHOLDER))
    path = str(escape(current_path())).encode("utf-8")
    return Markup(with_token(html).replace(_PATH_BYTES, path).decode("utf-8"))


def facts(ws) -> tuple:
    """Everything the header draws, and nothing else."""
    locale = str(get_locale())
    page = (ws.id, ws.slug) if ws else None
    if not current_user.is_authenticated:
        return (request.script_root, locale, page)
    user = current_user
    workspaces, unread = layout_facts()
    return (request.script_root, locale, page, user.id, user.name, user.email,
            user.organization.name if user.organization else None,
            tuple((w.id, w.slug, w.name) for w in workspaces), unread)
