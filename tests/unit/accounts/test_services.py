from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import DEMO_PASSWORD
from workspace.accounts import services
from workspace.accounts.models import AccountToken
from workspace.db import db, utcnow
from workspace.events import Event
from workspace.mail.models import OutboxMessage


def test_authenticate_accepts_right_password_and_records_event(ctx, demo):
    user = services.authenticate("KANSLI@demo.example ", DEMO_PASSWORD)
    assert user is not None and user.email == "kansli@demo.example"
    assert user.last_login_at is not None
    assert db.session.scalar(select(Event).where(Event.verb == "user-logged-in")) is not None


@pytest.mark.parametrize("email,password", [
    ("kansli@demo.example", "wrong-password"),
    ("nobody@demo.example", DEMO_PASSWORD),
    ("", ""),
])
def test_authenticate_refuses(ctx, demo, email, password):
    assert services.authenticate(email, password) is None


def test_disabled_user_cannot_log_in(ctx, demo):
    demo.user("lasare@demo.example").is_enabled = False
    assert services.authenticate("lasare@demo.example", DEMO_PASSWORD) is None


def test_change_password_checks_current_and_ends_other_sessions(ctx, demo):
    user = demo.user("lasare@demo.example")
    before = user.get_id()
    with pytest.raises(services.AccountError):
        services.change_password(user, "not-it", "a-new-password-1")
    services.change_password(user, DEMO_PASSWORD, "a-new-password-1")
    assert user.get_id() != before
    assert services.authenticate("lasare@demo.example", "a-new-password-1") is not None
    assert services.authenticate("lasare@demo.example", DEMO_PASSWORD) is None


def test_reset_for_unknown_address_sends_nothing(ctx, demo):
    services.request_password_reset("unknown@demo.example")
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_reset_link_is_single_use_and_expires(ctx, demo):
    user = demo.user("lasare@demo.example")
    token = services.issue_token(user, "reset", timedelta(hours=2))
    row = services.find_valid_token(token, "reset")
    assert row is not None
    assert services.find_valid_token(token, "invite") is None  # purpose is part of the check
    services.use_token_to_set_password(row, "brand-new-password")
    assert services.find_valid_token(token, "reset") is None

    expired = services.issue_token(user, "reset", timedelta(hours=2))
    db.session.scalar(
        select(AccountToken).where(AccountToken.used_at.is_(None))
    ).expires_at = utcnow() - timedelta(seconds=1)
    assert services.find_valid_token(expired, "reset") is None


def test_tokens_are_stored_hashed(ctx, demo):
    token = services.issue_token(demo.user("lasare@demo.example"), "reset", timedelta(hours=1))
    stored = db.session.scalars(select(AccountToken.token_hash)).all()
    assert token not in stored and len(stored[0]) == 64


def test_reset_request_queues_mail_with_link(ctx, demo):
    services.request_password_reset("lasare@demo.example")
    msg = db.session.scalar(select(OutboxMessage))
    assert msg.to_addr == "lasare@demo.example"
    assert "/reset/" in msg.body


def test_set_locale_rejects_unknown(ctx, demo):
    user = demo.user("lasare@demo.example")
    services.set_locale(user, "en")
    assert user.locale == "en"
    with pytest.raises(services.AccountError):
        services.set_locale(user, "de")


def test_session_user_is_the_person_only_while_their_session_is_live(ctx, demo):
    from workspace.accounts.models import AuthSession

    user, other = demo.user("lasare@demo.example"), demo.user("kansli@demo.example")
    token = services.start_session(user)
    version = user.session_version
    assert services.session_user(user.id, version, token) is user
    assert services.session_is_live(user.id, token)
    assert services.session_user(user.id, version + 1, token) is None  # password changed since
    assert services.session_user(other.id, other.session_version, token) is None  # someone else's session
    assert services.session_user(user.id, version, None) is None
    assert services.session_user(user.id, version, "not-a-session") is None
    row = db.session.scalar(select(AuthSession).where(AuthSession.user_id == user.id))
    row.created_at = utcnow() - timedelta(hours=13)  # older than PERMANENT_SESSION_LIFETIME
    db.session.flush()
    assert services.session_user(user.id, version, token) is None
    assert not services.session_is_live(user.id, token)
    fresh = services.start_session(user)
    assert services.session_user(user.id, version, fresh) is user
    services.end_session(fresh)  # logged out
    assert services.session_user(user.id, version, fresh) is None
    assert not services.session_is_live(user.id, fresh)
