"""Every route has a rule; every POST needs its CSRF token; every page answers its rightful user.

The fixtures here (fill) make the objects the URLs name; the role matrix uses them too."""
import pytest
from sqlalchemy import select

from tests.http.routes import ROUTES
from workspace.db import db
from workspace.workspaces.models import Membership, Workspace

SECRETARIAT = "kansli@demo.example"


def fill(app, url: str) -> str:
    with app.app_context():
        ws = db.session.scalar(select(Workspace).where(Workspace.slug == "sydsverige"))
        org = ws.member_organizations[0].id
        membership = db.session.scalar(
            select(Membership).where(Membership.workspace_id == ws.id).order_by(Membership.id.desc())
        ).id
        ids = paper_ids(app, ws) if "{paper}" in url or "{area}" in url or "{round}" in url else {}
        if "{round}" in url:
            ids["round"] = round_id(app, ws, ids["paper"])
        if any(k in url for k in ("{thread}", "{comment}", "{suggestion}")):
            ids.update(comment_ids(app, ws, ids["paper"]))
        if "{year" in url:
            ids.update(priority_ids(ws))
        if "{job}" in url:
            ids["job"] = export_job_id(app, ws)
    return url.format(ws="sydsverige", org=org, membership=membership, **ids)


def round_id(app, ws, paper_id: int) -> int:
    """An open approval round on the paper's named version, all members taking part."""
    from datetime import timedelta

    from workspace.accounts.models import User
    from workspace.db import utcnow
    from workspace.decisions import services as decisions
    from workspace.papers.models import Paper
    from workspace.papers.services import snapshots_of

    paper = db.session.get(Paper, paper_id)
    existing = decisions.latest_round("paper", paper.id)
    if existing is not None:
        return existing.id
    with app.test_request_context(method="POST"):
        kansli = db.session.scalar(select(User).where(User.email == SECRETARIAT))
        r = decisions.open_paper_round(kansli, paper, snapshots_of(paper)[0], deadline=utcnow() + timedelta(days=7),
                                       registration_number="RSS 2026/1")
        db.session.commit()
        return r.id


def priority_ids(ws) -> dict:
    """The demo's lists: 2024 being ranked (year, item) and 2023 adopted (year_a, item_a)."""
    from workspace.priorities.services import list_for_year

    ranking, adopted = list_for_year(ws, 2024), list_for_year(ws, 2023)
    return {"year": ranking.year, "item": ranking.ordered_items[0].id,
            "year_a": adopted.year, "item_a": adopted.ordered_items[0].id}


def export_job_id(app, ws) -> int:
    """A finished export job of the secretariat, with its file (made once per test)."""
    from workspace.accounts.models import User
    from workspace.export import services
    from workspace.export.models import ExportJob

    job = db.session.scalar(select(ExportJob).where(ExportJob.workspace_id == ws.id))
    if job is None:
        with app.test_request_context(method="POST"):
            user = db.session.scalar(select(User).where(User.email == SECRETARIAT))
            paper_id = paper_ids(app, ws)["paper"]
            job = services.start_job(user, ws, "zip", {"paper_ids": [paper_id]})
            db.session.commit()
            services.run_job(job.id)
            db.session.commit()
    return job.id


def paper_ids(app, ws) -> dict:
    """A paper with a section, two revisions and a named version (made once per test)."""
    from workspace.accounts.models import User
    from workspace.papers import services
    from workspace.papers.models import Paper

    # Its own paper: the demo's papers are adopted or under decision, and writes would be refused.
    paper = db.session.scalar(select(Paper).where(Paper.workspace_id == ws.id, Paper.title == "Testpapper"))
    if paper is None:
        with app.test_request_context(method="POST"):
            author = db.session.scalar(select(User).where(User.email == "tjansteman.skane@demo.example"))
            paper = services.create_paper(author, ws, title="Testpapper", sections=[("Bakgrund", "<p>Ett</p>")])
            section = paper.live_sections[0]
            services.save_section(author, section, "<p>Två</p>", section.current_revision_id)
            services.create_snapshot(author, paper, "Remissversion 1")
            db.session.commit()
    section = paper.live_sections[0]
    from workspace.papers.services import section_history, snapshots_of

    from workspace.papers.models import PolicyArea

    area = db.session.scalar(select(PolicyArea).where(PolicyArea.workspace_id == ws.id).order_by(PolicyArea.id))
    return {"area": area.id, "paper": paper.id, "section": section.id, "revision": section_history(section)[-1].id,
            "snapshot": snapshots_of(paper)[0].id}


def comment_ids(app, ws, paper_id: int) -> dict:
    """A thread whose first comment the secretariat wrote, and a suggestion (once per test)."""
    from workspace.accounts.models import User
    from workspace.comments import services as comments
    from workspace.comments.models import CommentThread, Suggestion
    from workspace.papers.models import Paper

    kansli_id = db.session.scalar(select(User.id).where(User.email == SECRETARIAT))
    mine = select(CommentThread).where(CommentThread.paper_id == paper_id, CommentThread.created_by_id == kansli_id)
    thread = db.session.scalar(mine)
    if thread is None:
        with app.test_request_context(method="POST"):
            kansli = db.session.scalar(select(User).where(User.email == SECRETARIAT))
            section = db.session.get(Paper, paper_id).live_sections[0]
            comments.start_thread(kansli, section, "Bra skrivet.")
            comments.make_suggestion(kansli, section, "<p>Tre.</p>", "Tydligare.", section.current_revision_id)
            db.session.commit()
        thread = db.session.scalar(mine)
    sug = db.session.scalar(select(Suggestion).where(Suggestion.paper_id == paper_id, Suggestion.author_id == kansli_id))
    return {"thread": thread.id, "comment": thread.comments[0].id, "suggestion": sug.id}


def test_every_route_has_a_rule(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint != "static"}
    assert endpoints - set(ROUTES) == set(), "routes without a rule in tests/http/routes.py"
    assert set(ROUTES) - endpoints == set(), "rules for routes that do not exist"
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ROUTES:
            declared = set(ROUTES[rule.endpoint]["methods"])
            assert (rule.methods - {"HEAD", "OPTIONS"}) == declared, rule.endpoint


# Roles × routes, logged out and another workspace: tests/http/test_authorisation_matrix.py.


@pytest.mark.parametrize("endpoint", [e for e, r in ROUTES.items() if "POST" in r["methods"]])
def test_post_without_csrf_token_is_refused(app, as_user, endpoint):
    c = as_user(SECRETARIAT)
    url = fill(app, ROUTES[endpoint]["url"])
    resp = c.post(url, {}, csrf=False)
    assert resp.status_code == 400
    assert "säkerhetstoken" in resp.get_data(as_text=True)


@pytest.mark.parametrize("endpoint", [e for e, r in ROUTES.items() if "GET" in r["methods"]])
def test_every_page_answers_its_rightful_user(app, as_user, endpoint):
    c = as_user(SECRETARIAT)
    url = fill(app, ROUTES[endpoint]["url"])
    resp = c.get(url, buffered=False) if ROUTES[endpoint].get("stream") else c.get(url)
    resp.close()
    expected = {"web.home": 303, "accounts.login": 303, "papers.section": 200,
                "accounts.reset_password": 404, "accounts.accept_invitation": 404}.get(endpoint, 200)
    assert resp.status_code == expected


def test_unknown_workspace_is_not_found(as_user):
    assert as_user(SECRETARIAT).get("/w/finns-inte").status_code == 404
