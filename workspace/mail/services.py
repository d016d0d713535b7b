"""E-mail through an outbox table.

Services queue messages in the same transaction as the change that causes them; after the
request commits, `deliver_pending` sends them over SMTP (when MAIL_SERVER is set) or
writes them to the log (development). `flask mail send` does the same from cron and
retries failures.
"""
from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import select, update

from workspace.db import db, utcnow
from workspace.mail.models import OutboxMessage

log = logging.getLogger("samverkan.mail")
MAX_ATTEMPTS = 5


def queue_mail(to_addr: str, subject: str, body: str, *, kind: str = "other") -> OutboxMessage:
    msg = OutboxMessage(to_addr=to_addr, subject=subject, body=body, kind=kind)
    db.session.add(msg)
    db.session.flush()
    db.session.info["mail_queued"] = True
    return msg


def _send(msg: OutboxMessage) -> None:
    cfg = current_app.config
    if not cfg.get("MAIL_SERVER"):
        log.info("E-mail to %s: %s\n%s", msg.to_addr, msg.subject, msg.body)
        return
    em = EmailMessage()
    em["From"] = cfg["MAIL_FROM"]
    em["To"] = msg.to_addr
    em["Subject"] = msg.subject
    em.set_content(msg.body)
    with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=20) as smtp:
        if cfg.get("MAIL_USE_TLS"):
            smtp.starttls()
        if cfg.get("MAIL_USERNAME"):
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
        smtp.send_message(em)


def deliver_pending(limit: int = 50) -> int:
    """Send unsent messages; returns how many went out. Commits per message."""
    sent = 0
    ids = db.session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS)
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    db.session.rollback()
    for msg_id in ids:
        msg = db.session.get(OutboxMessage, msg_id)
        if msg is None or msg.sent_at is not None:
            db.session.rollback()
            continue
        # Claim the message so that two processes never send it twice.
        claimed = db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == msg_id, OutboxMessage.attempts == msg.attempts,
                   OutboxMessage.sent_at.is_(None))
            .values(attempts=OutboxMessage.attempts + 1)
        ).rowcount
        db.session.commit()
        if not claimed:
            continue
        try:
            _send(msg)
        except Exception as exc:  # network errors of every kind: keep for the retry
            log.warning("E-mail %s to %s failed: %s", msg.id, msg.to_addr, exc)
            msg.last_error = str(exc)[:1000]
        else:
            msg.sent_at = utcnow()
            sent += 1
        db.session.commit()
    return sent
