"""The SQLAlchemy base: typed models, a constraint naming convention, SQLite pragmas."""
from __future__ import annotations

import contextlib
import contextvars
import sqlite3
import threading
import time
import weakref
from datetime import datetime, timezone

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import JSON, DateTime, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, registry
from sqlalchemy.sql.functions import FunctionElement
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


class json_rows(FunctionElement):
    """An aggregate: the selected rows as one JSON array of arrays, `[[a, b, …], …]`, so that a
    list can come as one column of another query (a scalar subquery), not as a query of its own.
    PostgreSQL gives None for no rows, SQLite `[]`. The last argument orders the rows; SQLite
    before 3.44 cannot order inside an aggregate and takes them in the order it reads them."""

    type = JSON()
    inherit_cache = True
    name = "json_rows"


def _json_rows_parts(element, compiler, **kw) -> tuple[str, str]:
    *columns, order = element.clauses
    return ", ".join(compiler.process(c, **kw) for c in columns), compiler.process(order, **kw)


@compiles(json_rows, "postgresql")
def _json_rows_postgresql(element, compiler, **kw):
    columns, order = _json_rows_parts(element, compiler, **kw)
    return f"json_agg(json_build_array({columns}) ORDER BY {order})"


@compiles(json_rows, "sqlite")
def _json_rows_sqlite(element, compiler, **kw):
    columns, _order = _json_rows_parts(element, compiler, **kw)
    return f"json_group_array(json_array({columns}))"


def rows(statement, params: dict | None = None) -> list:
    """The rows of a statement that selects columns, not objects, in the session's transaction:
    run on its connection, without the ORM's setup for each statement (a third of such a query's
    cost in Python). For the few built-once statements every page runs."""
    return db.session.connection().execute(statement, params).all()


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


db = SQLAlchemy(model_class=Base)


BUSY_TIMEOUT_MS = 30_000


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    # Only SQLite connections have these pragmas; PostgreSQL connections are left alone.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
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


class WriterQueue:
    """The write transactions of one process, one at a time, in the order they asked.

    Waiting in SQLite's busy handler is polling: it sleeps up to 100 ms between tries, so
    under load a writer can miss many turns (issue 10: saves at 16 connections had p50 258 ms
    and p95 1.8 s). Threads of a process wait here instead and go on the moment the lock is
    free; only one writer per process then polls SQLite, against the other processes.
    """

    def __init__(self, timeout: float = 30.0) -> None:
        self._lock = threading.Lock()
        self._owner: int | None = None
        self.timeout = timeout

    def acquire(self) -> bool:
        me = threading.get_ident()
        if self._owner == me:
            return False  # a second connection of this thread: SQLite decides, as before
        if not self._lock.acquire(timeout=self.timeout):
            return False  # something held it too long: fall back to SQLite's own waiting
        self._owner = me
        return True

    def release(self) -> None:
        self._owner = None
        self._lock.release()


_writer_queues: "weakref.WeakKeyDictionary[Engine, WriterQueue]" = weakref.WeakKeyDictionary()


def writer_queue(engine: Engine) -> WriterQueue | None:
    return _writer_queues.get(engine)


# How often a process's waiting writer tries again while another process holds the lock.
WRITE_POLL_SECONDS = 0.001


def _begin_immediate_polling(dbapi_connection, timeout: float) -> bool:
    """BEGIN IMMEDIATE, tried again every millisecond while another process writes; False if
    the lock stayed taken for `timeout` seconds.

    SQLite's busy handler sleeps longer the longer it has waited (up to 100 ms between tries),
    so a process whose writer had waited a while kept losing the lock to the other process's
    fresh writers, which try again after 1 ms (issue 10: saves at 16 connections on two workers,
    p50 0.23 s but p95 1.7 s). Trying at one short interval gives both processes the same
    chance. Each process has one such writer at a time (the WriterQueue's turn).
    """
    deadline = time.monotonic() + timeout
    cur = dbapi_connection.cursor()
    try:
        cur.execute("PRAGMA busy_timeout=0")
        try:
            while True:
                try:
                    cur.execute("BEGIN IMMEDIATE")
                    return True
                except sqlite3.OperationalError as e:
                    if "locked" not in str(e):
                        raise
                    if time.monotonic() >= deadline:
                        return False
                time.sleep(WRITE_POLL_SECONDS)
        finally:
            cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    finally:
        cur.close()


