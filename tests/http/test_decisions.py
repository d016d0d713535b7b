"""Approval rounds over HTTP: opening, deciding, the live table's fragments, closing, ratifying."""
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import Client
from workspace.db import db, utcnow
from workspace.decisions import services
from workspace.decisions.models import ApprovalRound, Decision, Ratification
from workspace.events import Event
from workspace.papers import services as papers
from workspace.papers.models import Paper
from workspace.workspaces.models import Membership

SKANE = "tjansteman.skane@demo.example"
KANSLI = "kansli@demo.example"
POL_SKANE = "politiker.skane@demo.example"
POL_HALLAND = "politiker.halland@demo.example"
POL_BLEKINGE = "politiker.blekinge@demo.example"
W = "/w/sydsverige"


@pytest.fixture
def paper(app, demo):
    with app.test_request_context(method="POST"):
        ws = demo.workspace("sydsverige")
        p = papers.create_paper(demo.user(SKANE), ws, title="Nya stambanor genom Sydsverige",
                                sections=[("Bakgrund", "<p>Regionerna vill ha nya stambanor.</p>")])
        snap = papers.create_snapshot(demo.user(SKANE), p, "Remissversion 1")
        db.session.commit()
        return {"id": p.id, "snapshot": snap.id, "section": p.live_sections[0].id}


def open_form(paper, **changes):
    deadline = (utcnow() + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    form = {"snapshot": str(paper["snapshot"]), "new_version_name": "", "deadline": deadline,
            "registration_number": "RSS 2026/15", "message": "Besluta senast den 5 december."}
    form.update(changes)
    return form


def org_ids(app, *emails):
    with app.app_context():
        from workspace.accounts.models import User

        return [db.session.scalar(select(User).where(User.email == e)).organization_id for e in emails]


@pytest.fixture
def round_id(app, as_user, paper):
    """An open round with Skåne and Halland taking part."""
    c = as_user(KANSLI)
    data = open_form(paper)
    data["organizations"] = [str(i) for i in org_ids(app, POL_SKANE, POL_HALLAND)]
    resp = c.post(f"{W}/papers/{paper['id']}/rounds/new", data)
    assert resp.status_code == 303, resp.text[:2000]
    return int(resp.headers["Location"].rsplit("/", 1)[1])


def decisions_in(round_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Decision).where(Decision.round_id == round_id))


def status_of(app, paper_id):
    with app.app_context():
        return db.session.get(Paper, paper_id).status


def test_open_form_page_and_opening(app, as_user, paper):
    c = as_user(KANSLI)
    url = f"{W}/papers/{paper['id']}/rounds/new"
    page = c.get(url)
    assert page.status_code == 200 and "Öppna en beslutsomgång" in page.text and "Region Blekinge" in page.text
    assert page.text.count('type="checkbox"') == 6 and page.text.count("checked") >= 6
    resp = c.post(url, open_form(paper, organizations=[str(i) for i in org_ids(app, POL_SKANE)]))
    assert resp.status_code == 303
    assert status_of(app, paper["id"]) == "decision"
    round_page = c.get(resp.headers["Location"])
    assert "Besluta senast den 5 december." in round_page.text and "Region Skåne" in round_page.text
    assert "Region Blekinge" not in round_page.text.split('id="decision-table"')[1].split("</table>")[0]


@pytest.mark.parametrize("changes,message", [
    ({"registration_number": ""}, "Ange det diarienummer"),
    ({"deadline": ""}, "Ange sista dag"),
    ({"deadline": "2020-01-01T12:00"}, "framtiden"),
    ({"snapshot": "new", "new_version_name": ""}, "Ge den nya versionen ett namn"),
    ({"snapshot": "999999"}, "Inte ett giltigt val"),
    ({"organizations": ["999999"]}, "Inte ett giltigt val"),
    ({"message": "x" * 5001}, "Högst 5000 tecken"),
])
def test_open_bad_input_is_422_and_keeps_the_text(app, as_user, paper, changes, message):
    c = as_user(KANSLI)
    data = open_form(paper, **changes)
    data.setdefault("organizations", [str(i) for i in org_ids(app, POL_SKANE)])
    resp = c.post(f"{W}/papers/{paper['id']}/rounds/new", data)
    assert resp.status_code == 422 and message.lower() in resp.text.lower()
    if "message" not in changes:
        assert "Besluta senast den 5 december." in resp.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ApprovalRound)
                                 .where(ApprovalRound.paper_id == paper["id"])) == 0


