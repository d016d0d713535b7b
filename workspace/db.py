"""The SQLAlchemy base: typed models, a constraint naming convention, SQLite pragmas."""
from __future__ import annotations

import contextlib
import contextvars
from datetime import datetime, timezone

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, registry
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on both SQLite (which drops the zone) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime")
            value = value.astimezone(timezone.utc)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


db = SQLAlchemy(model_class=Base)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    # Only SQLite connections have these pragmas; PostgreSQL connections are left alone.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()


_read_only: contextvars.ContextVar[bool] = contextvars.ContextVar("samverkan_read_only", default=False)


@contextlib.contextmanager
def read_only():
    """Transactions begun inside only read: on SQLite they begin DEFERRED and never block."""
    token = _read_only.set(True)
    try:
        yield
    finally:
        _read_only.reset(token)


def install_sqlite_locking(engine: Engine) -> None:
    """Let pysqlite not issue BEGIN itself, and begin write requests IMMEDIATE.

    With pysqlite's lazy BEGIN, a transaction that read first and writes later cannot
    wait for the write lock (SQLite answers "database is locked" at once), so concurrent
    saves would fail. Requests that write (POST and friends, CLI commands) take the write
    lock at BEGIN and wait for it via busy_timeout; page reads begin DEFERRED and never block.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, connection_record):
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn):
        from flask import has_request_context, request

        from flask import g

        if _read_only.get() or (has_request_context() and (
                request.method in ("GET", "HEAD", "OPTIONS") or g.get("committed"))):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