def install_sqlite_locking(engine: Engine) -> None:
    """Let pysqlite not issue BEGIN itself, and begin write requests IMMEDIATE.

    With pysqlite's lazy BEGIN, a transaction that read first and writes later cannot
    wait for the write lock (SQLite answers "database is locked" at once), so concurrent
    saves would fail. Requests that write (POST and friends, CLI commands) take the write
    lock at BEGIN and wait for it; page reads begin DEFERRED and never block. Within a
    process, writers queue for their turn on a WriterQueue; between processes, the writer
    whose turn it is tries every millisecond (see _begin_immediate_polling).
    """
    if engine.dialect.name != "sqlite":
        return
    writers = _writer_queues[engine] = WriterQueue()

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, connection_record):
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn):
        from flask import g, has_request_context, request

        if _read_only.get() or (has_request_context() and (
                request.method in ("GET", "HEAD", "OPTIONS") or g.get("committed"))):
            conn.exec_driver_sql("BEGIN")
            return
        queued = writers.acquire()
        try:
            if not _begin_immediate_polling(conn.connection.dbapi_connection, writers.timeout):
                conn.exec_driver_sql("BEGIN IMMEDIATE")  # one last wait, in SQLite's busy handler
        except BaseException:
            if queued:
                writers.release()
            raise
        if queued:
            conn.connection.info["samverkan_writer"] = True  # the pool record's info

    def _done(dbapi_connection, record) -> None:
        """Give the turn back; `record` is the pool record or the connection (same info)."""
        if record is not None and record.info.pop("samverkan_writer", False):
            writers.release()

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _end(conn):
        # Just before the COMMIT itself: the next writer's BEGIN IMMEDIATE waits the
        # fraction of a millisecond it takes in SQLite's busy handler.
        _done(None, conn.connection)

    # Should a transaction end without either (a connection closed or invalidated mid-way),
    # its turn ends when the pool takes the connection back.
    event.listen(engine.pool, "checkin", _done)
    event.listen(engine.pool, "invalidate", lambda dbapi_conn, record, exc: _done(dbapi_conn, record))


def install_read_commits(app, engine: Engine) -> None:
    """PostgreSQL: a request whose transaction only read ends it with COMMIT, not ROLLBACK.

    psycopg forgets every prepared statement of a connection when it rolls back (a rolled-back
    transaction may have dropped what they refer to), and Flask-SQLAlchemy ends each request's
    session with a rollback. So no statement was ever used the five times psycopg waits before
    preparing it, and PostgreSQL planned every query of every request anew: most of the database
    server's time on a paper page (issue 10). For a transaction that only read, COMMIT and
    ROLLBACK are the same; one that wrote anything, holds unsaved changes or met an error still
    rolls back. Whether it wrote is kept on its connection (the pool record's info).
    """
    if engine.dialect.name != "postgresql":
        return

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.info["samverkan_wrote"] = False

    @event.listens_for(engine, "before_cursor_execute")
    def _statement(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip()[:6].upper() != "SELECT":
            conn.info["samverkan_wrote"] = True

    @app.teardown_appcontext
    def _commit_reads(exc):
        # Registered after Flask-SQLAlchemy's teardown, so it runs before that one closes the
        # session (teardowns run in reverse order).
        if exc is not None or not db.session.registry.has():
            return
        session = db.session()
        if not session.in_transaction() or session.new or session.deleted or session.dirty:
            return
        if session.connection().info.get("samverkan_wrote", True):
            return
        # Nothing changed, so nothing needs loading again: what was read stays readable after the
        # session closes, as after a rollback (a streamed answer reads its objects afterwards).
        try:
            commit_keeping_loaded(session)
        except Exception:  # noqa: BLE001  (the session is closed next, rolling back)
            session.rollback()


def commit_keeping_loaded(session) -> None:
    """Commit without expiring what `session` has loaded: it stays readable as it was at the
    commit, with no query to read it again."""
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire
