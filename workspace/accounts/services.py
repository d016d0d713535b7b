"""Accounts: logging in, passwords, e-mailed links (invitation and reset), language."""
from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import timedelta

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import bindparam, exists, func, select, update

from workspace.accounts.models import AccountToken, AuthSession, User
from workspace.accounts.passwords import hash_password, needs_rehash, verify_password
from workspace.db import db, utcnow
from workspace.events import record_event
from workspace.mail.services import queue_mail


class AccountError(ValueError):
    """A rule of the accounts domain was broken; the message is for the user."""


def normalize_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalize_email(email)))


def authenticate(email: str, password: str) -> User | None:
    user = find_user_by_email(email)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    record_event(user, "user-logged-in", user)
    return user


def change_password(actor: User, current: str, new: str) -> None:
    if not verify_password(actor.password_hash, current):
        raise AccountError(_("Det nuvarande lösenordet stämmer inte."))
    _set_password(actor, new)
    record_event(actor, "password-changed", actor)


def _set_password(user: User, new: str) -> None:
    user.password_hash = hash_password(new)
    # Every session of this user ends (the caller starts a fresh one for this browser).
    user.session_version += 1
    end_all_sessions(user)


# --- sessions -------------------------------------------------------------------------

def start_session(user: User, user_agent: str = "") -> str:
    """A new session id for a login; the cookie gets the id, the database its hash."""
    token = secrets.token_urlsafe(32)
    db.session.add(AuthSession(user_id=user.id, token_hash=_digest(token), user_agent=(user_agent or "")[:200]))
    db.session.flush()
    return token


def end_session(token: str | None) -> None:
    if token:
        db.session.execute(update(AuthSession).where(AuthSession.token_hash == _digest(token),
                                                     AuthSession.ended_at.is_(None)).values(ended_at=utcnow()))


def end_all_sessions(user: User) -> None:
    db.session.execute(update(AuthSession).where(AuthSession.user_id == user.id,
                                                 AuthSession.ended_at.is_(None)).values(ended_at=utcnow()))


# Built once, run with parameters: every request asks these, and building a statement costs
# SQLAlchemy several times what running it costs (docs/benchmarks.md, "2026-12-01").
def _live_session_of(user_id):
    """The server-side session `:token_hash` of `user_id`, not logged out, begun after `:since`."""
    return (AuthSession.token_hash == bindparam("token_hash"), AuthSession.user_id == user_id,
            AuthSession.ended_at.is_(None), AuthSession.created_at > bindparam("since"))


_SESSION_USER = select(User).where(User.id == bindparam("user_id"), User.session_version == bindparam("version"),
                                   exists().where(*_live_session_of(User.id)))
_SESSION_IS_LIVE = select(AuthSession.id).where(*_live_session_of(bindparam("user_id")))


def _session_params(token: str) -> dict:
    return {"token_hash": _digest(token), "since": utcnow() - current_app.config["PERMANENT_SESSION_LIFETIME"]}


def session_user(user_id: int, version: int, token: str | None, *, with_columns=None):
    """The logged-in person of a request, in one query: the user of that id and session version,
    if the server-side session `token` is still live (not logged out, not expired).

    `with_columns(statement)` may add columns to that query (built once per function; they may
    use `:user_id`): then the answer is the whole row, (user, *columns), or None."""
    if not token:
        return None
    params = {"user_id": user_id, "version": version, **_session_params(token)}
    if with_columns is None:
        return db.session.scalar(_SESSION_USER, params)
    return db.session.execute(_session_user_with(with_columns), params).first()


@functools.cache
def _session_user_with(with_columns):
    return with_columns(_SESSION_USER)


def session_is_live(user_id: int, token: str | None) -> bool:
    if not token:
        return False
    return db.session.scalar(_SESSION_IS_LIVE, {"user_id": user_id, **_session_params(token)}) is not None


def set_locale(actor: User, locale: str) -> None:
    if locale not in current_app.config["LANGUAGES"]:
        raise AccountError(_("Okänt språk."))
    actor.locale = locale


# --- e-mailed links -------------------------------------------------------------------

def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, purpose: str, valid_for: timedelta, workspace=None) -> str:
    token = secrets.token_urlsafe(32)
    db.session.add(
        AccountToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=_digest(token),
            workspace_id=workspace.id if workspace is not None else None,
            expires_at=utcnow() + valid_for,
        )
    )
    db.session.flush()
    return token


def find_valid_token(token: str, purpose: str) -> AccountToken | None:
    if not token or len(token) > 200:
        return None
    row = db.session.scalar(
        select(AccountToken).where(AccountToken.token_hash == _digest(token), AccountToken.purpose == purpose)
    )
    if row is None or row.used_at is not None or row.expires_at < utcnow():
        return None
    return row


def request_password_reset(email: str) -> None:
    """Send a reset link if the address belongs to an account; say nothing either way."""
    user = find_user_by_email(email)
    if user is None or not user.is_enabled:
        return
    token = issue_token(user, "reset", current_app.config["PASSWORD_RESET_VALID_FOR"])
    link = current_app.config["PUBLIC_URL"].rstrip("/") + url_for("accounts.reset_password", token=token)
    with force_locale(user.locale):
        queue_mail(
            user.email,
            _("Återställ ditt lösenord i Samverkan"),
            _(
                "Hej %(name)s!\n\nNågon (förhoppningsvis du) bad om att få återställa lösenordet "
                "till ditt konto i Samverkan. Välj ett nytt lösenord här:\n\n%(link)s\n\n"
                "Länken gäller i två timmar och kan användas en gång. Om du inte bad om detta "
                "kan du bortse från meddelandet.",
                name=user.name,
                link=link,
            ),
            kind="password-reset",
        )
    record_event(None, "password-reset-requested", user)


def use_token_to_set_password(row: AccountToken, new_password: str, name: str | None = None) -> User:
    user = row.user
    if name is not None:
        user.name = name
    _set_password(user, new_password)
    row.used_at = utcnow()
    # A link used for one purpose also ends the other open links of the same kind.
    for other in db.session.scalars(
        select(AccountToken).where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == row.purpose,
            AccountToken.used_at.is_(None),
        )
    ):
        other.used_at = row.used_at
    verb = "invitation-accepted" if row.purpose == "invite" else "password-reset"
    record_event(user, verb, user, workspace=row.workspace)
    return user
