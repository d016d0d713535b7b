"""commit(): e-mail queued by a write request goes out while the request still counts as a
writer, so on SQLite its claim transactions begin IMMEDIATE and wait for the write lock
instead of failing with "database is locked" after the change was committed (issue 10:
every comment reply under 16 concurrent connections answered 500)."""
from __future__ import annotations

from flask import g

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


def test_delivery_claims_begin_immediate_on_sqlite(app):
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

    with app.test_request_context("/", method="POST"):
        queue_mail("someone@example.org", "Ämne", "Text")
        event.listen(engine, "before_cursor_execute", record)
        try:
            rendering.commit()
        finally:
            event.remove(engine, "before_cursor_execute", record)
        sent = db.session.scalars(db.select(OutboxMessage)).all()
        assert [m.sent_at is not None for m in sent] == [True]
    assert len(begins) >= 2 and set(begins) == {"BEGIN IMMEDIATE"}
