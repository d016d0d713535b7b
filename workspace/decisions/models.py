"""Approval rounds: a round asks the taking-part member organisations to decide on one
exact version of a subject (a paper's named version, later a priority list). Decisions
are append-only; a later decision of the same organisation supersedes the earlier one.
Ratifications record each member's own follow-up decision on an adopted subject."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workspace.db import db, utcnow

SUBJECT_TYPES = ("paper", "priority_list")
ROUND_STATUSES = ("open", "closed", "cancelled")
# met: the rule was met and the subject adopted; not_met: back to draft;
# changed: the rule was met but the text had changed since the version, so nothing was adopted.
ROUND_OUTCOMES = ("met", "not_met", "changed")
CLOSE_REASONS = ("deadline", "all_decided", "manual", "restarted", "cancelled")
DECISION_KINDS = ("approve", "approve_reservation", "approve_statement", "decline", "abstain")
RATIFICATION_STATUSES = ("pending", "not_needed", "ratified", "rejected")


class ApprovalRound(db.Model):
    __tablename__ = "approval_round"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"), index=True)
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int]
    # Set for papers only: lets the paper's pages and live keys find the round cheaply.
    paper_id: Mapped[int | None] = mapped_column(ForeignKey("paper.id", ondelete="CASCADE"), index=True)
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("snapshot.id", ondelete="SET NULL"))
    # SHA-256 of exactly what is up for decision; every decision is bound to it.
    content_hash: Mapped[str] = mapped_column(String(64))
    rule: Mapped[str] = mapped_column(String(20))  # copied from the workspace when opened
    message: Mapped[str] = mapped_column(Text, default="")
    deadline: Mapped[datetime]
    registration_number: Mapped[str | None] = mapped_column(String(60))  # diarienummer on adoption
    status: Mapped[str] = mapped_column(String(20), default="open")
    outcome: Mapped[str | None] = mapped_column(String(20))
    close_reason: Mapped[str | None] = mapped_column(String(20))
    adopted_content_hash: Mapped[str | None] = mapped_column(String(64))
    previous_round_id: Mapped[int | None] = mapped_column(ForeignKey("approval_round.id", ondelete="SET NULL"))
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    closed_at: Mapped[datetime | None]

    workspace = relationship("Workspace")
    snapshot = relationship("Snapshot")
    opened_by = relationship("User", foreign_keys=[opened_by_id])
    closed_by = relationship("User", foreign_keys=[closed_by_id])
    participants = relationship("RoundParticipant", back_populates="round", cascade="all, delete-orphan",
                                lazy="selectin")
    decisions = relationship("Decision", back_populates="round", order_by="Decision.id",
                             cascade="all, delete-orphan", foreign_keys="Decision.round_id")

    __table_args__ = (
        Index("ix_approval_round_status_deadline", "status", "deadline"),
        Index("ix_approval_round_subject_type_subject_id", "subject_type", "subject_id"),
    )

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def organization_ids(self) -> list[int]:
        return sorted(p.organization_id for p in self.participants)


class RoundParticipant(db.Model):
    """A member organisation that takes part in a round."""

    __tablename__ = "round_participant"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("approval_round.id", ondelete="CASCADE"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))

    round = relationship("ApprovalRound", back_populates="participants")
    organization = relationship("Organization", lazy="joined")

    __table_args__ = (UniqueConstraint("round_id", "organization_id"),)


class Decision(db.Model):
    """One organisation's decision as recorded by one politician. Never updated except to
    point at the decision that superseded it; never deleted."""

    __tablename__ = "decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("approval_round.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(30))
    # The reservation, the särskilt yttrande or the reason for declining.
    statement: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")  # protokollsanteckning
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id", ondelete="SET NULL"))

    round = relationship("ApprovalRound", back_populates="decisions", foreign_keys=[round_id])
    organization = relationship("Organization", lazy="joined")
    user = relationship("User", lazy="joined")

    @property
    def standing(self) -> bool:
        return self.superseded_by_id is None


class Ratification(db.Model):
    """A member organisation's own ratification of an adopted subject (the adopting round)."""

    __tablename__ = "ratification"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("approval_round.id", ondelete="CASCADE"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    registration_number: Mapped[str] = mapped_column(String(60), default="")  # the member's diarienummer
    body: Mapped[str] = mapped_column(String(160), default="")  # e.g. regionstyrelsen
    decided_on: Mapped[date | None] = mapped_column(Date)
    paragraph: Mapped[str] = mapped_column(String(30), default="")  # § in the minutes
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    organization = relationship("Organization", lazy="joined")
    updated_by = relationship("User")

    __table_args__ = (UniqueConstraint("round_id", "organization_id"),)
