"""Our one door to htmx-flask.

Views never import htmx_flask directly. Its `reswap` validation is broken (the values
"beforebegin" and "afterbegin" are glued into one string), so we set HX-Reswap ourselves.
"""
from __future__ import annotations

import json

from flask import Response, redirect
from htmx_flask import Htmx
from htmx_flask import make_response as _hx_make_response
from htmx_flask import request as _request

htmx_ext = Htmx()

RESWAPS = frozenset(
    {"innerHTML", "outerHTML", "beforebegin", "afterbegin", "beforeend", "afterend", "delete", "none"}
)


def is_htmx() -> bool:
    return bool(_request.htmx)


def is_fragment_request() -> bool:
    """An htmx request that wants a part of the page (not a boost or history restore)."""
    hx = _request.htmx
    return bool(hx) and not hx.boosted and not hx.history_restore_request


def hx_response(*args, reswap: str | None = None, trigger=None, **kwargs) -> Response:
    if reswap is not None and reswap.split()[0] not in RESWAPS:
        raise ValueError(f"invalid reswap {reswap!r}")
    resp = _hx_make_response(*args, **kwargs)
    if reswap:
        resp.headers["HX-Reswap"] = reswap
    if trigger:
        resp.headers["HX-Trigger"] = trigger if isinstance(trigger, str) else json.dumps(trigger)
    return resp


def redirect_to(url: str) -> Response:
    """A redirect that htmx follows as a client-side navigation (HX-Location), else 303."""
    if is_htmx():
        resp = Response(status=204)
        resp.headers["HX-Location"] = json.dumps({"path": url, "target": "body"})
        return resp
    return redirect(url, code=303)
