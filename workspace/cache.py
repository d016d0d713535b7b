"""A bounded, thread-safe, in-process LRU cache, measured in bytes.

Used where values are derived from something that never changes under its key: the search
engine's data decoded from immutable index segments, and the paper page's sections rendered
for one state of a paper. Keys name what a value was made from, so nothing is invalidated;
entries are forgotten, least recently used first, when the budget runs out. Each process
(each gunicorn worker) has its own; a restart empties it.
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
