"""Priority lists: a workspace's lettered priorities for a year, the politicians' rankings
of them and the follow-ups of an adopted list. Rankings and follow-ups are append-only:
the newest row counts, the older ones stay as history."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workspace.db import db, utcnow

LIST_STATUSES = ("draft", "ranking", "decision", "adopted")
PERIODS = ("delarsbokslut", "arsbokslut")
FOLLOW_UP_STATUSES = ("not_started", "ongoing", "done", "cancelled")


def letter_for(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA … (a list rarely passes Z, but it must never break)."""
    out = ""
    n = index + 1
    while n:
        n, rest = divmod(n - 1, 26)
        out = chr(ord("A") + rest) + out
    return out


class PriorityList(db.Model):
    __tablename__ = "priority_list"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    year: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    carried_over_from_id: Mapped[int | None] = mapped_column(ForeignKey("priority_list.id", ondelete="SET NULL"))
    # The content hash the list was put up for decision with (and adopted with).
    decision_hash: Mapped[str | None] = mapped_column(String(64))
    submitted_at: Mapped[datetime | None]
    adopted_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    workspace = relationship("Workspace")
    carried_over_from = relationship("PriorityList", remote_side=[id])
    items = relationship("PriorityItem", back_populates="priority_list", order_by="PriorityItem.position",
                         cascade="all, delete-orphan")

    __table_args__ = (UniqueConstraint("workspace_id", "year"),)

    @property
    def ordered_items(self) -> list["PriorityItem"]:
        # Sorted here too: items added in this session are not re-ordered by the loader.
        return sorted(self.items, key=lambda i: (i.position, i.id or 0))


class PriorityItem(db.Model):
    __tablename__ = "priority_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("priority_list.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    responsible_organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organization.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(default=0)
    # The item of an earlier year's list this one was carried over from: its history.
    origin_id: Mapped[int | None] = mapped_column(ForeignKey("priority_item.id", ondelete="SET NULL"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    priority_list = relationship("PriorityList", back_populates="items")
    responsible_organization = relationship("Organization", lazy="joined")
    origin = relationship("PriorityItem", remote_side=[id])
    papers = relationship("Paper", secondary="priority_item_paper", order_by="Paper.title")

    @property
    def letter(self) -> str:
        return letter_for(self.priority_list.ordered_items.index(self))


class PriorityItemPaper(db.Model):
    """A paper of the same workspace that an item refers to."""

    __tablename__ = "priority_item_paper"

    item_id: Mapped[int] = mapped_column(ForeignKey("priority_item.id", ondelete="CASCADE"), primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("paper.id", ondelete="CASCADE"), primary_key=True, index=True)


class Ranking(db.Model):
    """One organisation's ranking of a list's items, made by one of its politicians.

    A later ranking by the same organisation supersedes this one; both are kept."""

    __tablename__ = "priority_ranking"

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("priority_list.id", ondelete="CASCADE"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # Item ids, most important first.
    item_order: Mapped[list[int]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organization = relationship("Organization", lazy="joined")
    user = relationship("User", lazy="joined")

    __table_args__ = (Index("ix_priority_ranking_list_id_organization_id", "list_id", "organization_id"),)


class FollowUp(db.Model):
    """The status of an adopted item at a period (interim or annual report). Append-only."""

    __tablename__ = "priority_follow_up"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("priority_item.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    item = relationship("PriorityItem")
    user = relationship("User", lazy="joined")

    __table_args__ = (Index("ix_priority_follow_up_item_id_period", "item_id", "period"),)
