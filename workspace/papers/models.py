"""Position papers: a paper has ordered sections; every save of a section is a new,
never-changed Revision; a Snapshot names one revision of every section (a version)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workspace.db import db, utcnow

PAPER_KINDS = ("position_paper", "consultation_response", "activity_plan")
PAPER_STATUSES = ("draft", "review", "decision", "adopted", "archived")
DEFAULT_POLICY_AREAS = (
    "Infrastruktur",
    "Kollektivtrafik",
    "Kultur",
    "Kompetensförsörjning",
    "Energiförsörjning",
    "Bredband och digitalisering",
)


class PolicyArea(db.Model):
    """A workspace's policy areas (sakområden); the list is editable per workspace."""

    __tablename__ = "policy_area"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (UniqueConstraint("workspace_id", "name"),)


class Paper(db.Model):
    __tablename__ = "paper"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(30), default="position_paper")
    policy_area_id: Mapped[int | None] = mapped_column(ForeignKey("policy_area.id", ondelete="SET NULL"))
    lead_organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"))
    registration_number: Mapped[str | None] = mapped_column(String(60))  # diarienummer
    deadline: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    workspace = relationship("Workspace")
    policy_area = relationship("PolicyArea", lazy="joined")
    lead_organization = relationship("Organization", lazy="joined")
    created_by = relationship("User")
    sections = relationship(
        "Section",
        back_populates="paper",
        order_by="Section.position",
        cascade="all, delete-orphan",
    )

    __table_args__ = (Index("ix_paper_workspace_id_status", "workspace_id", "status"),)

    @property
    def live_sections(self) -> list["Section"]:
        # Sorted here too: sections added in this session are not re-ordered by the loader.
        return sorted((s for s in self.sections if s.deleted_at is None), key=lambda s: (s.position, s.id or 0))


class Section(db.Model):
    __tablename__ = "section"

    id: Mapped[int] = mapped_column(primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("paper.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(default=0)
    # The newest revision; saves compare their base against it. Bumped under a row lock.
    current_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("revision.id", use_alter=True, ondelete="SET NULL")
    )
    revision_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None]
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    paper = relationship("Paper", back_populates="sections")
    current_revision = relationship("Revision", foreign_keys=[current_revision_id], post_update=True)

    @property
    def html(self) -> str:
        return self.current_revision.html if self.current_revision else ""


class Revision(db.Model):
    """One saved state of a section's text. Append-only: never updated or deleted."""

    __tablename__ = "revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("section.id", ondelete="CASCADE"))
    number: Mapped[int]  # 1, 2, 3 … per section
    # The revision the author started from (None for the first).
    base_revision_id: Mapped[int | None] = mapped_column(ForeignKey("revision.id", ondelete="SET NULL"))
    html: Mapped[str] = mapped_column(Text)  # sanitised HTML subset
    content_hash: Mapped[str] = mapped_column(String(64))
    # "create", "save", "merge" (merged with saves in between), "restore", "import", "suggestion"
    kind: Mapped[str] = mapped_column(String(20), default="save")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str | None] = mapped_column(String(300))

    section = relationship("Section", foreign_keys=[section_id])
    author = relationship("User", lazy="joined")

    __table_args__ = (UniqueConstraint("section_id", "number"),)


class Snapshot(db.Model):
    """A named version of a whole paper ("Remissversion 1")."""

    __tablename__ = "snapshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("paper.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    # SHA-256 over the paper title and every section's title and HTML in order.
    content_hash: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    paper = relationship("Paper")
    created_by = relationship("User")
    items = relationship(
        "SnapshotSection", order_by="SnapshotSection.position", cascade="all, delete-orphan",
        back_populates="snapshot",
    )


class SnapshotSection(db.Model):
    __tablename__ = "snapshot_section"

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshot.id", ondelete="CASCADE"))
    section_id: Mapped[int] = mapped_column(ForeignKey("section.id", ondelete="CASCADE"))
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("revision.id", ondelete="SET NULL"))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))

    snapshot = relationship("Snapshot", back_populates="items")
    revision = relationship("Revision")

    __table_args__ = (UniqueConstraint("snapshot_id", "section_id"),)
