"""Search pages: across all of a person's workspaces, or within one."""
from __future__ import annotations

from flask import Blueprint, request
from flask_login import current_user, login_required

from workspace.search import engine
from workspace.search.indexer import get_index, sync_quietly
from workspace.web.rendering import render
from workspace.workspaces.permissions import load_workspace
from workspace.workspaces.services import workspaces_of

bp = Blueprint("search", __name__)
MAX_QUERY = 200


def _run(workspaces, ws=None):
    q = (request.args.get("q") or "").strip()[:MAX_QUERY]
    sort = "date" if request.args.get("sort") == "date" else "relevance"
    hits, suggestion, total = [], None, 0
    if q:
        sync_quietly()  # whatever was saved a moment ago is found
        hits, suggestion, total = engine.search(get_index(), q, [w.id for w in workspaces], sort=sort)
    by_id = {w.id: w for w in workspaces}
    return render("search/results.html", block="results", q=q, sort=sort, hits=hits, total=total,
                  suggestion=suggestion, workspaces=by_id, ws=ws, me=None)


@bp.get("/search")
@login_required
def everywhere():
    return _run(workspaces_of(current_user))


@bp.get("/w/<slug>/search")
@login_required
def in_workspace(slug: str):
    ws, _me = load_workspace(slug, current_user)
    return _run([ws], ws=ws)
