import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import DEMO_PASSWORD, Client
from workspace.accounts.models import AccountToken, User
from workspace.db import db, utcnow
from workspace.mail.models import OutboxMessage


def test_login_page_is_swedish_and_wrong_password_same_message(client, demo):
    page = client.get("/login")
    assert page.status_code == 200 and '<html lang="sv">' in page.text and "Logga in" in page.text
    known = client.post("/login", {"email": "kansli@demo.example", "password": "wrong-password"})
    unknown = client.post("/login", {"email": "nobody@demo.example", "password": "wrong-password"})
    assert known.status_code == unknown.status_code == 422
    msg = "Fel e-postadress eller lösenord."
    assert msg in known.text and msg in unknown.text
    assert client.post("/login", {"email": "", "password": ""}).status_code == 422


def test_login_redirects_only_to_local_next(client, demo):
    r = client.post("/login", {"email": "lasare@demo.example", "password": DEMO_PASSWORD, "next": "https://evil.example/"})
    assert r.headers["Location"] == "/w/"
    c = Client(client.app)
    r = c.post("/login", {"email": "lasare@demo.example", "password": DEMO_PASSWORD, "next": "/w/sydsverige"})
    assert r.headers["Location"] == "/w/sydsverige"


def test_logout_ends_the_session(app, as_user):
    c = as_user("lasare@demo.example")
    cookie = c.http.get_cookie("session").value
    assert c.get("/w/").status_code == 200
    assert c.post("/logout", {}).status_code == 303
    assert c.get("/w/").status_code in (302, 303)
    # A copy of the cookie taken before logging out no longer works anywhere.
    other = Client(app)
    other.http.set_cookie("session", cookie)
    resp = other.get("/w/")
    assert resp.status_code in (302, 303) and resp.headers["Location"].startswith("/login")


def test_login_starts_a_new_session_id(app, demo):
    from sqlalchemy import select

    from workspace.accounts.models import AuthSession

    c = Client(app)
    c.get("/login")
    before = c.http.get_cookie("session").value
    c.login("lasare@demo.example")
    first = c.http.get_cookie("session").value
    assert first != before
    c.post("/logout", {})
    c.logged_in, c.token = False, None
    c.login("lasare@demo.example")
    assert c.http.get_cookie("session").value != first
    with app.app_context():
        rows = db.session.scalars(select(AuthSession).order_by(AuthSession.id)).all()
        assert len(rows) == 2 and rows[0].ended_at is not None and rows[1].ended_at is None
        assert rows[0].token_hash != rows[1].token_hash


def test_password_change_ends_other_sessions_but_keeps_this_one(app, demo):
    laptop, phone = Client(app), Client(app)
    laptop.login("lasare@demo.example")
    phone.login("lasare@demo.example")
    resp = laptop.post("/account", {"current": DEMO_PASSWORD, "password": "ett-nytt-losenord", "confirm": "ett-nytt-losenord"})
    assert resp.status_code == 303
    assert laptop.get("/w/").status_code == 200
    assert phone.get("/w/").status_code in (302, 303)


def test_password_change(app, as_user):
    c = as_user("lasare@demo.example")
    bad = c.post("/account", {"current": "wrong-one-123", "password": "a-new-password", "confirm": "a-new-password"})
    assert bad.status_code == 422 and "stämmer inte" in bad.text
    short = c.post("/account", {"current": DEMO_PASSWORD, "password": "kort", "confirm": "kort"})
    assert short.status_code == 422 and "mellan 10 och" in short.text
    mismatch = c.post("/account", {"current": DEMO_PASSWORD, "password": "a-new-password", "confirm": "other-password"})
    assert mismatch.status_code == 422 and "inte lika" in mismatch.text
    other_session = Client(app)
    other_session.login("lasare@demo.example")
    ok = c.post("/account", {"current": DEMO_PASSWORD, "password": "a-new-password", "confirm": "a-new-password"})
    assert ok.status_code == 303
    assert c.get("/w/").status_code == 200  # this session goes on
    assert other_session.get("/w/").status_code in (302, 303)  # the other one ended


