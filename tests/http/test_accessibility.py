"""The accessibility statement and its report form: open to everyone, bad input kept."""
from __future__ import annotations

from sqlalchemy import select

from tests.conftest import Client
from workspace.accessibility.models import AccessibilityReport
from workspace.db import db
from workspace.events import Event
from workspace.mail.models import OutboxMessage

URL = "/tillganglighet"


def test_statement_is_public_and_linked_from_every_page(client, demo):
    page = client.get(URL)
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    for part in ("Tillgänglighet för Samverkan", "Kända brister", "Tillsyn", "WCAG 2.1", "Rapportera ett tillgänglighetsproblem"):
        assert part in body
    assert 'href="/tillganglighet"' in client.get("/login").get_data(as_text=True)


def test_anonymous_report_is_stored_mailed_and_logged(app, client, demo):
    resp = client.post(URL, {"description": "Knappen Spara läses inte upp av NVDA.", "page_url": "/w/sydsverige",
                             "email": "besokare@example.se"})
    assert resp.status_code == 200
    assert "Tack! Din rapport har nummer" in resp.get_data(as_text=True)
    with app.app_context():
        report = db.session.scalar(select(AccessibilityReport))
        assert report.description == "Knappen Spara läses inte upp av NVDA." and report.user_id is None
        mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "accessibility"))
        assert mail.to_addr == app.config["ACCESSIBILITY_CONTACT"]
        assert "besokare@example.se" in mail.body and "NVDA" in mail.body
        assert db.session.scalar(select(Event).where(Event.verb == "accessibility-reported")) is not None


def test_logged_in_report_knows_the_person(app, as_user):
    c = as_user("lasare@demo.example")
    assert 'value="lasare@demo.example"' in c.get(URL).get_data(as_text=True)
    frag = c.post(URL, {"description": "Kontrasten i tabellen är låg."}, htmx=True)
    assert frag.status_code == 200
    assert frag.get_data(as_text=True).lstrip().startswith('<section id="report"')
    with app.app_context():
        assert db.session.scalar(select(AccessibilityReport)).user_id is not None


def test_bad_input_gets_messages_and_keeps_the_text(app, client, demo):
    long_text = "x" * 5001
    resp = client.post(URL, {"description": long_text, "email": "inte-en-adress", "page_url": "y" * 501})
    assert resp.status_code == 422
    body = resp.get_data(as_text=True)
    assert "Högst 5000 tecken." in body and "Ange en giltig e-postadress." in body and "Högst 500 tecken." in body
    assert long_text in body  # nothing the person wrote is lost
    empty = client.post(URL, {"description": "   "})
    assert empty.status_code == 422 and "Beskriv vad som inte fungerade." in empty.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(AccessibilityReport)) is None


def test_report_without_csrf_is_refused(client, demo):
    assert client.post(URL, {"description": "x"}, csrf=False).status_code == 400


def test_reports_are_rate_limited(app, demo, tmp_path):
    from workspace import create_app

    limited = create_app({**{k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "ARGON2_PARAMS", "SECRET_KEY")},
                          "ENV_NAME": "testing", "TESTING": True, "INSTANCE_PATH": str(tmp_path),
                          "RATELIMIT_ENABLED": True, "REPORT_RATE_LIMIT": "3 per hour"})
    try:
        c = Client(limited)
        statuses = [c.post(URL, {"description": f"Problem {i}"}).status_code for i in range(4)]
        assert statuses == [200, 200, 200, 429]
    finally:
        from workspace.extensions import limiter

        limiter.init_app(app)
    with limited.app_context():
        db.engine.dispose()
