"""commit(): e-mail queued by a write request goes out while the request still counts as a
writer, so on SQLite its claim transactions begin IMMEDIATE and wait for the write lock
instead of failing with "database is locked" after the change was committed (issue 10:
every comment reply under 16 concurrent connections answered 500)."""
from __future__ import annotations

from flask import g

from workspace import db as workspace_db
from workspace.db import db
from workspace.web import rendering


def test_mail_goes_out_before_the_request_counts_as_committed(app, monkeypatch):
    seen = []
    monkeypatch.setattr(rendering, "deliver_pending", lambda: seen.append(g.get("committed")))
    with app.test_request_context("/", method="POST"):
        db.session.info["mail_queued"] = True
        rendering.commit()
        assert seen == [None]
        assert g.committed is True


def test_no_mail_no_delivery(app, monkeypatch):
    seen = []
    monkeypatch.setattr(rendering, "deliver_pending", lambda: seen.append(True))
    with app.test_request_context("/", method="POST"):
        rendering.commit()
        assert seen == []
        assert g.committed is True


def test_delivery_claims_begin_immediate_on_sqlite(app, monkeypatch):
    """Every transaction of the delivery (read, claim, mark sent) holds the write lock."""
    import pytest
    from sqlalchemy import event

    from workspace.mail.models import OutboxMessage
    from workspace.mail.services import queue_mail

    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's lock upgrade only")
    begins = []

    def record(conn, cursor, statement, *args):
        if statement.startswith("BEGIN"):
            begins.append(statement)

    # A write begins on the DBAPI connection itself (it polls while another process writes),
    # out of SQLAlchemy's sight: count those through the function that issues them.
    polling = workspace_db._begin_immediate_polling

    def begin_immediate(dbapi_connection, timeout):
        begins.append("BEGIN IMMEDIATE")
        return polling(dbapi_connection, timeout)

    with app.test_request_context("/", method="POST"):
        queue_mail("someone@example.org", "Ämne", "Text")
        event.listen(engine, "before_cursor_execute", record)
        monkeypatch.setattr(workspace_db, "_begin_immediate_polling", begin_immediate)
        try:
            rendering.commit()
        finally:
            event.remove(engine, "before_cursor_execute", record)
        sent = db.session.scalars(db.select(OutboxMessage)).all()
        assert [m.sent_at is not None for m in sent] == [True]
    assert len(begins) >= 2 and set(begins) == {"BEGIN IMMEDIATE"}


def test_background_delivery_sends_after_the_answer(app, monkeypatch):
    """By default (outside tests) the request only wakes the process's sender thread."""
    from workspace.mail.models import OutboxMessage
    from workspace.mail.sender import sender
    from workspace.mail.services import queue_mail

    calls = []
    monkeypatch.setitem(app.config, "MAIL_DELIVERY", "background")
    monkeypatch.setattr(rendering, "deliver_pending", lambda: calls.append("inline"))
    with app.test_request_context("/", method="POST"):
        queue_mail("someone@example.org", "Ämne", "Text")
        queue_mail("other@example.org", "Ämne", "Text")
        rendering.commit()
        assert calls == []  # not sent by the request itself
    assert sender.wait_idle(10)
    with app.app_context():
        sent = db.session.scalars(db.select(OutboxMessage)).all()
        assert len(sent) == 2 and all(m.sent_at is not None and m.attempts == 1 for m in sent)


def test_background_delivery_survives_a_failing_round(app, monkeypatch):
    from workspace.mail import services
    from workspace.mail.models import OutboxMessage
    from workspace.mail.sender import sender

    monkeypatch.setitem(app.config, "MAIL_DELIVERY", "background")
    real = services.deliver_pending
    rounds = []

    def flaky(limit=50):
        rounds.append(1)
        if len(rounds) == 1:
            raise RuntimeError("database went away")
        return real(limit)

    monkeypatch.setattr(services, "deliver_pending", flaky)
    for _ in range(2):
        with app.test_request_context("/", method="POST"):
            services.queue_mail("someone@example.org", "Ämne", "Text")
            rendering.commit()
        assert sender.wait_idle(10)
    with app.app_context():
        assert all(m.sent_at is not None for m in db.session.scalars(db.select(OutboxMessage)))
