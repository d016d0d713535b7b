"""Sends the outbox from a background thread of each process, so that no request waits for
the mail server or queues again for the database's write lock after its own commit.

A request that queued e-mail wakes the sender once it has committed; wakes that arrive while
it works are folded into one more round. Nothing is lost if the process dies first: the
messages stay in the outbox, and the next wake in any process, or `flask mail send` from
cron, sends them (each message is claimed with a write, so it goes out once).
"""
from __future__ import annotations

import logging
import os
import threading

log = logging.getLogger("samverkan.mail")


class MailSender:
    def __init__(self) -> None:
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
                self._thread = threading.Thread(target=self._run, args=(app,), name="samverkan-mail", daemon=True)
                self._thread.start()
            self._idle.clear()
            self._wanted.set()

    def wait_idle(self, timeout: float) -> bool:
        """True once everything asked for so far has been tried (for tests and shutdown)."""
        return self._idle.wait(timeout)

    def _run(self, app) -> None:
        from workspace.mail.services import deliver_pending

        while True:
            self._wanted.wait()
            self._wanted.clear()
            try:
                with app.app_context():
                    while deliver_pending():  # more may have been queued meanwhile
                        pass
            except Exception:  # the outbox keeps the messages for the next round or cron
                log.exception("sending the outbox failed")
            with self._lock:
                if not self._wanted.is_set():
                    self._idle.set()


sender = MailSender()
