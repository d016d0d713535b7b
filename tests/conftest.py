"""Test fixtures: one migrated database per run (SQLite, or PostgreSQL when
TEST_DATABASE_URL is set), emptied after every test."""
from __future__ import annotations

import os
import re
import threading
from contextlib import contextmanager

import pytest
from sqlalchemy import event, text

from workspace import create_app
from workspace.db import db

DEMO_PASSWORD = "demo-password-123"
CHEAP_ARGON2 = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}


@contextmanager
def recorded_statements(app):
    """The SQL statements this thread runs inside the block, as a list (to count a page's
    queries; the app's background threads, such as the live hub's poll, are not counted)."""
    seen: list[str] = []
    me = threading.get_ident()

    def record(_conn, _cursor, statement, *_rest):
        if threading.get_ident() == me:
            seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    app = create_app(
        {
            "ENV_NAME": "testing",
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "INSTANCE_PATH": str(instance),
            "SQLALCHEMY_DATABASE_URI": _database_url(tmp_path_factory),
            "ARGON2_PARAMS": CHEAP_ARGON2,
            "RATELIMIT_ENABLED": False,
            "PUBLIC_URL": "http://localhost",
            "SERVER_NAME": None,
        }
    )
    with app.app_context():
        reset_schema()
        from flask_migrate import upgrade

        upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def reset_schema() -> None:
    """Drop everything, including Alembic's version table."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    else:
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def empty_tables() -> None:
    """DELETE, not TRUNCATE: background threads (the live hub, a browser's open stream)
    may be reading, and TRUNCATE's exclusive locks would deadlock with them."""
    from sqlalchemy.exc import OperationalError

    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    for attempt in range(5):
        try:
            with db.engine.begin() as conn:
                for t in tables:
                    conn.execute(text(f'DELETE FROM "{t}"'))
            return
        except OperationalError:
            if attempt == 4:
                raise
            import time

            time.sleep(0.2)


@pytest.fixture(autouse=True)
def _clean_database(request):
    yield
    if "app" in request.fixturenames:
        app = request.getfixturevalue("app")
        with app.app_context():
            db.session.remove()
            empty_tables()


@pytest.fixture
def ctx(app):
    """An application context for service-level tests."""
    with app.test_request_context():
        yield
        db.session.rollback()


@pytest.fixture
def demo(app):
    """The demo data, loaded fresh: returns a lookup of people and workspaces by key."""
    from workspace.demo.services import load_demo

    with app.app_context():
        load_demo(DEMO_PASSWORD)
        db.session.commit()
    return Demo(app)


class Demo:
    def __init__(self, app):
        self.app = app

    def user(self, email: str):
        from sqlalchemy import select

        from workspace.accounts.models import User

        return db.session.scalar(select(User).where(User.email == email))

    def workspace(self, slug: str):
        from sqlalchemy import select

        from workspace.workspaces.models import Workspace

        return db.session.scalar(select(Workspace).where(Workspace.slug == slug))


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


class Client:
    """A test client that knows how to log in and carries the CSRF token like a browser."""

    def __init__(self, app):
        self.app = app
        self.http = app.test_client()
        self.token: str | None = None
        self.logged_in = False

    def get(self, url, **kw):
        resp = self.http.get(url, **kw)
        if kw.get("buffered") is False or resp.mimetype != "text/html":  # a stream or a download
            return resp
        m = CSRF_RE.search(resp.get_data(as_text=True))
        if m:
            self.token = m.group(1)
        return resp

    def csrf(self) -> str:
        if self.token is None:
            self.get("/account" if self.logged_in else "/login")
        return self.token

    def post(self, url, data=None, *, csrf=True, htmx=False, headers=None, **kw):
        data = dict(data or {})
        headers = dict(headers or {})
        if csrf:
            data.setdefault("csrf_token", self.csrf())
        if htmx:
            headers["HX-Request"] = "true"
        return self.http.post(url, data=data, headers=headers, **kw)

    def hx_get(self, url, **kw):
        return self.get(url, headers={"HX-Request": "true"}, **kw)

    def login(self, email: str, password: str = DEMO_PASSWORD):
        self.token = None
        resp = self.post("/login", {"email": email, "password": password})
        assert resp.status_code == 303, resp.get_data(as_text=True)[:500]
        self.logged_in = True
        self.token = None  # the session changed at login; fetch a fresh token
        return resp


@pytest.fixture
def client(app):
    return Client(app)


@pytest.fixture
def as_user(app, demo):
    """as_user(email) -> a logged-in Client."""

    def make(email: str) -> Client:
        c = Client(app)
        c.login(email)
        return c

    return make
