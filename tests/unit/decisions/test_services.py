"""Rounds, decisions, closing, adoption and ratification at the service level."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from workspace.db import db, utcnow
from workspace.decisions import services
from workspace.decisions.models import Decision
from workspace.events import Event
from workspace.papers import services as papers
from workspace.workspaces.models import Organization

SKANE = "tjansteman.skane@demo.example"
KANSLI = "kansli@demo.example"
POL = {r: f"politiker.{r}@demo.example" for r in ("blekinge", "halland", "jonkoping", "kalmar", "kronoberg", "skane")}


@pytest.fixture
def ws(ctx, demo):
    return demo.workspace("sydsverige")


@pytest.fixture
def paper(ws, demo):
    p = papers.create_paper(demo.user(SKANE), ws, title="Nya stambanor",
                            sections=[("Bakgrund", "<p>Ett.</p>"), ("Krav", "<p>Två.</p>")])
    db.session.flush()
    return p


@pytest.fixture
def snap(paper, demo):
    return papers.create_snapshot(demo.user(SKANE), paper, "Beslutsversion")


def org(name):
    return db.session.scalar(select(Organization).where(Organization.name == name))


def open_round(demo, paper, snap, orgs=None, **kw):
    kw.setdefault("deadline", utcnow() + timedelta(days=7))
    kw.setdefault("registration_number", "RSS 2026/7")
    ids = None if orgs is None else [demo.user(POL[o]).organization_id for o in orgs]
    return services.open_paper_round(demo.user(KANSLI), paper, snap, organization_ids=ids, **kw)


def verbs():
    return [e.verb for e in db.session.scalars(select(Event).order_by(Event.id))]


def test_open_round_puts_the_paper_up_for_decision_with_all_members_by_default(demo, paper, snap):
    r = open_round(demo, paper, snap, message="Beslut senast fredag.")
    assert paper.status == "decision" and r.status == "open" and r.rule == "consensus"
    assert len(r.organization_ids) == 6 and r.content_hash == snap.content_hash
    ev = db.session.scalars(select(Event).where(Event.verb == "round-opened", Event.object_id == r.id)).one()
    assert ev.payload["paper_id"] == paper.id and ev.payload["round_id"] == r.id
    assert sorted(ev.payload["organization_ids"]) == r.organization_ids


@pytest.mark.parametrize("kw,message", [
    ({"registration_number": ""}, "diarienummer"),
    ({"registration_number": "x" * 61}, "för långt"),
    ({"deadline": utcnow() - timedelta(minutes=1)}, "framtiden"),
    ({"message": "x" * 5001}, "för lång"),
])
def test_open_round_validates(demo, paper, snap, kw, message):
    with pytest.raises(services.DecisionError, match=message):
        open_round(demo, paper, snap, **kw)
    assert paper.status == "draft"


def test_open_round_refuses_non_members_foreign_versions_and_non_secretariat(demo, paper, snap, ws):
    with pytest.raises(services.DecisionError):
        open_round(demo, paper, snap, orgs=[])
    with pytest.raises(services.DecisionError):
        services.open_paper_round(demo.user(KANSLI), paper, snap, deadline=utcnow() + timedelta(days=1),
                                  registration_number="X", organization_ids=[org("Ystads kommun").id])
    other = papers.create_paper(demo.user(SKANE), ws, title="Annat")
    with pytest.raises(services.DecisionError):
        services.open_paper_round(demo.user(KANSLI), other, snap, deadline=utcnow() + timedelta(days=1),
                                  registration_number="X")
    for who in (SKANE, POL["skane"], "lasare@demo.example", "tjansteman.ystad@demo.example"):
        with pytest.raises(PermissionError):
            services.open_paper_round(demo.user(who), paper, snap, deadline=utcnow() + timedelta(days=1),
                                      registration_number="X")


def test_consensus_adopts_freezes_and_records_the_hash(demo, paper, snap):
    r = open_round(demo, paper, snap, orgs=["skane", "halland"])
    services.record_decision(demo.user(POL["skane"]), r, "approve_reservation", "Vi vill ha fler stationer.")
    assert r.status == "open"
    services.record_decision(demo.user(POL["halland"]), r, "approve_statement", "Ett särskilt yttrande.",
                             note="Protokollsanteckning: bra samarbete.")
    assert r.status == "closed" and r.close_reason == "all_decided" and r.outcome == "met"
    assert paper.status == "adopted" and paper.registration_number == "RSS 2026/7"
    assert r.adopted_content_hash == snap.content_hash == papers.paper_content_hash(paper)
    assert services.adopting_round("paper", paper.id).id == r.id
    with pytest.raises(papers.PaperError):
        papers.save_section(demo.user(SKANE), paper.live_sections[0], "<p>Sent</p>", None)
    assert verbs()[-3:] == ["decision-recorded", "round-closed", "paper-adopted"]
    adopted = db.session.scalars(select(Event).where(Event.verb == "paper-adopted", Event.object_id == paper.id)).one()
    assert adopted.payload["content_hash"] == snap.content_hash and adopted.payload["round_id"] == r.id


def test_a_decline_sends_the_paper_back_to_draft_and_keeps_the_outcome(demo, paper, snap):
    r = open_round(demo, paper, snap, orgs=["skane", "halland"])
    with pytest.raises(services.DecisionError, match="skälet"):
        services.record_decision(demo.user(POL["skane"]), r, "decline", "  ")
    services.record_decision(demo.user(POL["skane"]), r, "decline", "För dyrt.")
    services.record_decision(demo.user(POL["halland"]), r, "approve")
    assert r.outcome == "not_met" and paper.status == "draft"
    assert services.outcome_of(r).declines == 1 and services.adopting_round("paper", paper.id) is None
    with pytest.raises(services.DecisionError, match="avslutad"):
        services.record_decision(demo.user(POL["halland"]), r, "decline", "Ångrar mig.")


def test_a_later_decision_of_the_same_organisation_supersedes_and_both_are_kept(demo, paper, snap, ws):
    r = open_round(demo, paper, snap)
    skane = demo.user(POL["skane"])
    first = services.record_decision(skane, r, "decline", "Inte än.")
    # A second politician of Region Skåne (an official made politician) disagrees.
    from workspace.workspaces.models import Membership

    official = demo.user(SKANE)
    m = db.session.scalar(select(Membership).where(Membership.user_id == official.id, Membership.workspace_id == ws.id))
    m.role = "politician"
    second = services.record_decision(official, r, "approve")
    assert first.superseded_by_id == second.id and second.standing
    assert services.standing_decisions(r)[skane.organization_id].id == second.id
    assert [d.id for d in services.decision_history(r)[skane.organization_id]] == [second.id, first.id]
    assert db.session.scalar(select(db.func.count()).select_from(Decision).where(Decision.round_id == r.id)) == 2


@pytest.mark.parametrize("who", [SKANE, KANSLI, "lasare@demo.example"])
def test_only_politicians_decide(demo, paper, snap, who):
    r = open_round(demo, paper, snap)
    with pytest.raises(PermissionError):
        services.record_decision(demo.user(who), r, "approve")


def test_politician_of_an_organisation_not_taking_part_cannot_decide(demo, paper, snap):
    r = open_round(demo, paper, snap, orgs=["skane", "halland"])
    with pytest.raises(PermissionError):
        services.record_decision(demo.user(POL["blekinge"]), r, "approve")


@pytest.mark.parametrize("kind,statement,message", [
    ("maybe", "", "Välj"),
    ("approve_reservation", "", "reservationen"),
    ("approve_statement", "", "särskilda yttrandet"),
    ("approve", "x" * 5001, "för lång"),
])
def test_decision_validates(demo, paper, snap, kind, statement, message):
    r = open_round(demo, paper, snap)
    with pytest.raises(services.DecisionError, match=message):
        services.record_decision(demo.user(POL["skane"]), r, kind, statement)


def test_plain_approval_drops_a_stray_statement(demo, paper, snap):
    r = open_round(demo, paper, snap)
    d = services.record_decision(demo.user(POL["skane"]), r, "approve", "kvarglömd text", note="Notering")
    assert d.statement == "" and d.note == "Notering"


def test_decisions_are_bound_to_the_hash_of_the_version(demo, paper, snap):
    r = open_round(demo, paper, snap)
    d1 = services.record_decision(demo.user(POL["skane"]), r, "approve")
    assert d1.content_hash == snap.content_hash and not services.is_stale(r)
    s = paper.live_sections[0]
    papers.save_section(demo.user(SKANE), s, "<p>Ändrat under omgången.</p>", s.current_revision_id)
    assert services.is_stale(r)
    d2 = services.record_decision(demo.user(POL["halland"]), r, "approve")
    assert d2.content_hash == snap.content_hash != papers.paper_content_hash(paper)


def test_stale_text_is_not_adopted_even_when_the_rule_is_met(demo, paper, snap):
    r = open_round(demo, paper, snap, orgs=["skane"])
    s = paper.live_sections[0]
    papers.save_section(demo.user(SKANE), s, "<p>Ändrat.</p>", s.current_revision_id)
    services.record_decision(demo.user(POL["skane"]), r, "approve")
    assert r.outcome == "changed" and paper.status == "draft" and r.adopted_content_hash is None


def test_restart_on_a_new_version_keeps_the_old_decisions_with_their_hash(demo, paper, snap):
    r1 = open_round(demo, paper, snap)
    old = services.record_decision(demo.user(POL["skane"]), r1, "approve")
    s = paper.live_sections[0]
    papers.save_section(demo.user(SKANE), s, "<p>Ny text.</p>", s.current_revision_id)
    snap2 = papers.create_snapshot(demo.user(SKANE), paper, "Beslutsversion 2")
    r2 = open_round(demo, paper, snap2)
    assert r1.status == "cancelled" and r1.close_reason == "restarted" and r2.previous_round_id == r1.id
    assert services.previous_round(r2).id == r1.id
    assert old.content_hash == snap.content_hash and r2.content_hash == snap2.content_hash
    assert services.standing_decisions(r2) == {} and paper.status == "decision"
    assert not services.is_stale(r2) and services.is_stale(r1)
    assert services.open_round_of("paper", paper.id).id == r2.id


def test_close_and_cancel_by_the_secretariat(demo, paper, snap):
    r = open_round(demo, paper, snap)
    services.record_decision(demo.user(POL["skane"]), r, "approve")
    with pytest.raises(PermissionError):
        services.close_round(demo.user(POL["skane"]), r)
    outcome = services.close_round(demo.user(KANSLI), r)
    assert not outcome.met and outcome.missing == 5 and r.close_reason == "manual" and paper.status == "draft"
    with pytest.raises(services.DecisionError):
        services.cancel_round(demo.user(KANSLI), r)
    r2 = open_round(demo, paper, snap)
    services.cancel_round(demo.user(KANSLI), r2)
    assert r2.status == "cancelled" and r2.outcome is None and paper.status == "draft"


def test_closing_at_the_deadline(demo, paper, snap, ws):
    now = utcnow()
    r = open_round(demo, paper, snap, orgs=["skane", "halland", "kalmar"], deadline=now + timedelta(hours=1))
    services.record_decision(demo.user(POL["skane"]), r, "approve")
    assert services.close_due_rounds(now + timedelta(minutes=59)) == []
    with pytest.raises(services.DecisionError, match="gått ut"):
        services.record_decision(demo.user(POL["halland"]), r, "approve", now=now + timedelta(hours=2))
    closed = services.close_due_rounds(now + timedelta(hours=1))
    assert [c.id for c in closed] == [r.id] and r.close_reason == "deadline" and r.outcome == "not_met"
    assert r.closed_by_id is None and paper.status == "draft"
    assert services.close_due_rounds(now + timedelta(hours=3)) == []  # closing twice does nothing


def test_closing_at_the_deadline_under_majority_adopts(demo, paper, snap, ws):
    ws.decision_rule = "majority"
    now = utcnow()
    r = open_round(demo, paper, snap, orgs=["skane", "halland", "kalmar"], deadline=now + timedelta(hours=1))
    services.record_decision(demo.user(POL["skane"]), r, "approve")
    services.record_decision(demo.user(POL["halland"]), r, "approve_reservation", "Reservation.")
    services.close_due_rounds(now + timedelta(hours=1, seconds=1))
    assert r.outcome == "met" and paper.status == "adopted"


def test_ratification(demo, paper, snap):
    r = open_round(demo, paper, snap, orgs=["skane"])
    skane_org = demo.user(SKANE).organization_id
    with pytest.raises(services.DecisionError, match="fastställda"):
        services.record_ratification(demo.user(KANSLI), r, skane_org, status="pending")
    services.record_decision(demo.user(POL["skane"]), r, "approve")
    row = services.record_ratification(demo.user(SKANE), r, skane_org, status="ratified",
                                       registration_number="RS 2026/1234", body="Regionstyrelsen",
                                       decided_on=date(2026, 11, 1), paragraph="§ 42")
    assert row.status == "ratified" and services.ratifications_of(r)[skane_org].paragraph == "§ 42"
    again = services.record_ratification(demo.user(KANSLI), r, skane_org, status="not_needed")
    assert again.id == row.id and again.status == "not_needed"
    kronoberg = org("Region Kronoberg").id
    with pytest.raises(PermissionError):  # an official of another member
        services.record_ratification(demo.user(SKANE), r, kronoberg, status="pending")
    for who in (POL["kronoberg"], "lasare@demo.example"):
        with pytest.raises(PermissionError):
            services.record_ratification(demo.user(who), r, kronoberg, status="pending")
    with pytest.raises(services.DecisionError, match="organ och datum"):
        services.record_ratification(demo.user(KANSLI), r, kronoberg, status="rejected")
    with pytest.raises(services.DecisionError, match="framtiden"):
        services.record_ratification(demo.user(KANSLI), r, kronoberg, status="ratified", body="RS",
                                     decided_on=date.today() + timedelta(days=3))
    with pytest.raises(services.DecisionError):
        services.record_ratification(demo.user(KANSLI), r, kronoberg, status="odd")
    with pytest.raises(services.DecisionError):
        services.record_ratification(demo.user(KANSLI), r, org("Ystads kommun").id, status="pending")
    ev = [e for e in db.session.scalars(select(Event).where(Event.verb == "ratification-recorded").order_by(Event.id))
          if e.payload["round_id"] == r.id]
    assert len(ev) == 2 and ev[0].payload["organization_id"] == skane_org and ev[0].payload["paper_id"] == paper.id


def test_adopted_paper_cannot_get_a_new_round(demo, paper, snap):
    r = open_round(demo, paper, snap, orgs=["skane"])
    services.record_decision(demo.user(POL["skane"]), r, "approve")
    with pytest.raises(services.DecisionError, match="fastställt"):
        open_round(demo, paper, snap)
    assert services.adopted_rounds(paper.workspace)[0].id == r.id


def test_manual_adoption_is_gone(demo, paper):
    with pytest.raises(papers.PaperError):
        papers.change_status(demo.user(KANSLI), paper, "adopted")
    with pytest.raises(papers.PaperError):
        papers.change_status(demo.user(SKANE), paper, "decision")


def test_another_subject_type_uses_the_same_round(demo, ws):
    """What a priority list will do: register a subject type, open, decide, adopt via its hook."""
    from workspace.decisions.subjects import SUBJECT_TYPES, SubjectType, register_subject_type
    from workspace.papers.models import PolicyArea

    calls = []
    area = papers.ensure_policy_areas(ws)[0]  # stands in for a priority list
    register_subject_type(SubjectType(
        name="test_list", load=lambda i: db.session.get(PolicyArea, i), workspace_id=lambda a: a.workspace_id,
        title=lambda a: a.name, current_hash=lambda a: "h-" + a.name, url=lambda a, w: "/",
        on_open=lambda actor, a, r: calls.append(("open", r.id)),
        on_adopt=lambda actor, a, r: calls.append(("adopt", r.id)),
        on_back_to_draft=lambda actor, a, r: calls.append(("draft", r.id))))
    try:
        r = services.open_round(demo.user(KANSLI), ws, "test_list", area, content_hash="h-" + area.name,
                                deadline=utcnow() + timedelta(days=3),
                                organization_ids=[demo.user(POL["skane"]).organization_id])
        assert r.paper_id is None and r.registration_number is None
        services.record_decision(demo.user(POL["skane"]), r, "approve")
        assert calls == [("open", r.id), ("adopt", r.id)] and r.adopted_content_hash == "h-" + area.name
        opened = db.session.scalars(select(Event).where(Event.verb == "round-opened", Event.object_id == r.id)).one()
        assert "paper_id" not in opened.payload and opened.payload["subject_type"] == "test_list"
        area.name = "Omdöpt"  # the subject changed: a new round on it is stale at once
        r2 = services.open_round(demo.user(KANSLI), ws, "test_list", area, content_hash="h-old",
                                 deadline=utcnow() + timedelta(days=3))
        assert services.is_stale(r2) and services.subject_label(r2) == "Omdöpt"
    finally:
        SUBJECT_TYPES.pop("test_list", None)
