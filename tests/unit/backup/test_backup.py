"""flask backup / flask restore: a round trip gives back every table, row for row."""
from __future__ import annotations

import pytest
from sqlalchemy import select, text

from workspace.backup.services import BackupError, backup, restore
from workspace.db import db, read_only


def dump_tables() -> dict[str, list[tuple]]:
    """Every row of every table (and Alembic's version), in primary-key order."""
    out = {}
    for table in db.metadata.sorted_tables:
        pk = [c for c in table.primary_key.columns] or list(table.columns)
        rows = db.session.execute(select(table).order_by(*pk)).all()
        out[table.name] = [tuple(r) for r in rows]
    out["alembic_version"] = [tuple(r) for r in db.session.execute(text("SELECT version_num FROM alembic_version"))]
    return out


def change_everything(demo):
    from workspace.papers import services as papers

    author = demo.user("tjansteman.skane@demo.example")
    ws = demo.workspace("sydsverige")
    paper = papers.create_paper(author, ws, title="Skrivet efter säkerhetskopian",
                                sections=[("Bakgrund", "<p>Ny text</p>")])
    author.name = "Namn ändrat efter kopian"
    db.session.flush()
    return paper


def test_round_trip_restores_every_table(app, demo, tmp_path):
    with app.test_request_context(method="POST"):
        before = dump_tables()
        assert sum(len(v) for v in before.values()) > 50  # the demo is really there
        target = backup(tmp_path / "kopia.backup")
        assert target.stat().st_size > 0
        change_everything(demo)
        db.session.commit()
        assert dump_tables() != before
        restore(target)
        db.session.remove()
        assert dump_tables() == before


def test_backup_replaces_an_old_file_only_when_complete(app, demo, tmp_path):
    target = tmp_path / "kopia.backup"
    target.write_bytes(b"old")
    with app.app_context():
        backup(target)
    assert target.read_bytes() != b"old"
    assert not (tmp_path / "kopia.backup.partial").exists()


@pytest.mark.parametrize("content", [b"", b"not a backup at all", b"PK\x03\x04zipfile", b"SQLite format 3\x00" + b"\x00" * 200])
def test_a_file_that_is_no_backup_is_refused_and_nothing_changes(app, demo, tmp_path, content):
    bad = tmp_path / "trasig.backup"
    bad.write_bytes(content)
    with app.test_request_context():
        before = dump_tables()
        with pytest.raises(BackupError):
            restore(bad)
        db.session.remove()
        assert dump_tables() == before


def test_backup_to_a_directory_is_refused(app, tmp_path):
    with app.app_context(), pytest.raises(BackupError, match="directory"):
        backup(tmp_path)


def test_cli_round_trip(app, demo, tmp_path):
    runner = app.test_cli_runner()
    target = tmp_path / "cli.backup"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert "Säkerhetskopia sparad" in result.output
    result = runner.invoke(args=["restore", str(target), "--yes"])
    assert result.exit_code == 0, result.output
    assert "sökindexet är återuppbyggt" in result.output
    missing = runner.invoke(args=["restore", str(tmp_path / "finns-inte.backup"), "--yes"])
    assert missing.exit_code != 0


def test_a_connection_held_elsewhere_during_a_restore_is_closed_when_given_back(app, demo, tmp_path):
    """The live hub (or a job) may hold a pooled connection while a restore drops the pool:
    it must be closed when it comes back, not left open for the garbage collector (psycopg
    warns then, in whichever later test the collector happens to run)."""
    target = tmp_path / "b.dump"
    with app.app_context():
        backup(target)
        with read_only():  # as the live hub polls: a reader (on SQLite a writer would block the restore)
            held = db.engine.connect()
            held.execute(text("SELECT 1"))
            held.rollback()
        raw = held.connection.dbapi_connection
        restore(target)
        held.close()  # given back to the pool the restore disposed of
        with pytest.raises(Exception):
            raw.cursor().execute("SELECT 1")  # closed, not just idle
        assert db.session.execute(text("SELECT 1")).scalar() == 1  # the app goes on
