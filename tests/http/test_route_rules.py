"""Every route × logged out / another workspace / wrong role / missing CSRF."""
import pytest
from sqlalchemy import select

from tests.http.routes import ROUTES
from workspace.db import db
from workspace.workspaces.models import Membership, Workspace

OUTSIDER = "tjansteman.ystad@demo.example"  # official of sosk only
OFFICIAL = "tjansteman.skane@demo.example"  # official of sydsverige
SECRETARIAT = "kansli@demo.example"


def fill(app, url: str) -> str:
    with app.app_context():
        ws = db.session.scalar(select(Workspace).where(Workspace.slug == "sydsverige"))
        org = ws.member_organizations[0].id
        membership = db.session.scalar(
            select(Membership).where(Membership.workspace_id == ws.id).order_by(Membership.id.desc())
        ).id
        ids = paper_ids(app, ws) if "{paper}" in url or "{area}" in url else {}
        if "{job}" in url:
            ids["job"] = export_job_id(app, ws)
    return url.format(ws="sydsverige", org=org, membership=membership, **ids)


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

    paper = db.session.scalar(select(Paper).where(Paper.workspace_id == ws.id).order_by(Paper.id))
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


def cases(access: set[str]):
    for endpoint, rule in ROUTES.items():
        if rule["access"] in access:
            for method in rule["methods"]:
                yield pytest.param(endpoint, method, id=f"{method} {endpoint}")


def test_every_route_has_a_rule(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint != "static"}
    assert endpoints - set(ROUTES) == set(), "routes without a rule in tests/http/routes.py"
    assert set(ROUTES) - endpoints == set(), "rules for routes that do not exist"
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ROUTES:
            declared = set(ROUTES[rule.endpoint]["methods"])
            assert (rule.methods - {"HEAD", "OPTIONS"}) == declared, rule.endpoint


@pytest.mark.parametrize("endpoint,method", list(cases({"login", "member", "writer", "secretariat"})))
def test_logged_out_goes_to_login(app, demo, client, endpoint, method):
    url = fill(app, ROUTES[endpoint]["url"])
    resp = client.get(url) if method == "GET" else client.post(url, {})
    assert resp.status_code in (302, 303)
    assert resp.headers["Location"].startswith("/login")


@pytest.mark.parametrize("endpoint,method", list(cases({"member", "writer", "secretariat"})))
def test_another_workspace_is_not_found(app, as_user, endpoint, method):
    c = as_user(OUTSIDER)
    url = fill(app, ROUTES[endpoint]["url"])
    resp = c.get(url) if method == "GET" else c.post(url, {})
    assert resp.status_code == 404
    body = resp.get_data(as_text=True)
    assert "Regionsamverkan Sydsverige" not in body and "Region Blekinge" not in body


@pytest.mark.parametrize("endpoint,method", list(cases({"secretariat"})))
@pytest.mark.parametrize("email", [OFFICIAL, "politiker.halland@demo.example", "lasare@demo.example"])
def test_wrong_role_is_forbidden(app, as_user, endpoint, method, email):
    c = as_user(email)
    url = fill(app, ROUTES[endpoint]["url"])
    resp = c.get(url) if method == "GET" else c.post(url, {})
    assert resp.status_code == 403
    assert "Du saknar behörighet" in resp.get_data(as_text=True)


@pytest.mark.parametrize("endpoint,method", list(cases({"writer"})))
@pytest.mark.parametrize("email", ["politiker.halland@demo.example", "lasare@demo.example"])
def test_readers_and_politicians_cannot_write_papers(app, as_user, endpoint, method, email):
    c = as_user(email)
    url = fill(app, ROUTES[endpoint]["url"])
    resp = c.get(url) if method == "GET" else c.post(url, {})
    assert resp.status_code == 403


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
