"""Bounded, thread-safe, in-process caches.

`BoundedCache`: an LRU cache measured in bytes.

Used where values are derived from something that never changes under its key: the search
engine's data decoded from immutable index segments, and the paper page's sections rendered
for one state of a paper. Keys name what a value was made from, so nothing is invalidated;
entries are forgotten, least recently used first, when the budget runs out. Each process
(each gunicorn worker) has its own; a restart empties it.

`SharedWork`: what many threads need at about the same moment (the live streams of one
process after an event), made once by the first and waited for by the others.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable


class BoundedCache:
    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
        self._bytes = 0
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    @property
    def size(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable):
        """The value stored under `key`, or None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[0]

    def put(self, key: Hashable, value, size: int) -> None:
        """Store `value`, about `size` bytes; a value bigger than the budget is not kept.
        Two threads may make the same value at once: the later one replaces the earlier."""
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._entries[key] = (value, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _key, (_value, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0


class SharedWork:
    """Values made once per key by the first thread that asks; the others asking meanwhile
    wait for it (up to `wait` seconds, then get None). Only the newest `size` keys are kept."""

    def __init__(self, size: int = 256, wait: float = 10.0):
        self.size = size
        self.wait = wait
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, list] = OrderedDict()

    def get(self, key: Hashable, make):
        """The value for `key`; made by `make()` if nobody has. If `make` raises, the error
        goes to the thread that called it and the others get None."""
        with self._lock:
            entry = self._entries.get(key)
            mine = entry is None
            if mine:
                entry = self._entries[key] = [threading.Event(), None]
                while len(self._entries) > self.size:
                    self._entries.popitem(last=False)
        if mine:
            try:
                entry[1] = make()
            finally:
                entry[0].set()
        else:
            entry[0].wait(self.wait)
        return entry[1]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
