"""Sends the outbox from a background thread of each process, so that no request waits for
the mail server or queues again for the database's write lock after its own commit.

A request that queued e-mail wakes the sender once it has committed; wakes that arrive while
it works are folded into one more round. Nothing is lost if the process dies first: the
messages stay in the outbox, and the next wake in any process, or `flask mail send` from
cron, sends them (each message is claimed with a write, so it goes out once).
"""
from __future__ import annotations

from workspace.background import BackgroundWorker


def _send_all() -> None:
    from workspace.mail import services

    while services.deliver_pending():  # more may have been queued meanwhile
        pass


sender = BackgroundWorker("samverkan-mail", _send_all)
