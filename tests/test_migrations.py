"""Migrations: empty → head works (and back), and the models match the migrations."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from workspace.db import db


def _diff():
    with db.engine.connect() as conn:
        mc = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
        return compare_metadata(mc, db.metadata)


def test_downgrade_to_empty_and_upgrade_to_head(app):
    with app.app_context():
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {t.name for t in db.metadata.sorted_tables} <= tables


def test_models_match_migrations(app):
    with app.app_context():
        assert _diff() == []


def test_event_paper_id_is_filled_in_from_the_payload(app):
    from sqlalchemy import text

    with app.app_context():
        downgrade(revision="5b8e2f1c7a90")
        with db.engine.begin() as conn:
            for verb, payload in (("section-saved", '{"paper_id": 7, "section_id": 3}'),
                                  ("presence-changed", '{"paper_id": 7, "state": "joined"}'),
                                  ("member-invited", '{"email": "a@b.se"}')):
                conn.execute(text("INSERT INTO event (created_at, verb, object_type, payload) "
                                  "VALUES (CURRENT_TIMESTAMP, :v, 'x', :p)"), {"v": verb, "p": payload})
        upgrade()
        with db.engine.connect() as conn:
            rows = dict(conn.execute(text("SELECT verb, paper_id FROM event")).all())
        assert rows == {"section-saved": 7, "presence-changed": None, "member-invited": None}