def reset_link(app, email):
    with app.app_context():
        body = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_addr == email)
                                 .order_by(OutboxMessage.id.desc())).body
    return "/reset/" + re.search(r"/reset/(\S+)", body).group(1)


def test_forgot_and_reset_password(app, client, demo):
    r = client.post("/forgot", {"email": "lasare@demo.example"})
    assert r.status_code == 200 and "Om lasare@demo.example hör till ett konto" in r.text
    unknown = client.post("/forgot", {"email": "nobody@demo.example"})
    assert "Om nobody@demo.example hör till ett konto" in unknown.text  # the same answer
    assert client.post("/forgot", {"email": "inte-en-adress"}).status_code == 422
    link = reset_link(app, "lasare@demo.example")
    assert client.get(link).status_code == 200
    assert client.post(link, {"password": "kort", "confirm": "kort"}).status_code == 422
    ok = client.post(link, {"password": "ett-nytt-losenord", "confirm": "ett-nytt-losenord"})
    assert ok.status_code == 303
    again = Client(app).get(link)
    assert again.status_code == 404 and "Länken fungerar inte" in again.text


def test_expired_reset_link(app, client, demo):
    client.post("/forgot", {"email": "lasare@demo.example"})
    link = reset_link(app, "lasare@demo.example")
    with app.app_context():
        for t in db.session.scalars(select(AccountToken)):
            t.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert client.get(link).status_code == 404


def test_language_switch_is_remembered_for_the_user(app, as_user):
    c = as_user("lasare@demo.example")
    assert c.post("/language", {"locale": "en", "next": "/w/"}).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(User.locale).where(User.email == "lasare@demo.example")) == "en"
    assert c.post("/language", {"locale": "de"}).status_code == 422
    fresh = Client(app)
    fresh.login("lasare@demo.example")
    assert '<html lang="en">' in fresh.get("/w/").text


def test_login_rate_limit(app, demo, tmp_path):
    from workspace import create_app

    limited = create_app({**{k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "ARGON2_PARAMS", "SECRET_KEY")},
                          "ENV_NAME": "testing", "TESTING": True, "INSTANCE_PATH": str(tmp_path),
                          "RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "10 per minute"})
    try:
        c = Client(limited)
        statuses = [c.post("/login", {"email": "kansli@demo.example", "password": "wrong-password"}).status_code
                    for _ in range(11)]
        assert statuses[:10] == [422] * 10 and statuses[10] == 429
        assert "För många försök" in c.post("/login", {"email": "x@y.se", "password": "z"}).text
    finally:
        from workspace.extensions import limiter

        limiter.init_app(app)  # the one Limiter object goes back to the suite's settings (off)
    with limited.app_context():
        from workspace.db import db as _db

        _db.engine.dispose()


def test_security_headers(client, demo):
    r = client.get("/login")
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp
    assert r.headers["Referrer-Policy"] == "same-origin"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "HttpOnly" in r.headers.get("Set-Cookie", "HttpOnly")


@pytest.mark.parametrize("data,message", [
    ({"name": "", "password": "ett-bra-losenord", "confirm": "ett-bra-losenord"}, "Ange ditt namn"),
    ({"name": "Nina", "password": "kort", "confirm": "kort"}, "mellan 10 och"),
    ({"name": "Nina", "password": "ett-bra-losenord", "confirm": "annat-losenord"}, "inte lika"),
])
def test_invitation_bad_input(app, as_user, data, message):
    kansli = as_user("kansli@demo.example")
    with app.app_context():
        from workspace.workspaces.models import Organization

        org = db.session.scalar(select(Organization).where(Organization.name == "Region Halland")).id
    r = kansli.post("/w/sydsverige/people/invite", {"email": "nina@region.example", "name": "Nina", "organization_id": org,
                                                      "role": "official", "political_side": ""})
    assert r.status_code == 303
    with app.app_context():
        body = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_addr == "nina@region.example")).body
    link = "/invite/" + re.search(r"/invite/(\S+)", body).group(1)
    newcomer = Client(client_app := app)  # noqa: F841
    resp = newcomer.post(link, data)
    assert resp.status_code == 422 and message in resp.text
    with app.app_context():
        assert db.session.scalar(select(User.password_hash).where(User.email == "nina@region.example")) is None