def test_open_with_no_members_chosen_is_refused(app, as_user, paper):
    resp = as_user(KANSLI).post(f"{W}/papers/{paper['id']}/rounds/new", open_form(paper))
    assert resp.status_code == 422 and "minst en medlemsorganisation" in resp.text


def test_open_on_a_new_version_made_from_the_current_text(app, as_user, paper):
    c = as_user(KANSLI)
    data = open_form(paper, snapshot="new", new_version_name="Beslutsversion")
    data["organizations"] = [str(i) for i in org_ids(app, POL_SKANE)]
    assert c.post(f"{W}/papers/{paper['id']}/rounds/new", data).status_code == 303
    with app.app_context():
        r = db.session.scalar(select(ApprovalRound).where(ApprovalRound.paper_id == paper["id"]))
        assert r.snapshot.name == "Beslutsversion" and r.content_hash == r.snapshot.content_hash


def test_round_page_and_fragments(as_user, round_id):
    c = as_user("lasare@demo.example")
    page = c.get(f"{W}/rounds/{round_id}")
    assert page.status_code == 200 and "<html" in page.text and 'data-live-on="decision-recorded' in page.text
    assert "Remissversion 1" in page.text and "Regionerna vill ha nya stambanor." in page.text
    assert "Registrera ställningstagande" not in page.text  # a reader only follows
    frag = c.hx_get(f"{W}/rounds/{round_id}?part=round")
    assert frag.status_code == 200 and "<html" not in frag.text and 'id="decision-table"' in frag.text
    assert "HX-Request" in frag.headers["Vary"]
    assert c.hx_get(f"{W}/rounds/{round_id}?part=ratifications").status_code == 200
    assert c.get(f"{W}/rounds/999999").status_code == 404
    assert "Nya stambanor" in c.get(f"{W}/rounds").text


def test_politician_decides_and_changes_until_the_round_closes(app, as_user, paper, round_id):
    skane = as_user(POL_SKANE)
    page = skane.get(f"{W}/rounds/{round_id}")
    assert "Ställningstagande för Region Skåne" in page.text
    frag = skane.post(f"{W}/rounds/{round_id}/decision", {"kind": "decline", "statement": "För dyrt just nu."},
                      htmx=True)
    assert frag.status_code == 200 and "<html" not in frag.text
    assert "Avslår" in frag.text and "För dyrt just nu." in frag.text and "Anna Persson" in frag.text
    resp = skane.post(f"{W}/rounds/{round_id}/decision",
                      {"kind": "approve_reservation", "statement": "Vi reserverar oss mot finansieringen.",
                       "note": "Protokollsanteckning från Skåne."})
    assert resp.status_code == 303
    page = skane.get(f"{W}/rounds/{round_id}").text
    assert "Godkänner med reservation" in page and "1 tidigare ställningstagande från Region Skåne" in page
    assert "Protokollsanteckning från Skåne." in page
    halland = as_user(POL_HALLAND)
    assert halland.post(f"{W}/rounds/{round_id}/decision", {"kind": "approve"}).status_code == 303
    assert status_of(app, paper["id"]) == "adopted"
    late = skane.post(f"{W}/rounds/{round_id}/decision", {"kind": "decline", "statement": "Ångrar mig."}, htmx=True)
    assert late.status_code == 422 and "avslutad" in late.text
    with app.app_context():
        assert db.session.get(Paper, paper["id"]).registration_number == "RSS 2026/15"
        assert decisions_in(round_id) == 3
        adopted = db.session.scalars(select(Event).where(Event.verb == "paper-adopted")).all()
        assert [e.payload["round_id"] for e in adopted if e.payload["paper_id"] == paper["id"]] == [round_id]
    page = as_user(SKANE).get(f"{W}/papers/{paper['id']}").text
    assert "Redigera" not in page and "kan inte längre ändras" in page and "Fastställt" in page


