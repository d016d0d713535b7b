"""On SQLite the write transactions of a process take turns on a WriterQueue before BEGIN
IMMEDIATE; every way a transaction can end gives the turn back."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from workspace.db import WriterQueue, db, writer_queue


@pytest.fixture
def engine(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("the writer queue is SQLite's")
        yield db.engine


def writers_of(engine) -> WriterQueue:
    q = writer_queue(engine)
    assert q is not None
    return q


def free(q: WriterQueue) -> bool:
    if q._lock.acquire(blocking=False):
        q._lock.release()
        return True
    return False


def test_commit_rollback_and_checkin_each_give_the_turn_back(app, engine):
    q = writers_of(engine)
    assert free(q)
    with engine.connect() as conn:  # outside a request: a writer
        conn.execute(text("SELECT 1"))
        assert not free(q)
        conn.commit()
        assert free(q)
        conn.execute(text("SELECT 1"))
        assert not free(q)
        conn.rollback()
        assert free(q)
        conn.execute(text("SELECT 1"))
        assert not free(q)
    # closed with the transaction open: rolled back and checked in
    assert free(q)


def test_concurrent_writers_take_turns_and_lose_nothing(app, engine):
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS writer_probe (n INTEGER)"))
        conn.execute(text("DELETE FROM writer_probe"))
    errors: list[BaseException] = []

    def work(i: int):
        try:
            for _ in range(20):
                with engine.begin() as conn:
                    n = conn.execute(text("SELECT COUNT(*) FROM writer_probe")).scalar()
                    conn.execute(text("INSERT INTO writer_probe (n) VALUES (:n)"), {"n": n})
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    try:
        assert not errors, errors
        with engine.connect() as conn:
            values = [r[0] for r in conn.execute(text("SELECT n FROM writer_probe ORDER BY n"))]
        # Each transaction saw every earlier one: the counts are 0..159 with no repeats.
        assert values == list(range(160))
        assert free(writers_of(engine))
    finally:
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE writer_probe"))


def test_a_writer_gets_the_lock_at_once_when_another_process_lets_go(app, engine):
    """Another process (here a plain connection) holds the write lock; our writer polls every
    millisecond, so it begins right after the release, not at the end of one of SQLite's busy
    handler's sleeps (up to 100 ms after a long wait), and the busy timeout is back after."""
    import sqlite3
    import time

    path = engine.url.database
    other = sqlite3.connect(path, isolation_level=None, timeout=0, check_same_thread=False)
    released = {}
    began = {}

    def hold():
        time.sleep(0.64)  # SQLite's busy handler would be in a 100 ms sleep by then
        released["at"] = time.monotonic()
        other.execute("COMMIT")

    other.execute("BEGIN IMMEDIATE")
    t = threading.Thread(target=hold)
    t.start()
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))  # begins IMMEDIATE: waits for the other
            began["at"] = time.monotonic()
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 30_000
            conn.rollback()
    finally:
        t.join(5)
        other.close()
    assert began["at"] - released["at"] < 0.04
