from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workspace.db import db, utcnow


class User(UserMixin, db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    locale: Mapped[str] = mapped_column(String(5), default="sv")
    is_enabled: Mapped[bool] = mapped_column(default=True)
    # Bumped on password change and logout-everywhere; part of the session id so old
    # sessions stop working.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    organization = relationship("Organization", lazy="joined")
    memberships = relationship("Membership", back_populates="user")

    def get_id(self) -> str:
        return f"{self.id}.{self.session_version}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.is_enabled and self.password_hash is not None

    @property
    def initials(self) -> str:
        return initials_of(self.name, self.email)


def initials_of(name: str, email: str) -> str:
    """What an avatar shows: the first letters of the first two names, else of the e-mail."""
    parts = [p for p in name.split() if p]
    return "".join(p[0] for p in parts[:2]).upper() or email[:2].upper()


class AuthSession(db.Model):
    """One logged-in session. The cookie carries a random id whose SHA-256 is stored here, so
    logging out (or changing the password) ends the session for real: a copied cookie stops
    working, which a signed cookie alone could not promise."""

    __tablename__ = "auth_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    user_agent: Mapped[str] = mapped_column(String(200), default="")


class AccountToken(db.Model):
    """A single-use link sent by e-mail: an invitation or a password reset.

    Only the SHA-256 of the token is stored, so a leaked database gives no working links.
    """

    __tablename__ = "account_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))  # "invite" | "reset"
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    workspace_id: Mapped[int | None] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user = relationship("User")
    workspace = relationship("Workspace")