@pytest.mark.parametrize("data,message", [
    ({"kind": "approve_reservation", "statement": "", "note": "Min anteckning"}, "Skriv reservationen"),
    ({"kind": "approve_statement", "statement": "  ", "note": "Min anteckning"}, "särskilda yttrandet"),
    ({"kind": "decline", "note": "Min anteckning"}, "skälet"),
    ({"kind": "maybe", "note": "Min anteckning"}, "Inte ett giltigt val"),
    ({"note": "Min anteckning"}, "Välj ett ställningstagande"),
    ({"kind": "approve", "statement": "x" * 5001, "note": "Min anteckning"}, "Högst 5000 tecken"),
])
def test_decision_bad_input(app, as_user, round_id, data, message):
    resp = as_user(POL_SKANE).post(f"{W}/rounds/{round_id}/decision", data, htmx=True)
    assert resp.status_code == 422 and message.lower() in resp.text.lower() and "Min anteckning" in resp.text
    with app.app_context():
        assert decisions_in(round_id) == 0


@pytest.mark.parametrize("email", ["lasare@demo.example", SKANE, KANSLI, POL_BLEKINGE])
def test_reader_official_secretariat_and_non_taking_part_politician_cannot_decide(app, as_user, round_id, email):
    resp = as_user(email).post(f"{W}/rounds/{round_id}/decision", {"kind": "approve"})
    assert resp.status_code == 403
    with app.app_context():
        assert decisions_in(round_id) == 0


