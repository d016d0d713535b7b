"""The bounded cache keeps what fits, forgets the least recently used, and is thread-safe.
(The search engine's tests also use it under load: tests/unit/search/test_segment_cache.py.)"""
import threading
import time

import pytest

from workspace.cache import BoundedCache, SharedWork


def test_least_recently_used_goes_first_when_space_runs_out():
    c = BoundedCache(30)
    for key in "abc":
        c.put(key, key.upper(), 10)
    assert c.get("a") == "A"  # now the most recently used
    c.put("d", "D", 10)
    assert c.get("b") is None and (c.get("a"), c.get("c"), c.get("d")) == ("A", "C", "D")
    assert c.size == 30 and len(c) == 3
    assert (c.hits, c.misses) == (4, 1)


def test_replacing_a_key_counts_its_size_once_and_too_big_is_not_kept():
    c = BoundedCache(30)
    c.put("a", "x", 10)
    c.put("a", "y", 20)
    assert c.size == 20 and len(c) == 1 and c.get("a") == "y"
    c.put("huge", "z", 31)
    assert c.get("huge") is None and c.get("a") == "y"


def test_a_zero_budget_keeps_nothing_and_clear_empties():
    off = BoundedCache(0)
    off.put("a", "x", 1)
    assert not off.enabled and off.get("a") is None
    c = BoundedCache(100)
    c.put("a", frozenset({1}), 16)
    c.clear()
    assert len(c) == 0 and c.size == 0 and c.get("a") is None


def test_threads_putting_and_getting_keep_the_byte_count_right():
    c = BoundedCache(5000)

    def work(n):
        for i in range(2000):
            c.put((n, i % 50), i, i % 97)
            c.get((n, (i * 7) % 50))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert c.size == sum(size for _value, size in c._entries.values()) <= 5000


def test_shared_work_is_made_once_while_the_others_wait():
    work, made, results = SharedWork(size=4), [], []

    def make():
        made.append(1)
        time.sleep(0.05)  # the others arrive while it is being made
        return "html"

    threads = [threading.Thread(target=lambda: results.append(work.get(("part", 1), make))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert made == [1] and results == ["html"] * 8


def test_shared_work_keeps_the_newest_keys_and_after_a_failure_the_others_do_without():
    work = SharedWork(size=2)
    for k in range(3):
        work.get(k, lambda k=k: k * 10)
    assert work.get(0, lambda: "again") == "again"  # the oldest was forgotten
    assert work.get(2, lambda: "not made") == 20

    def boom():
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        work.get("x", boom)
    # Tried (and failed) once: the others get None (the live streams then leave the part to
    # the page to fetch) instead of each failing again.
    assert work.get("x", lambda: "late") is None
