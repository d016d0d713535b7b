"""Notifications, made from the event log.

Domains register rules: `register_rule("suggestion-accepted", fn)` where `fn(event)` yields
`(user_id, kind)` pairs. `record_event` calls `notify_from_event` in the same transaction,
so a notification exists exactly when the change it tells about was committed. The actor
is never notified of their own action, and only active members of the event's workspace
are notified. E-mail goes through the outbox: at once, in the daily digest, or not at all,
as each person chose per kind.
"""
from __future__ import annotations

import contextlib
import contextvars
from collections import defaultdict
from typing import Callable, Iterable

from flask import current_app, has_request_context, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, select, update

from workspace.db import db, utcnow
from workspace.events import Event, add_event_listener, event_label
from workspace.mail.services import queue_mail
from workspace.notifications.models import MAIL_MODES, NOTIFICATION_KINDS, Notification, NotificationPreference
from workspace.workspaces.models import Membership

DEFAULT_MODE = "immediate"
KIND_LABELS = {
    "mention": _l("Någon nämner mig (@)"),
    "reply": _l("Svar i trådar där jag skrivit"),
    "suggestion_outcome": _l("Beslut om mina ändringsförslag"),
    "approval_round": _l("Beslutsomgångar"),
}
KIND_BADGES = {
    "mention": _l("Nämnd"),
    "reply": _l("Svar"),
    "suggestion_outcome": _l("Ändringsförslag"),
    "approval_round": _l("Beslutsomgång"),
}
# What a notification says, by kind; other kinds use the event's own label.
KIND_TEXTS = {
    "mention": _l("%(actor)s nämnde dig i ”%(title)s”"),
    "reply": _l("%(actor)s svarade i en tråd där du skrivit, i ”%(title)s”"),
}
MODE_LABELS = {
    "immediate": _l("E-post direkt"),
    "digest": _l("Daglig sammanfattning"),
    "none": _l("Ingen e-post"),
}

Rule = Callable[[Event], Iterable[tuple[int, str]]]
_RULES: dict[str, list[Rule]] = defaultdict(list)
_quiet: contextvars.ContextVar[bool] = contextvars.ContextVar("samverkan_quiet_mail", default=False)


def register_rule(verb: str, fn: Rule) -> None:
    """Whom an event of `verb` notifies: `fn(event)` yields (user_id, kind) pairs."""
    if fn not in _RULES[verb]:
        _RULES[verb].append(fn)


def workspace_members(ev: Event, roles: Iterable[str] | None = None) -> list[int]:
    """Helper for rules: the active members of the event's workspace (optionally by role)."""
    stmt = select(Membership.user_id).where(Membership.workspace_id == ev.workspace_id,
                                            Membership.active.is_(True))
    if roles is not None:
        stmt = stmt.where(Membership.role.in_(list(roles)))
    return list(db.session.scalars(stmt))