def test_two_concurrent_decisions_for_one_organisation_keep_both_and_the_later_stands(app, demo, round_id):
    # Make Skåne's official a second politician of Region Skåne.
    with app.app_context():
        from workspace.accounts.models import User

        user = db.session.scalar(select(User).where(User.email == SKANE))
        m = db.session.scalar(select(Membership).where(Membership.user_id == user.id))
        m.role, m.political_side = "politician", "opposition"
        db.session.commit()
    clients = []
    for email in (POL_SKANE, SKANE):
        c = Client(app)
        c.login(email)
        c.csrf()
        clients.append(c)
    barrier = threading.Barrier(2)
    statuses = {}

    def worker(i, kind, statement):
        barrier.wait()
        resp = clients[i].post(f"{W}/rounds/{round_id}/decision", {"kind": kind, "statement": statement}, htmx=True)
        statuses[i] = resp.status_code

    threads = [threading.Thread(target=worker, args=(0, "approve", "")),
               threading.Thread(target=worker, args=(1, "decline", "Oppositionen säger nej."))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == {0: 200, 1: 200}
    with app.app_context():
        ds = db.session.scalars(select(Decision).where(Decision.round_id == round_id).order_by(Decision.id)).all()
        assert len(ds) == 2 and ds[0].organization_id == ds[1].organization_id
        assert ds[0].superseded_by_id == ds[1].id and ds[1].superseded_by_id is None
        r = db.session.get(ApprovalRound, round_id)
        assert services.standing_decisions(r)[ds[0].organization_id].id == ds[1].id
        assert r.status == "open"  # Halland has not decided


def test_secretariat_closes_and_cancels(app, as_user, paper, round_id):
    kansli = as_user(KANSLI)
    as_user(POL_SKANE).post(f"{W}/rounds/{round_id}/decision", {"kind": "approve"})
    assert kansli.post(f"{W}/rounds/{round_id}/close").status_code == 303
    assert status_of(app, paper["id"]) == "draft"
    page = kansli.get(f"{W}/rounds/{round_id}").text
    assert "Beslutsregeln inte uppfylld" in page and "avslutad av kansliet" in page
    again = kansli.post(f"{W}/rounds/{round_id}/cancel", htmx=True)
    assert again.status_code == 422 and "redan avslutad" in again.text
    data = open_form(paper)
    data["organizations"] = [str(i) for i in org_ids(app, POL_SKANE)]
    resp = kansli.post(f"{W}/papers/{paper['id']}/rounds/new", data)
    second = int(resp.headers["Location"].rsplit("/", 1)[1])
    assert kansli.post(f"{W}/rounds/{second}/cancel").status_code == 303
    assert status_of(app, paper["id"]) == "draft"
    assert "Förra omgången" in kansli.get(f"{W}/rounds/{second}").text


def test_edit_after_opening_shows_stale_on_paper_and_round_pages(app, as_user, paper, round_id):
    writer = as_user(SKANE)
    with app.app_context():
        base = db.session.get(Paper, paper["id"]).live_sections[0].current_revision_id
    resp = writer.post(f"{W}/papers/{paper['id']}/sections/{paper['section']}",
                       {"html": "<p>Ändrat under omgången.</p>", "base_revision_id": str(base)}, htmx=True)
    assert resp.status_code == 200
    for url in (f"{W}/papers/{paper['id']}", f"{W}/rounds/{round_id}"):
        assert "Texten har ändrats sedan denna version" in as_user("lasare@demo.example").get(url).text


def test_restart_on_a_new_version_shows_the_diff(app, as_user, paper, round_id):
    with app.test_request_context(method="POST"):
        from workspace.accounts.models import User

        author = db.session.scalar(select(User).where(User.email == SKANE))
        p = db.session.get(Paper, paper["id"])
        s = p.live_sections[0]
        papers.save_section(author, s, "<p>Regionerna vill ha nya stambanor och dubbelspår.</p>", s.current_revision_id)
        db.session.commit()
    kansli = as_user(KANSLI)
    form = kansli.get(f"{W}/papers/{paper['id']}/rounds/new").text
    assert "En omgång pågår redan" in form
    data = open_form(paper, snapshot="new", new_version_name="Beslutsversion 2")
    data["organizations"] = [str(i) for i in org_ids(app, POL_SKANE, POL_HALLAND)]
    resp = kansli.post(f"{W}/papers/{paper['id']}/rounds/new", data)
    new_id = int(resp.headers["Location"].rsplit("/", 1)[1])
    page = kansli.get(f"{W}/rounds/{new_id}").text
    assert "Ändringar sedan förra omgången" in page and "<ins>" in page and "Remissversion 1" in page
    old = kansli.get(f"{W}/rounds/{round_id}").text
    # The old round keeps its decisions on the old version, which the text has moved on from.
    assert "startad om på en ny version" in old and "Texten har ändrats sedan denna version" in old


def test_manual_adoption_is_gone(as_user, paper):
    kansli = as_user(KANSLI)
    r = kansli.post(f"{W}/papers/{paper['id']}/status", {"status": "adopted"}, htmx=True)
    assert r.status_code == 422
    assert "Flytta till: fastställt" not in kansli.get(f"{W}/papers/{paper['id']}").text


@pytest.fixture
def adopted(app, as_user, paper, round_id):
    for email in (POL_SKANE, POL_HALLAND):
        assert as_user(email).post(f"{W}/rounds/{round_id}/decision", {"kind": "approve"}).status_code == 303
    assert status_of(app, paper["id"]) == "adopted"
    return round_id


def test_ratification_by_the_members_official(app, as_user, adopted):
    skane_org, kronoberg_org = org_ids(app, SKANE, "tjansteman.kronoberg@demo.example")
    c = as_user(SKANE)
    page = c.get(f"{W}/rounds/{adopted}").text
    assert "Registrera ratificering för Region Skåne" in page
    assert "Registrera ratificering för Region Kronoberg" not in page
    frag = c.post(f"{W}/rounds/{adopted}/ratifications/{skane_org}",
                  {"status": "ratified", "registration_number": "RS 2026/881", "body": "Regionstyrelsen",
                   "decided_on": "2026-11-20", "paragraph": "§ 214"}, htmx=True)
    assert frag.status_code == 200 and "<html" not in frag.text and "RS 2026/881" in frag.text
    assert "Ratificeringen för Region Skåne är sparad." in frag.text
    assert c.post(f"{W}/rounds/{adopted}/ratifications/{kronoberg_org}", {"status": "pending"}).status_code == 403
    overview = as_user("lasare@demo.example").get(f"{W}/ratifications").text
    assert "Nya stambanor genom Sydsverige" in overview and "ratificerat" in overview and "§ 214" in overview
    assert as_user(KANSLI).post(f"{W}/rounds/{adopted}/ratifications/999999", {"status": "pending"}).status_code == 404


@pytest.mark.parametrize("data,message", [
    ({"status": "ratified", "body": "Regionstyrelsen"}, "Ange beslutande organ och datum"),
    ({"status": "rejected", "decided_on": "2026-11-01"}, "Ange beslutande organ och datum"),
    ({"status": "ratified", "body": "Regionstyrelsen", "decided_on": "2099-01-01"}, "framtiden"),
    ({"status": "ratified", "body": "Regionstyrelsen", "decided_on": "2026-13-45"}, "datum"),
    ({"status": "done", "body": "Regionstyrelsen"}, "Inte ett giltigt val"),
    ({"status": "pending", "body": "Regionstyrelsen", "paragraph": "§" * 31}, "Högst 30 tecken"),
])
def test_ratification_bad_input(app, as_user, adopted, data, message):
    skane_org = org_ids(app, SKANE)[0]
    resp = as_user(KANSLI).post(f"{W}/rounds/{adopted}/ratifications/{skane_org}", data, htmx=True)
    assert resp.status_code == 422 and message.lower() in resp.text.lower()
    if data.get("body"):
        assert data["body"] in resp.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Ratification)
                                 .where(Ratification.round_id == adopted)) == 0


