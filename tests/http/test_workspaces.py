import pytest
from sqlalchemy import func, select

from workspace.db import db
from workspace.workspaces.models import Membership, Organization, Workspace, WorkspaceOrganization

KANSLI = "kansli@demo.example"


def ws_state(app):
    with app.app_context():
        ws = db.session.scalar(select(Workspace).where(Workspace.slug == "sydsverige"))
        return (ws.name, ws.description, ws.decision_rule, len(ws.member_links),
                sorted((m.user_id, m.role, m.political_side, m.active) for m in ws.memberships))


def ids(app, email):
    with app.app_context():
        m = db.session.scalar(select(Membership).join(Membership.user).where(
            Membership.user.property.mapper.class_.email == email))
        return m.id


def test_workspace_page_shows_members_people_and_papers(as_user):
    r = as_user("lasare@demo.example").get("/w/sydsverige")
    text = r.get_data(as_text=True)
    for expected in ("Region Blekinge", "Region Skåne", "Karin Kansli", "Förtroendevald", "Positionspapper",
                     "Prioriteringslistor", "Om Regionsamverkan Sydsverige"):
        assert expected in text
    assert "lasare@demo.example" not in text.split('id="people"')[1]  # e-mail only for the secretariat
    assert "Mina samverkansorgan" in as_user("tjansteman.ystad@demo.example").get("/w/").text


@pytest.mark.parametrize("data,message", [
    ({"name": "", "description": "", "decision_rule": "consensus"}, "Ange ett namn"),
    ({"name": "X", "description": "", "decision_rule": "unanimity"}, "Inte ett giltigt val"),
    ({"name": "X" * 161, "description": "", "decision_rule": "consensus"}, "Högst 160 tecken"),
])
def test_settings_bad_input(app, as_user, data, message):
    before = ws_state(app)
    r = as_user(KANSLI).post("/w/sydsverige/settings", data)
    assert r.status_code == 422 and message in r.text
    assert ws_state(app) == before


def test_settings_saved(app, as_user):
    r = as_user(KANSLI).post("/w/sydsverige/settings", {"name": "Regionsamverkan Sydsverige", "description": "Ny",
                                                        "decision_rule": "majority"})
    assert r.status_code == 303
    assert ws_state(app)[2] == "majority"


@pytest.mark.parametrize("name,message", [("", "Ange organisationens namn"), ("x" * 161, "Högst 160 tecken"),
                                          ("region blekinge", "redan medlem")])
def test_add_organization_bad_input(app, as_user, name, message):
    before = ws_state(app)
    r = as_user(KANSLI).post("/w/sydsverige/organizations", {"name": name}, htmx=True)
    assert r.status_code == 422 and message in r.text and "<html" not in r.text
    assert ws_state(app) == before


def test_add_and_remove_organization_fragment(app, as_user):
    c = as_user(KANSLI)
    r = c.post("/w/sydsverige/organizations", {"name": "Region Gotland"}, htmx=True)
    assert r.status_code == 200 and "Region Gotland" in r.text and 'hx-swap-oob="true"' in r.text
    with app.app_context():
        gotland = db.session.scalar(select(Organization).where(Organization.name == "Region Gotland")).id
        skane = db.session.scalar(select(Organization).where(Organization.name == "Region Skåne")).id
    assert c.post(f"/w/sydsverige/organizations/{gotland}/remove", {}, htmx=True).status_code == 200
    r = c.post(f"/w/sydsverige/organizations/{skane}/remove", {}, htmx=True)
    assert r.status_code == 422 and "aktiva personer" in r.text
    assert c.post("/w/sydsverige/organizations/999999/remove", {}, htmx=True).status_code == 404


@pytest.mark.parametrize("data,message", [
    ({"email": "inte-en-adress", "name": "N", "role": "official"}, "ser inte ut som en e-postadress"),
    ({"email": "ny@region.example", "name": "", "role": "official"}, "Ange personens namn"),
    ({"email": "ny@region.example", "name": "N", "role": "politician", "political_side": ""}, "majoritet eller opposition"),
    ({"email": "lasare@demo.example", "name": "N", "role": "reader"}, "redan med"),
    ({"email": "ny@region.example", "name": "N", "role": "boss"}, "giltigt val"),
    ({"email": "ny@region.example", "name": "N", "role": "official", "organization_id": "999999"}, "giltigt val"),
])
def test_invite_bad_input(app, as_user, data, message):
    with app.app_context():
        org = db.session.scalar(select(Organization).where(Organization.name == "Region Halland")).id
    form = {"organization_id": org, "political_side": ""}
    form.update(data)
    before = ws_state(app)
    r = as_user(KANSLI).post("/w/sydsverige/people/invite", form)
    assert r.status_code == 422 and message in r.text
    assert ws_state(app) == before


def test_role_change_bad_input_and_last_secretariat(app, as_user):
    c = as_user(KANSLI)
    reader, kansli = ids(app, "lasare@demo.example"), ids(app, KANSLI)
    before = ws_state(app)
    assert c.post(f"/w/sydsverige/people/{reader}/role", {"role": "boss"}, htmx=True).status_code == 422
    r = c.post(f"/w/sydsverige/people/{kansli}/role", {"role": "official", "political_side": ""}, htmx=True)
    assert r.status_code == 422 and "minst en person i kansliet" in r.text
    r = c.post(f"/w/sydsverige/people/{kansli}/active", {"active": "0"}, htmx=True)
    assert r.status_code == 422 and "minst en person i kansliet" in r.text
    assert c.post(f"/w/sydsverige/people/{reader}/active", {"active": "maybe"}, htmx=True).status_code == 422
    assert ws_state(app) == before
    assert c.post("/w/sydsverige/people/999999/role", {"role": "reader"}, htmx=True).status_code == 404


def test_deactivated_person_loses_access(app, as_user):
    reader_client = as_user("lasare@demo.example")
    c = as_user(KANSLI)
    reader = ids(app, "lasare@demo.example")
    assert c.post(f"/w/sydsverige/people/{reader}/active", {"active": "0"}, htmx=True).status_code == 200
    assert reader_client.get("/w/sydsverige").status_code == 404
    assert c.post(f"/w/sydsverige/people/{reader}/active", {"active": "1"}, htmx=True).status_code == 200
    assert reader_client.get("/w/sydsverige").status_code == 200


def test_audit_page_lists_events_with_paging(app, as_user):
    c = as_user(KANSLI)
    for i in range(3):
        c.post("/w/sydsverige/settings", {"name": "Regionsamverkan Sydsverige", "description": f"v{i}",
                                          "decision_rule": "consensus"})
    page = c.get("/w/sydsverige/events")
    assert page.status_code == 200 and "ändrade inställningarna" in page.text and "Karin Kansli" in page.text
    app.config["EVENTS_PER_PAGE"] = 2
    try:
        frag = c.hx_get("/w/sydsverige/events?page=2")
        assert frag.status_code == 200 and "<html" not in frag.text and "Sida 2 av" in frag.text
    finally:
        app.config["EVENTS_PER_PAGE"] = 50


def test_error_pages_in_the_sites_look(client, demo):
    r = client.get("/finns-inte")
    assert r.status_code == 404 and "Sidan finns inte" in r.text and "site-header" in r.text
