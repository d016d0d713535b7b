"""Template helpers that a big page calls hundreds of times, made cheap.

A paper page calls gettext about 800 times and draws about 300 CSRF fields (issue 10).
Flask-Babel's template gettext looks the translations up again on every call, through
half a dozen context-local reads; Flask-WTF's csrf_token reads four config values on every
call. Both answers are fixed for a request (for a locale), so they are looked up once.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence

from flask import Flask, g, has_request_context, request, url_for
from flask_babel import get_translations
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

# Flask-WTF keeps the request's signed token on `g` under the field name.
_CSRF_FIELD = "csrf_token"


def request_translations():
    """The translations of the current locale, looked up once per request and locale.

    Keyed on the Locale object itself: force_locale (e-mail in the recipient's language)
    swaps that object, so a forced block never gets the request's own language.
    """
    try:
        ctx = g._flask_babel
        locale = ctx.babel_locale
    except (AttributeError, RuntimeError):  # nothing looked up yet, or no app context
        return get_translations()
    cached = getattr(ctx, "samverkan_translations", None)
    if cached is not None and cached[0] is locale:
        return cached[1]
    translations = get_translations()
    ctx.samverkan_translations = (locale, translations)
    return translations


def csrf_token() -> str:
    """The request's CSRF token: Flask-WTF's own, from where it keeps it once made."""
    token = g.get(_CSRF_FIELD)
    return token if token is not None else generate_csrf()


def csrf() -> Markup:
    """The hidden CSRF field every form carries (a function, not a macro: a macro call
    costs several times as much, and a paper page has about 300 forms)."""
    return Markup('<input type="hidden" name="csrf_token" value="%s">') % escape(csrf_token())


# URLs templates built, by app root, endpoint and values: most are the same on every view (the
# layout's links, the static files, a paper's tool URLs), and building one costs Werkzeug's
# router more than the rest of drawing it. Cleared when full.
_URLS: dict[tuple, str] = {}
_URLS_MAX = 50_000


def template_url_for(endpoint: str, **values) -> str:
    """Flask's url_for for templates, remembered. Only for full endpoint names and URLs without
    `_external`, `_anchor` and the like, inside a request (the URL then depends on nothing but
    the app's root)."""
    if endpoint[:1] == "." or not has_request_context() or any(k[:1] == "_" for k in values):
        return url_for(endpoint, **values)
    # The value's type is part of the key: True and 1 are equal, but make different URLs.
    key = (request.script_root, endpoint, *sorted((k, type(v), v) for k, v in values.items()))
    try:
        url = _URLS.get(key)
    except TypeError:  # an unhashable value (a list of query values)
        return url_for(endpoint, **values)
    if url is None:
        url = url_for(endpoint, **values)
        if len(_URLS) >= _URLS_MAX:
            _URLS.clear()
        _URLS[key] = url
    return url


def init_app(app: Flask) -> None:
    if app.config.get("WTF_CSRF_FIELD_NAME", _CSRF_FIELD) != _CSRF_FIELD:
        raise RuntimeError("templating.csrf_token expects Flask-WTF's default field name")
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.jinja_env.globals.update(csrf_token=csrf_token, csrf=csrf, url_for=template_url_for)


class Lazy:
    """An object (a form) a template may or may not draw, made on first use: a page whose part
    comes from a cache then does not build it."""

    def __init__(self, make: Callable[[], object]) -> None:
        self._make = make
        self._made = None

    def __getattr__(self, name: str):
        if self._made is None:
            self._made = self._make()
        return getattr(self._made, name)


class LazyList(Sequence):
    """A list a template may or may not draw, computed on first use. A page whose part comes
    from a cache then does not pay for its query."""

    def __init__(self, compute: Callable[[], Iterable]) -> None:
        self._compute = compute
        self._items: list | None = None

    def _list(self) -> list:
        if self._items is None:
            self._items = list(self._compute())
        return self._items

    def __getitem__(self, index):
        return self._list()[index]

    def __len__(self) -> int:
        return len(self._list())

    def __iter__(self) -> Iterator:
        return iter(self._list())