def test_ratifying_a_round_that_did_not_adopt_is_refused(app, as_user, round_id):
    skane_org = org_ids(app, SKANE)[0]
    resp = as_user(KANSLI).post(f"{W}/rounds/{round_id}/ratifications/{skane_org}", {"status": "pending"}, htmx=True)
    assert resp.status_code == 422


def test_close_due_command(app, round_id):
    with app.app_context():
        r = db.session.get(ApprovalRound, round_id)
        r.deadline = utcnow() - timedelta(seconds=1)
        db.session.commit()
    out = app.test_cli_runner().invoke(args=["decisions", "close-due"])
    assert out.exit_code == 0 and f"round {round_id}: not_met" in out.output and "1 closed" in out.output
    out = app.test_cli_runner().invoke(args=["decisions", "close-due"])
    assert "0 closed" in out.output


def _make_due(app, round_id):
    with app.app_context():
        db.session.get(ApprovalRound, round_id).deadline = utcnow() - timedelta(seconds=1)
        db.session.commit()


def test_two_processes_closing_due_rounds_at_once_close_each_round_once(app, paper, round_id):
    _make_due(app, round_id)
    barrier = threading.Barrier(2)
    results = []

    def worker():
        with app.app_context():
            barrier.wait()
            closed = services.close_due_rounds()
            results.append([r.id for r in closed])
            db.session.commit()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [[], [round_id]]
    with app.app_context():
        closed_events = db.session.scalars(select(Event).where(Event.verb == "round-closed",
                                                              Event.object_id == round_id)).all()
        assert len(closed_events) == 1 and closed_events[0].actor_id is None
    assert status_of(app, paper["id"]) == "draft"


def test_the_live_hubs_housekeeping_closes_due_rounds(app, paper, round_id):
    with app.app_context():
        services.close_due_job()  # nothing due: nothing happens
        assert db.session.get(ApprovalRound, round_id).status == "open"
    _make_due(app, round_id)
    with app.app_context():
        services.close_due_job()
        assert db.session.get(ApprovalRound, round_id).close_reason == "deadline"
    from workspace.live.hub import get_hub

    assert services.close_due_job in get_hub(app).housekeeping
