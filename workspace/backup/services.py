"""Consistent online backups and restores of the database.

SQLite: the backup API copies a consistent snapshot while the app keeps serving (readers
and writers are not stopped; the copy restarts pages that change underneath it).
PostgreSQL: pg_dump in its custom format (one consistent transaction snapshot), restored
with pg_restore. The search index is derived data and is rebuilt after a restore; the
secret key and uploaded files under instance/ are backed up by the host's file backups.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import make_url

from workspace.db import db

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(RuntimeError):
    """Something the operator must fix; the message says what."""


def _dialect() -> str:
    return db.engine.dialect.name


def _sqlite_path() -> str:
    path = make_url(str(db.engine.url)).database
    if not path or path == ":memory:":
        raise BackupError("an in-memory database cannot be backed up")
    return path


def _libpq_url() -> str:
    """pg_dump speaks libpq URLs: drop SQLAlchemy's '+driver' and keep the password."""
    url = make_url(str(db.engine.url)).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not installed (apt-get install postgresql-client)")
    return found


def backup(target: str | os.PathLike) -> Path:
    """Write a consistent copy of the live database to `target` (a file)."""
    target = Path(target)
    if target.exists() and target.is_dir():
        raise BackupError(f"{target} is a directory; name a file")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".partial")
    tmp.unlink(missing_ok=True)
    if _dialect() == "sqlite":
        src = sqlite3.connect(_sqlite_path(), timeout=30)
        dst = sqlite3.connect(tmp)
        try:
            with dst:
                src.backup(dst, pages=1024)
        finally:
            dst.close()
            src.close()
    elif _dialect() == "postgresql":
        result = subprocess.run(
            [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
             "--file", str(tmp), _libpq_url()],
            capture_output=True, text=True, timeout=3600,
        )
        if result.returncode != 0:
            tmp.unlink(missing_ok=True)
            raise BackupError("pg_dump failed: " + result.stderr.strip()[-2000:])
    else:
        raise BackupError(f"backups of {_dialect()} are not supported")
    os.replace(tmp, target)  # a half-written backup never carries the final name
    return target


def restore(source: str | os.PathLike) -> None:
    """Replace the database's contents with the backup in `source`.

    Stop the app's processes first: a restore replaces every table under them.
    """
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"{source} does not exist")
    with source.open("rb") as fh:
        head = fh.read(16)
    _drop_connections()
    if _dialect() == "sqlite":
        if head != SQLITE_MAGIC:
            raise BackupError(f"{source} is not an SQLite backup")
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            try:
                healthy = src.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            except sqlite3.DatabaseError:
                healthy = False
            if not healthy:
                raise BackupError(f"{source} is damaged (integrity check failed)")
            dst = sqlite3.connect(_sqlite_path(), timeout=30)
            try:
                with dst:
                    src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
    elif _dialect() == "postgresql":
        if not head.startswith(PGDUMP_MAGIC):
            raise BackupError(f"{source} is not a pg_dump custom-format backup")
        url = _libpq_url()
        sql = subprocess.run(
            [_pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--file", "-", str(source)],
            capture_output=True, timeout=3600,
        )
        if sql.returncode != 0:
            raise BackupError("pg_restore could not read the backup: " + sql.stderr.decode(errors="replace")[-2000:])
        # Emptying the schema and loading the dump run in one transaction: a restore that
        # fails half-way leaves the database exactly as it was.
        script = b"DROP SCHEMA public CASCADE;\nCREATE SCHEMA public;\n" + sql.stdout
        result = subprocess.run(
            [_pg_tool("psql"), "--quiet", "--no-psqlrc", "--single-transaction", "-v", "ON_ERROR_STOP=1",
             "--dbname", url],
            input=script, capture_output=True, timeout=3600,
        )
        if result.returncode != 0:
            raise BackupError("restore failed, nothing changed: " + result.stderr.decode(errors="replace")[-2000:])
    else:
        raise BackupError(f"restores of {_dialect()} are not supported")
    _drop_connections()


def _drop_connections() -> None:
    """No pooled connection may outlive the restore with stale state. A connection that
    another thread holds at this moment (the live hub's poll, a job) goes back to the old
    pool afterwards: it is closed then, not left open for the garbage collector."""
    db.session.remove()
    old = db.engine.pool
    db.engine.dispose()
    if not event.contains(old, "checkin", _close_on_checkin):
        event.listen(old, "checkin", _close_on_checkin)


def _close_on_checkin(dbapi_connection, record) -> None:
    if dbapi_connection is not None:
        record.invalidate()  # closes it; the disposed pool keeps only the empty record
