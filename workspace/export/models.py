"""Export: the workspace's Word template, and export jobs that run in the background.

Both live in the database so that every app process sees the same template and the same
job progress; a job's finished file lies under instance/exports/.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workspace.db import db, utcnow

JOB_KINDS = ("zip", "pdf")
JOB_STATUSES = ("queued", "running", "done", "failed")


class ExportTemplate(db.Model):
    __tablename__ = "export_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"), unique=True)
    filename: Mapped[str] = mapped_column(String(200))
    data: Mapped[bytes] = mapped_column(LargeBinary)  # normalised to .docx
    size: Mapped[int]
    content_hash: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    uploaded_by = relationship("User")
    workspace = relationship("Workspace")


class ExportJob(db.Model):
    __tablename__ = "export_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    progress: Mapped[int] = mapped_column(default=0)  # 0–100
    step: Mapped[str] = mapped_column(String(300), default="")
    error: Mapped[str] = mapped_column(String(500), default="")
    token: Mapped[str] = mapped_column(String(40))  # the file's name under instance/exports/
    filename: Mapped[str] = mapped_column(String(200), default="")  # the name the user downloads
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    # The process that runs it ("host:pid:start"): a job whose process is gone reads as failed
    # at once instead of after STALE_AFTER (see services.load_job).
    runner: Mapped[str] = mapped_column(String(200), default="")

    user = relationship("User")

    __table_args__ = (Index("ix_export_job_workspace_id_user_id", "workspace_id", "user_id"),)

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")
