"""Comment threads on a section (optionally on a quoted passage), their comments, and
suggestions (ändringsförslag): proposed new text for a section."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workspace.db import db, utcnow

THREAD_STATUSES = ("open", "resolved")
SUGGESTION_STATUSES = ("open", "accepted", "rejected")


class CommentThread(db.Model):
    __tablename__ = "comment_thread"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    paper_id: Mapped[int] = mapped_column(ForeignKey("paper.id", ondelete="CASCADE"), index=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("section.id", ondelete="CASCADE"))
    # The passage the thread is about (None: the whole section). The block's text and
    # index at the time let us re-find the passage after others edit the section.
    quote: Mapped[str | None] = mapped_column(Text)
    anchor_text: Mapped[str | None] = mapped_column(Text)
    anchor_index: Mapped[int | None]
    # The section's revision when the thread started: edits since are followed block by block.
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("revision.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default="open")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    section = relationship("Section")
    revision = relationship("Revision")
    created_by = relationship("User", foreign_keys=[created_by_id], lazy="joined")
    resolved_by = relationship("User", foreign_keys=[resolved_by_id])
    comments = relationship("Comment", back_populates="thread", order_by="Comment.id",
                            cascade="all, delete-orphan", lazy="selectin")

    __table_args__ = (Index("ix_comment_thread_section_id_status", "section_id", "status"),)


class Comment(db.Model):
    __tablename__ = "comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("comment_thread.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    html: Mapped[str] = mapped_column(Text)  # sanitised, comment allow-list
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]
    # A deleted comment keeps its place (replies stay) but loses its text.
    deleted_at: Mapped[datetime | None]

    thread = relationship("CommentThread", back_populates="comments")
    author = relationship("User", lazy="joined")


class Suggestion(db.Model):
    __tablename__ = "suggestion"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    paper_id: Mapped[int] = mapped_column(ForeignKey("paper.id", ondelete="CASCADE"), index=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("section.id", ondelete="CASCADE"), index=True)
    # The revision the author started from: accepting merges three-way against it.
    base_revision_id: Mapped[int | None] = mapped_column(ForeignKey("revision.id", ondelete="SET NULL"))
    html: Mapped[str] = mapped_column(Text)  # sanitised section allow-list
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="open")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("revision.id", ondelete="SET NULL"))

    section = relationship("Section")
    paper = relationship("Paper")
    base_revision = relationship("Revision", foreign_keys=[base_revision_id])
    author = relationship("User", foreign_keys=[author_id], lazy="joined")
    decided_by = relationship("User", foreign_keys=[decided_by_id])
