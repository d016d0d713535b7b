from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workspace.db import db, utcnow

ROLES = ("official", "politician", "secretariat", "reader")
SIDES = ("ruling", "opposition")
DECISION_RULES = ("consensus", "majority")
ORG_KINDS = ("region", "municipality", "authority", "other")


class Organization(db.Model):
    """A member organisation (region, municipality, authority) — global, not per workspace."""

    __tablename__ = "organization"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="other")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Workspace(db.Model):
    """A cooperation body (samverkansorgan)."""

    __tablename__ = "workspace"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    decision_rule: Mapped[str] = mapped_column(String(20), default="consensus")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    member_links = relationship(
        "WorkspaceOrganization", back_populates="workspace", cascade="all, delete-orphan"
    )
    memberships = relationship("Membership", back_populates="workspace", cascade="all, delete-orphan")

    @property
    def member_organizations(self) -> list[Organization]:
        return sorted((link.organization for link in self.member_links), key=lambda o: o.name)


class WorkspaceOrganization(db.Model):
    """A member organisation of a workspace."""

    __tablename__ = "workspace_organization"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)

    workspace = relationship("Workspace", back_populates="member_links")
    organization = relationship("Organization", lazy="joined")

    __table_args__ = (UniqueConstraint("workspace_id", "organization_id"),)


class Membership(db.Model):
    """A person's role in one workspace."""

    __tablename__ = "membership"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    political_side: Mapped[str | None] = mapped_column(String(20))  # politicians only
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    workspace = relationship("Workspace", back_populates="memberships", lazy="joined")
    user = relationship("User", back_populates="memberships", lazy="joined")

    __table_args__ = (UniqueConstraint("workspace_id", "user_id"),)
