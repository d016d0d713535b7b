"""A request whose transaction only read ends it with COMMIT on PostgreSQL, so psycopg keeps the
connection's prepared statements (a ROLLBACK makes it forget them all). Whatever wrote, holds
unsaved changes or met an error still rolls back, on both databases."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import bindparam, event, func, select, text, update

from workspace.db import db
from workspace.workspaces.models import Organization

# A statement no other code runs, so its prepared copy is recognisable.
_PROBE = select(Organization.id).where(Organization.name == bindparam("name"), Organization.id > -7)


def _is_postgres(app) -> bool:
    with app.app_context():
        return db.engine.dialect.name == "postgresql"


@pytest.fixture
def org(app):
    with app.app_context():
        o = Organization(name="Region Prov", kind="region")
        db.session.add(o)
        db.session.commit()
        return o.id


@pytest.fixture
def endings(app):
    """How each transaction of the engine in this thread ended: "commit" or "rollback", in
    order (background threads of earlier tests — the live hub, mail — use the engine too)."""
    seen: list[str] = []
    me = threading.get_ident()
    with app.app_context():
        engine = db.engine

    def on_commit(conn):
        if threading.get_ident() == me:
            seen.append("commit")

    def on_rollback(conn):
        if threading.get_ident() == me:
            seen.append("rollback")

    event.listen(engine, "commit", on_commit)
    event.listen(engine, "rollback", on_rollback)
    yield seen
    event.remove(engine, "commit", on_commit)
    event.remove(engine, "rollback", on_rollback)


def _name(app, org_id: int) -> str | None:
    with app.app_context():
        name = db.session.scalar(select(Organization.name).where(Organization.id == org_id))
        db.session.rollback()
        return name


def test_a_request_that_only_read_commits_on_postgresql(app, org, endings):
    if not _is_postgres(app):
        pytest.skip("only PostgreSQL's driver forgets prepared statements on rollback")
    with app.test_request_context():
        assert db.session.scalar(_PROBE, {"name": "Region Prov"}) == org
    assert endings == ["commit"]


def test_statements_of_reading_requests_get_prepared_on_postgresql(app, org):
    if not _is_postgres(app):
        pytest.skip("prepared statements are PostgreSQL's")
    prepared = 0
    # psycopg prepares a statement on its fifth use on a connection; the pool hands out its
    # connections in turn, so allow for several of them.
    for _ in range(60):
        with app.test_request_context():
            assert db.session.scalar(_PROBE, {"name": "Region Prov"}) == org
            prepared = db.session.scalar(
                text("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%organization.id > %'"))
        if prepared:
            break
    assert prepared == 1


def test_a_flushed_write_without_commit_is_rolled_back(app, org, endings):
    with app.test_request_context():
        db.session.get(Organization, org).name = "Region Ändrad"
        db.session.flush()
    assert _name(app, org) == "Region Prov"
    assert endings[:1] == ["rollback"]


def test_a_core_update_without_commit_is_rolled_back(app, org):
    with app.test_request_context():
        db.session.execute(update(Organization).where(Organization.id == org).values(name="Region Ändrad"))
    assert _name(app, org) == "Region Prov"


def test_unsaved_changes_are_not_committed(app, org):
    with app.test_request_context():
        db.session.get(Organization, org).name = "Region Ändrad"  # not flushed
        db.session.add(Organization(name="Ny region", kind="region"))
    assert _name(app, org) == "Region Prov"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Organization)) == 1
        db.session.rollback()


def test_a_write_earlier_in_the_transaction_is_not_hidden_by_reads_after_it(app, org):
    with app.test_request_context():
        db.session.execute(update(Organization).where(Organization.id == org).values(name="Region Ändrad"))
        for _ in range(3):
            db.session.scalar(_PROBE, {"name": "Region Ändrad"})
    assert _name(app, org) == "Region Prov"


def test_a_request_that_failed_rolls_back(app, org, endings):
    with pytest.raises(RuntimeError):
        with app.test_request_context():
            db.session.scalar(_PROBE, {"name": "Region Prov"})
            raise RuntimeError("the view failed")
    assert endings == ["rollback"]


def test_after_a_commit_the_reads_that_follow_commit_too(app, org, endings):
    if not _is_postgres(app):
        pytest.skip("only PostgreSQL's driver forgets prepared statements on rollback")
    with app.test_request_context():
        db.session.get(Organization, org).name = "Region Ändrad"
        db.session.commit()
        db.session.scalar(_PROBE, {"name": "Region Ändrad"})
    assert endings == ["commit", "commit"]
    assert _name(app, org) == "Region Ändrad"


def test_what_a_reading_request_loaded_stays_readable_after_it(app, org):
    """A streamed answer (the audit CSV) reads the request's objects after its teardown."""
    with app.test_request_context():
        loaded = db.session.get(Organization, org)
    assert loaded.name == "Region Prov"
