"""The secretariat's audit trail: filters, CSV, bad input, who may see it."""
from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from workspace.db import db
from workspace.events import Event

URL = "/w/sydsverige/events"


@pytest.fixture
def paper(app, demo):
    from workspace.papers import services

    with app.test_request_context(method="POST"):
        author = demo.user("tjansteman.skane@demo.example")
        p = services.create_paper(author, demo.workspace("sydsverige"), title="Revisionsspår",
                                  sections=[("Bakgrund", "<p>=HYPERLINK(\"x\")</p>")])
        services.save_section(author, p.live_sections[0], "<p>Andra</p>", p.live_sections[0].current_revision_id)
        db.session.commit()
        return {"id": p.id, "author_id": author.id, "section_id": p.live_sections[0].id}


def test_filter_by_person_kind_object_and_date(app, as_user, paper):
    c = as_user("kansli@demo.example")
    page = c.get(f"{URL}?person={paper['author_id']}&verb=section-saved&object_type=section"
                 f"&object_id={paper['section_id']}").get_data(as_text=True)
    assert "sparade avsnittet ”Bakgrund”" in page
    assert "skapade papperet ”Revisionsspår”" not in page
    assert "1 händelse" in page
    by_object = c.get(f"{URL}?object_type=paper&object_id={paper['id']}").get_data(as_text=True)
    assert "skapade papperet ”Revisionsspår”" in by_object and "sparade avsnittet ”Bakgrund”" not in by_object
    future = c.get(f"{URL}?from=2999-01-01").get_data(as_text=True)
    assert "Inga händelser matchar filtret." in future
    today = c.get(f"{URL}?verb=paper-created&from=2000-01-01&to=2999-12-31").get_data(as_text=True)
    assert "Revisionsspår" in today


def test_filter_fragment_for_htmx_keeps_the_filter_in_the_pager(app, as_user, paper):
    c = as_user("kansli@demo.example")
    frag = c.hx_get(f"{URL}?verb=section-saved").get_data(as_text=True)
    assert frag.lstrip().startswith('<section id="events"')
    assert "<html" not in frag


@pytest.mark.parametrize("query,message", [
    ("from=igår", "Ange datumet som ÅÅÅÅ-MM-DD."),
    ("from=2025-05-01&to=2025-01-01", "Slutdatumet ligger före startdatumet."),
    ("person=abc", "Ange ett heltal."),
    ("person=999999", "Personen finns inte i händelseloggen."),
    ("verb=%3Cscript%3E", "Okänd händelse."),
    ("object_type=nope", "Okänd typ av objekt."),
    ("object_id=" + "9" * 40, "Ange ett heltal."),
])
def test_bad_filters_get_a_message_not_an_error(as_user, demo, query, message):
    c = as_user("kansli@demo.example")
    resp = c.get(f"{URL}?{query}")
    assert resp.status_code == 422
    body = resp.get_data(as_text=True)
    assert message in body and "<script>" not in body
    assert "Ladda ned som CSV" not in body


def test_csv_has_every_filtered_event_and_defuses_formulas(app, as_user, paper):
    c = as_user("kansli@demo.example")
    resp = c.get(f"/w/sydsverige/events.csv?object_type=paper&object_id={paper['id']}")
    assert resp.status_code == 200
    assert resp.mimetype == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    text = resp.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:5] == ["id", "tid", "person", "e-post", "händelse"]
    assert [r[4] for r in rows[1:]] == ["paper-created"]
    everything = list(csv.reader(io.StringIO(c.get("/w/sydsverige/events.csv").get_data(as_text=True).lstrip("\ufeff")),
                                 delimiter=";"))
    with app.app_context():
        ws_id = demo_ws_id()
        total = db.session.scalar(select(func.count()).select_from(Event).where(
            Event.workspace_id == ws_id, Event.verb != "presence-changed"))
    assert len(everything) - 1 == total
    assert all(not cell.startswith(("=", "+", "@")) for row in everything for cell in row)


def demo_ws_id():
    from workspace.workspaces.models import Workspace

    return db.session.scalar(select(Workspace.id).where(Workspace.slug == "sydsverige"))


def test_csv_with_a_bad_filter_is_refused(as_user, demo):
    assert as_user("kansli@demo.example").get("/w/sydsverige/events.csv?from=x").status_code == 422


@pytest.mark.parametrize("email", ["tjansteman.skane@demo.example", "politiker.skane@demo.example", "lasare@demo.example"])
def test_only_the_secretariat_reads_the_audit_trail(as_user, email):
    c = as_user(email)
    assert c.get(URL).status_code == 403
    assert c.get("/w/sydsverige/events.csv").status_code == 403


def test_another_workspace_audit_trail_does_not_exist(as_user):
    c = as_user("kansli.sosk@demo.example")
    assert c.get(URL).status_code == 404
    assert c.get("/w/sydsverige/events.csv").status_code == 404
