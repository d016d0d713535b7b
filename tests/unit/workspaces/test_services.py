import pytest
from sqlalchemy import select

from workspace.db import db
from workspace.events import Event
from workspace.mail.models import OutboxMessage
from workspace.workspaces import services
from workspace.workspaces.models import Membership


@pytest.fixture
def kansli(ctx, demo):
    return demo.user("kansli@demo.example")


@pytest.fixture
def ws(ctx, demo):
    return demo.workspace("sydsverige")


def verbs():
    return [e.verb for e in db.session.scalars(select(Event).order_by(Event.id))]


def test_update_workspace_records_changes(kansli, ws):
    services.update_workspace(kansli, ws, name="Regionsamverkan Sydsverige ", description="Ny text",
                              decision_rule="majority")
    assert ws.decision_rule == "majority" and ws.description == "Ny text"
    ev = db.session.scalars(select(Event).where(Event.verb == "workspace-updated")).one()
    assert ev.payload["changed"] == ["decision_rule", "description"]
    assert ev.actor_id == kansli.id and ev.workspace_id == ws.id


@pytest.mark.parametrize("name,rule", [("   ", "consensus"), ("X", "unanimity")])
def test_update_workspace_rejects_bad_input(kansli, ws, name, rule):
    with pytest.raises(services.WorkspaceError):
        services.update_workspace(kansli, ws, name=name, description="", decision_rule=rule)


def test_only_secretariat_may_manage(demo, ws):
    official = demo.user("tjansteman.skane@demo.example")
    with pytest.raises(PermissionError):
        services.update_workspace(official, ws, name="X", description="", decision_rule="consensus")
    with pytest.raises(PermissionError):
        services.add_member_organization(official, ws, "Region Gotland")


def test_add_and_remove_member_organization(kansli, ws):
    org = services.add_member_organization(kansli, ws, "  Region   Gotland ")
    assert org.name == "Region Gotland"
    assert "Region Gotland" in [o.name for o in ws.member_organizations]
    with pytest.raises(services.WorkspaceError):
        services.add_member_organization(kansli, ws, "region gotland")
    services.remove_member_organization(kansli, ws, org)
    assert "Region Gotland" not in [o.name for o in ws.member_organizations]
    assert verbs()[-2:] == ["organization-added", "organization-removed"]


def test_cannot_remove_organization_with_active_people(kansli, ws, demo):
    skane = demo.user("tjansteman.skane@demo.example").organization
    with pytest.raises(services.WorkspaceError, match="aktiva personer"):
        services.remove_member_organization(kansli, ws, skane)


def test_invite_new_person_creates_account_token_and_mail(kansli, ws):
    org = ws.member_organizations[0]
    m = services.invite_person(kansli, ws, email="Ny.Person@Example.se", name="Ny Person",
                               organization=org, role="official")
    assert m.user.email == "ny.person@example.se" and m.user.password_hash is None
    assert not m.user.is_active  # cannot log in before accepting
    msg = db.session.scalar(select(OutboxMessage))
    assert "/invite/" in msg.body and msg.to_addr == "ny.person@example.se"
    assert verbs()[-1] == "member-invited"


def test_invite_existing_person_adds_membership_without_token(kansli, demo):
    sosk = demo.workspace("sosk")
    # make kansli a secretariat member of sosk too
    db.session.add(Membership(workspace=sosk, user=kansli, role="secretariat"))
    db.session.flush()
    ystad = demo.user("tjansteman.ystad@demo.example").organization
    person = demo.user("lasare@demo.example")
    m = services.invite_person(kansli, sosk, email=person.email, name="ignored", organization=ystad, role="reader")
    assert m.user_id == person.id and person.name == "Leo Läsare"
    assert "/invite/" not in db.session.scalar(select(OutboxMessage)).body


def test_invite_rejects_duplicates_and_missing_side(kansli, ws):
    org = ws.member_organizations[0]
    with pytest.raises(services.WorkspaceError):
        services.invite_person(kansli, ws, email="lasare@demo.example", name="L", organization=org, role="reader")
    with pytest.raises(services.WorkspaceError):
        services.invite_person(kansli, ws, email="p@example.se", name="P", organization=org, role="politician")
    with pytest.raises(services.WorkspaceError):
        services.invite_person(kansli, ws, email="p@example.se", name="P", organization=org, role="boss")


def test_change_role_keeps_one_secretariat(kansli, ws):
    mine = next(m for m in ws.memberships if m.user_id == kansli.id)
    with pytest.raises(services.WorkspaceError):
        services.change_role(kansli, mine, "official", None)
    with pytest.raises(services.WorkspaceError):
        services.set_member_active(kansli, mine, False)
    reader = next(m for m in ws.memberships if m.user.email == "lasare@demo.example")
    services.change_role(kansli, reader, "politician", "opposition")
    assert (reader.role, reader.political_side) == ("politician", "opposition")
    services.change_role(kansli, reader, "official", "opposition")
    assert reader.political_side is None  # only politicians have a side


def test_deactivate_and_reactivate(kansli, ws):
    reader = next(m for m in ws.memberships if m.user.email == "lasare@demo.example")
    services.set_member_active(kansli, reader, False)
    assert ws not in services.workspaces_of(reader.user)
    services.set_member_active(kansli, reader, True)
    assert ws in services.workspaces_of(reader.user)
    assert verbs()[-2:] == ["member-deactivated", "member-activated"]
