"""Work a process does after a request has answered, on a thread of its own: one thread per
kind of work and process, woken by the requests that give it something to do.

Wakes that arrive while it works are folded into one more round, so a burst of requests costs
a round or two, not one each. Nothing may depend on the thread for correctness: the work is
always also done elsewhere (by the next wake in any process, or from cron).
"""
from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable

log = logging.getLogger("samverkan.background")


class BackgroundWorker:
    def __init__(self, name: str, work: Callable[[], object]) -> None:
        self.name = name
        self._work = work
        self._wanted = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None

    def wake(self, app) -> None:
        with self._lock:
            # A forked worker does not inherit the parent's thread: start its own.
            if self._thread is None or not self._thread.is_alive() or self._pid != os.getpid():
                self._pid = os.getpid()
                self._thread = threading.Thread(target=self._run, args=(app,), name=self.name, daemon=True)
                self._thread.start()
            self._idle.clear()
            self._wanted.set()

    def wait_idle(self, timeout: float) -> bool:
        """True once everything asked for so far has been done (for tests and shutdown)."""
        return self._idle.wait(timeout)

    def _run(self, app) -> None:
        while True:
            self._wanted.wait()
            self._wanted.clear()
            try:
                with app.app_context():
                    self._work()
            except Exception:  # the work is done again by the next round, request or cron
                log.exception("%s failed", self.name)
            with self._lock:
                if not self._wanted.is_set():
                    self._idle.set()