@contextlib.contextmanager
def without_mail():
    """Make notifications but send no e-mail (the demo loader)."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


def notify_from_event(ev: Event) -> list[Notification]:
    rules = _RULES.get(ev.verb)
    if not rules:
        return []
    wanted: dict[int, str] = {}
    for rule in rules:
        for user_id, kind in rule(ev) or ():
            if kind not in NOTIFICATION_KINDS:
                raise ValueError(f"unknown notification kind {kind!r}")
            # The first rule's kind wins: a mention in a reply is a mention, not a reply.
            if user_id is None or user_id == ev.actor_id or user_id in wanted:
                continue
            wanted[user_id] = kind
    if wanted and ev.workspace_id is not None:
        members = set(db.session.scalars(select(Membership.user_id).where(
            Membership.workspace_id == ev.workspace_id, Membership.user_id.in_(list(wanted)),
            Membership.active.is_(True))))
        wanted = {u: k for u, k in wanted.items() if u in members}
    if not wanted:
        return []
    modes = _modes(list(wanted))
    made = []
    for user_id, kind in sorted(wanted.items()):
        n = Notification(user_id=user_id, workspace_id=ev.workspace_id, event_id=ev.id, kind=kind)
        mode = modes.get((user_id, kind), DEFAULT_MODE)
        if mode == "immediate" and not _quiet.get():
            n.email_state = "sent"
        elif mode == "digest":
            n.email_state = "digest"
        db.session.add(n)
        made.append(n)
    db.session.flush()
    for n in made:
        if n.email_state == "sent":
            _mail_one(n)
    # The bell of each recipient refreshes live (the key is sent only to its own person).
    ev.payload = {**(ev.payload or {}), "recipient_ids": sorted(wanted)}
    db.session.flush()
    return made


add_event_listener(notify_from_event)


def _modes(user_ids: list[int]) -> dict[tuple[int, str], str]:
    rows = db.session.scalars(select(NotificationPreference).where(NotificationPreference.user_id.in_(user_ids)))
    return {(p.user_id, p.kind): p.mode for p in rows}


# --- reading -------------------------------------------------------------------------

def preferences_of(user) -> dict[str, str]:
    modes = {k: DEFAULT_MODE for k in NOTIFICATION_KINDS}
    modes.update({k: m for (_u, k), m in _modes([user.id]).items()})
    return modes


class NotificationError(ValueError):
    """A rule was broken; the message is for the user."""


def set_preferences(actor, modes: dict[str, str]) -> None:
    for kind, mode in modes.items():
        if kind not in NOTIFICATION_KINDS or mode not in MAIL_MODES:
            raise NotificationError(_("Välj ett av alternativen för varje slag av avisering."))
    current = {p.kind: p for p in db.session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == actor.id))}
    changed = {}
    for kind, mode in modes.items():
        pref = current.get(kind)
        if pref is None:
            db.session.add(NotificationPreference(user_id=actor.id, kind=kind, mode=mode))
            changed[kind] = mode
        elif pref.mode != mode:
            pref.mode = mode
            changed[kind] = mode
    db.session.flush()
    if changed:
        from workspace.events import record_event

        record_event(actor, "notification-settings-changed", object_type="user", object_id=actor.id,
                     changed=changed)


def _visible(user_id):
    """Notifications of `user_id` (a value or a bind parameter) of workspaces the person is
    still an active member of."""
    member_of = select(Membership.workspace_id).where(Membership.user_id == user_id, Membership.active.is_(True))
    return (Notification.user_id == user_id) & (
        Notification.workspace_id.is_(None) | Notification.workspace_id.in_(member_of))


# Built once (asked on every page, for the bell): building it costs more than running it.
_UNREAD_COUNT = select(func.count()).select_from(Notification).where(
    _visible(bindparam("user_id")), Notification.read_at.is_(None))


def unread_count_statement():
    """Unread notifications of the person `:user_id`, as a statement (the layout's query has it)."""
    return _UNREAD_COUNT


def unread_count(user) -> int:
    """Unread notifications of workspaces the person is still an active member of (`_visible`)."""
    return db.session.scalar(_UNREAD_COUNT, {"user_id": user.id}) or 0


def notifications_of(user, *, unread_only: bool = False, limit: int = 100) -> list[Notification]:
    stmt = select(Notification).where(_visible(user.id))
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    return list(db.session.scalars(stmt.order_by(Notification.id.desc()).limit(limit)))


def load_notification(user, notification_id: int) -> Notification | None:
    n = db.session.get(Notification, notification_id)
    if n is None or n.user_id != user.id:
        return None
    return n


def mark_read(actor, n: Notification) -> None:
    if n.user_id != actor.id:
        raise PermissionError("not yours")
    if n.read_at is None:
        n.read_at = utcnow()
        db.session.flush()


def mark_all_read(actor) -> int:
    result = db.session.execute(update(Notification).where(
        Notification.user_id == actor.id, Notification.read_at.is_(None)).values(read_at=utcnow()))
    return result.rowcount or 0


# --- links and texts -----------------------------------------------------------------

def _url(endpoint: str, **values) -> str:
    if has_request_context():
        return url_for(endpoint, **values)
    with current_app.test_request_context():
        return url_for(endpoint, **values)


def notification_path(n: Notification) -> str:
    """Where the notification leads: the exact thread, the suggestion, or the section."""
    ev, ws = n.event, n.workspace
    p = ev.payload or {}
    if ws is None:
        return _url("notifications.index")
    if p.get("round_id"):
        return _url("decisions.detail", slug=ws.slug, round_id=p["round_id"])
    if p.get("suggestion_id") and p.get("paper_id"):
        return _url("comments.suggestion", slug=ws.slug, paper_id=p["paper_id"], suggestion_id=p["suggestion_id"])
    if p.get("paper_id"):
        anchor = f"#thread-{p['thread_id']}" if p.get("thread_id") else (
            f"#section-{p['section_id']}" if p.get("section_id") else "")
        return _url("papers.detail", slug=ws.slug, paper_id=p["paper_id"]) + anchor
    return _url("workspaces.detail", slug=ws.slug)


def notification_text(n: Notification) -> str:
    ev = n.event
    name = ev.actor.name if ev.actor is not None else _("Samverkan")
    title = (ev.payload or {}).get("title")
    if n.kind in KIND_TEXTS and title:
        return str(KIND_TEXTS[n.kind]) % {"actor": name, "title": title}
    return f"{name} {event_label(ev)}"


def _public_url(path: str) -> str:
    return current_app.config["PUBLIC_URL"].rstrip("/") + path


def _mail_one(n: Notification) -> None:
    from workspace.accounts.models import User

    user = db.session.get(User, n.user_id)
    with force_locale(user.locale or "sv"):
        text = notification_text(n)
        subject = _("Samverkan: %(text)s", text=text)[:255]
        body = "\n\n".join([
            _("Hej %(name)s!", name=user.name),
            text + (f" ({n.workspace.name})" if n.workspace else ""),
            _("Läs mer: %(url)s", url=_public_url(notification_path(n))),
            _("Du får det här meddelandet för att du valt e-post direkt för %(kind)s. "
              "Ändra dina val: %(url)s", kind=str(KIND_BADGES[n.kind]).lower(),
              url=_public_url(_url("notifications.settings"))),
        ])
    queue_mail(user.email, subject, body, kind=f"notification-{n.kind}")


def send_digests() -> int:
    """Queue one e-mail per person with everything waiting for their digest; returns how many."""
    from workspace.accounts.models import User

    waiting = list(db.session.scalars(
        select(Notification).where(Notification.email_state == "digest").order_by(Notification.user_id, Notification.id)))
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for n in waiting:
        by_user[n.user_id].append(n)
    sent = 0
    for user_id, items in by_user.items():
        user = db.session.get(User, user_id)
        for n in items:
            n.email_state = "digested"
        if user is None or not user.is_enabled:
            continue
        with force_locale(user.locale or "sv"):
            lines = [_("Hej %(name)s!", name=user.name), _("Det här har hänt sedan förra sammanfattningen:")]
            for n in items:
                lines.append(f"- {notification_text(n)}" + (f" ({n.workspace.name})" if n.workspace else "")
                             + f"\n  {_public_url(notification_path(n))}")
            lines.append(_("Ändra dina val: %(url)s", url=_public_url(_url("notifications.settings"))))
            subject = _("Samverkan: daglig sammanfattning (%(n)d händelser)", n=len(items))
        queue_mail(user.email, subject, "\n\n".join(lines), kind="notification-digest")
        sent += 1
    db.session.flush()
    return sent


from workspace.events import register_event_labels  # noqa: E402

register_event_labels({"notification-settings-changed": _l("ändrade sina val för e-post om aviseringar")})
