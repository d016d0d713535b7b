"""The fragment cache keeps what fits, forgets the least recently used, and is thread-safe."""
import threading

import pytest

from workspace.web.fragment_cache import FragmentCache


def test_text_round_trips_and_counts_utf8_bytes():
    c = FragmentCache(1000)
    c.put("a", "Återställ – allt")
    assert c.get("a") == "Återställ – allt"
    assert c.size == len("Återställ – allt".encode())
    assert c.get("missing") is None
    assert (c.hits, c.misses) == (1, 1)


def test_least_recently_used_goes_first_when_space_runs_out():
    c = FragmentCache(30)
    c.put("a", "x" * 10)
    c.put("b", "y" * 10)
    c.put("c", "z" * 10)
    assert c.get("a") == "x" * 10  # now the most recently used
    c.put("d", "w" * 10)
    assert c.get("b") is None and c.get("a") and c.get("c") and c.get("d")
    assert c.size == 30 and len(c) == 3


def test_replacing_a_key_counts_its_size_once_and_too_big_is_not_kept():
    c = FragmentCache(30)
    c.put("a", "x" * 10)
    c.put("a", "x" * 20)
    assert c.size == 20 and len(c) == 1
    c.put("huge", "x" * 31)
    assert c.get("huge") is None and c.get("a")


def test_other_values_need_a_size_and_a_zero_budget_keeps_nothing():
    c = FragmentCache(100)
    with pytest.raises(ValueError):
        c.put("s", frozenset({1}))
    c.put("s", frozenset({1}), size=16)
    assert c.get("s") == frozenset({1})
    off = FragmentCache(0)
    off.put("a", "x")
    assert not off.enabled and off.get("a") is None
    c.clear()
    assert len(c) == 0 and c.size == 0


def test_threads_putting_and_getting_keep_the_byte_count_right():
    c = FragmentCache(5000)

    def work(n):
        for i in range(2000):
            c.put((n, i % 50), "x" * (i % 97))
            c.get((n, (i * 7) % 50))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert c.size <= 5000
    assert c.size == sum(len(c._entries[k]) for k in c._entries)
