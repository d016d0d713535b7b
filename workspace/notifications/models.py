"""Notifications (made from the event log) and each person's e-mail choice per kind."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workspace.db import db, utcnow

NOTIFICATION_KINDS = ("mention", "reply", "suggestion_outcome", "approval_round")
MAIL_MODES = ("immediate", "digest", "none")
# "none": no e-mail · "sent": e-mailed at once · "digest": waits for the daily digest ·
# "digested": went out in a digest
EMAIL_STATES = ("none", "sent", "digest", "digested")


class Notification(db.Model):
    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    workspace_id: Mapped[int | None] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    email_state: Mapped[str] = mapped_column(String(10), default="none", index=True)

    event = relationship("Event", lazy="joined")
    workspace = relationship("Workspace", lazy="joined")

    __table_args__ = (
        Index("ix_notification_user_id_read_at", "user_id", "read_at"),
        UniqueConstraint("event_id", "user_id"),
    )


class NotificationPreference(db.Model):
    __tablename__ = "notification_preference"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    mode: Mapped[str] = mapped_column(String(10), default="immediate")

    __table_args__ = (UniqueConstraint("user_id", "kind"),)
