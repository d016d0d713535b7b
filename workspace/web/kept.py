"""What a process keeps for many requests (issue 10): parts of pages rendered once under a key
that names everything they show, and what those keys are made from.

One bounded store per process (`SECTION_CACHE_MB`; 0 turns keeping off). Keys name states, so
nothing is invalidated: a new state is a new key, and the least recently used entries go when
the budget runs out. The paper page's parts (papers/page_cache.py), the site header
(web/site_header.py) and whole pages seen again as they were (web/rendering.render_kept) are
kept here.

Kept HTML holds a placeholder where each request's CSRF token goes (`with_token` fills it in)
and is kept as UTF-8: a page is mostly text, and a str with one "–" in it takes two bytes a
character.
"""
from __future__ import annotations

import secrets
from collections.abc import Callable, Hashable
from contextlib import contextmanager

from flask import Flask, current_app, g

from workspace.cache import BoundedCache
from workspace.web.templating import csrf_token

_EXTENSION = "samverkan.kept"


def placeholder(kind: str) -> str:
    """A mark that stands for something filled in per request. Random per process (what is kept
    is too), so no text a person writes can be taken for it."""
    return f"{kind}-{secrets.token_hex(16)}"


TOKEN_PLACEHOLDER = placeholder("csrf")
_TOKEN_BYTES = TOKEN_PLACEHOLDER.encode("ascii")


def init_app(app: Flask) -> None:
    app.extensions[_EXTENSION] = BoundedCache(app.config["SECTION_CACHE_MB"] * 1024 * 1024)


def store() -> BoundedCache:
    return current_app.extensions[_EXTENSION]


@contextmanager
def token_placeholder():
    """Within this, templates draw TOKEN_PLACEHOLDER where the CSRF token goes."""
    real = g.pop("csrf_token", None)  # where Flask-WTF and templating.csrf_token keep it
    g.csrf_token = TOKEN_PLACEHOLDER
    try:
        yield
    finally:
        g.pop("csrf_token", None)
        if real is not None:
            g.csrf_token = real


def keep(key: Hashable, render: Callable[[], str | bytes]) -> bytes:
    """`render()` (with the token placeholder) kept under `key`, as UTF-8."""
    with token_placeholder():
        html = render()
    if isinstance(html, str):
        html = html.encode("utf-8")
    store().put(key, html, len(html))
    return html


def kept(key: Hashable, render: Callable[[], str | bytes]) -> bytes:
    """The HTML kept under `key`, rendered and kept first if it is not there."""
    html = store().get(key)
    return html if html is not None else keep(key, render)


def with_token(html: bytes) -> bytes:
    """Kept HTML with this request's CSRF token."""
    return html.replace(_TOKEN_BYTES, csrf_token().encode("ascii"))
