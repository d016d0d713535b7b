"""A bounded, thread-safe, in-process cache of rendered HTML fragments.

Keys name the *state* a fragment was rendered from (so an entry is never invalidated, only
forgotten when space runs out, least recently used first). Each gunicorn worker has its own;
a restart empties it. Values are stored as UTF-8 bytes: a rendered page is mostly text, and a
Python str with one "–" in it takes two bytes for every character.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable


class FragmentCache:
    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, bytes | object] = OrderedDict()
        self._sizes: dict[Hashable, int] = {}
        self._bytes = 0
        self._lock = threading.Lock()
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
        """The value stored under `key` (a str for text), or None."""
        with self._lock:
            value = self._entries.get(key)
            if value is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
        return value.decode("utf-8") if isinstance(value, bytes) else value

    def put(self, key: Hashable, value, size: int | None = None) -> None:
        """Store `value`: text is kept as UTF-8; anything else needs its `size` in bytes."""
        if not self.enabled:
            return
        if isinstance(value, str):
            value = value.encode("utf-8")
            size = len(value)
        elif size is None:
            raise ValueError("size is needed for a value that is not text")
        if size > self.max_bytes:
            return
        with self._lock:
            if key in self._entries:
                self._bytes -= self._sizes[key]
            self._entries[key] = value
            self._entries.move_to_end(key)
            self._sizes[key] = size
            self._bytes += size
            while self._bytes > self.max_bytes:
                old, _ = self._entries.popitem(last=False)
                self._bytes -= self._sizes.pop(old)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._sizes.clear()
            self._bytes = 0
