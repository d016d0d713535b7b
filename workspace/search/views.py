"""Search pages: across all of a person's workspaces, or within one.

Facet selections live in the URL (?kind=section&area=Kultur …), so a search can be shared
and the plain GET form works without JavaScript.
"""
from __future__ import annotations

from flask import Blueprint, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from workspace.search import engine
from workspace.search import sources  # noqa: F401  (registers papers and sections)
from workspace.search.indexer import get_index, kind_labels, link_for, status_labels, sync_quietly
from workspace.web.rendering import render
from workspace.workspaces.permissions import load_workspace
from workspace.workspaces.services import workspaces_of

bp = Blueprint("search", __name__)
MAX_QUERY = 200
PER_PAGE = 20
MAX_PAGE = 50
# URL parameter → index field, in the order the facets are shown.
FACET_PARAMS = {"ws": "workspace_id", "kind": "kind", "area": "policy_area", "status": "status",
                "org": "organization", "year": "year"}
FACET_TITLES = {"ws": _l("Samverkansorgan"), "kind": _l("Typ"), "area": _l("Sakområde"), "status": _l("Status"),
                "org": _l("Organisation"), "year": _l("År")}


def _selected(workspaces) -> dict[str, set[str]]:
    """The facet values in the URL; unknown workspaces are ignored, values are capped."""
    slug_to_id = {w.slug: str(w.id) for w in workspaces}
    out: dict[str, set[str]] = {}
    for param, fieldname in FACET_PARAMS.items():
        values = {v.strip()[:120] for v in request.args.getlist(param)[:20] if v.strip()}
        if param == "ws":
            values = {slug_to_id[v] for v in values if v in slug_to_id}
        if values:
            out[fieldname] = values
    return out


def _page() -> int:
    try:
        return min(MAX_PAGE, max(1, int(request.args.get("page", 1))))
    except ValueError:
        return 1


def _run(workspaces, ws=None):
    q = (request.args.get("q") or "").strip()[:MAX_QUERY]
    sort = "date" if request.args.get("sort") == "date" else "relevance"
    selected = _selected(workspaces)
    page = _page()
    result = engine.Results([], 0, {})
    if q:
        sync_quietly()  # whatever was saved a moment ago is found
        result = engine.search(get_index(), q, [w.id for w in workspaces], selected=selected, sort=sort,
                               limit=PER_PAGE, page=page)
    by_id = {w.id: w for w in workspaces}
    hits = [(h, by_id[h.workspace_id], link_for(h, by_id[h.workspace_id])) for h in result.hits]
    kinds, statuses = kind_labels(), status_labels()
    facets = _facet_groups(result, selected, by_id, kinds, statuses,
                           show_workspaces=ws is None and len(workspaces) > 1)
    return render("search/results.html", block="results", q=q, sort=sort, result=result, hits=hits,
                  facets=facets, page=page, pages=min(MAX_PAGE, -(-result.total // PER_PAGE)),
                  kind_labels=kinds, status_labels=statuses, ws=ws,
                  args=_args_without("page"), suggestion_args=_args_without("q", "page"),
                  clear_args=_args_without("page", *FACET_PARAMS))


def _facet_groups(result, selected, by_id, kinds, statuses, *, show_workspaces: bool):
    """[(param, title, [(value, label, count, checked)])] for the template."""
    groups = []
    for param, fieldname in FACET_PARAMS.items():
        if param == "ws" and not show_workspaces:
            continue
        values = []
        for value, count in result.facets.get(fieldname, []):
            checked = value in selected.get(fieldname, ())
            if param == "ws":
                w = by_id.get(int(value))
                if w is None:
                    continue
                values.append((w.slug, w.name, count, checked))
                continue
            label = {"kind": kinds, "status": statuses}.get(param, {}).get(value, value)
            values.append((value, label, count, checked))
        if values:
            groups.append((param, FACET_TITLES[param], values))
    return groups


def _args_without(*names) -> list[tuple[str, str]]:
    return [(k, v) for k, v in request.args.items(multi=True) if k not in names]


@bp.get("/search")
@login_required
def everywhere():
    return _run(workspaces_of(current_user))


@bp.get("/w/<slug>/search")
@login_required
def in_workspace(slug: str):
    ws, _me = load_workspace(slug, current_user)
    return _run([ws], ws=ws)
