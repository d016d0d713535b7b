"""Approval rounds, decisions, closing, adoption and ratification.

The interface other domains use (a priority list does the same as a paper):

    register_subject_type(SubjectType(...))             # once, at import (subjects.py)
    open_round(actor, ws, "priority_list", subject, content_hash=..., deadline=..., ...)
    record_decision(actor, round, kind, statement="", note="")
    close_round(actor, round) / cancel_round(actor, round)
    close_due_rounds(now)                               # cron and the live hub

Every write takes an explicit actor (None = the system closing at the deadline), checks
the actor's role, flushes (never commits) and records an event whose payload carries
paper_id (papers), round_id and organization_ids, so notifications can be built on it.
"""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from workspace.db import db, read_only, utcnow
from workspace.decisions.models import (
    DECISION_KINDS,
    RATIFICATION_STATUSES,
    ApprovalRound,
    Decision,
    Ratification,
    RoundParticipant,
)
from workspace.decisions.permissions import can_decide_in, can_record_ratification, can_run_rounds
from workspace.decisions.rules import Outcome, evaluate
from workspace.decisions.subjects import subject_type
from workspace.decisions import notify as _notify  # noqa: F401  (registers the notification rules)
from workspace.events import record_event, register_event_labels
from workspace.workspaces.permissions import membership_of

MAX_TEXT = 5000

register_event_labels({
    "round-opened": _l("öppnade en beslutsomgång om ”%(title)s”"),
    "decision-recorded": _l("registrerade ett ställningstagande om ”%(title)s”"),
    "round-closed": _l("avslutade beslutsomgången om ”%(title)s”"),
    "round-cancelled": _l("avbröt beslutsomgången om ”%(title)s”"),
    "paper-adopted": _l("fastställde ”%(title)s”"),
    "ratification-recorded": _l("registrerade en medlems ratificering av ”%(title)s”"),
})

DECISION_LABELS = {
    "approve": _l("Godkänner"),
    "approve_reservation": _l("Godkänner med reservation"),
    "approve_statement": _l("Godkänner med särskilt yttrande"),
    "decline": _l("Avslår"),
    "abstain": _l("Avstår"),
}
STATEMENT_LABELS = {
    "approve_reservation": _l("Reservation"),
    "approve_statement": _l("Särskilt yttrande"),
    "decline": _l("Skäl"),
}
OUTCOME_LABELS = {
    "met": _l("Beslutsregeln uppfylld: fastställt"),
    "not_met": _l("Beslutsregeln inte uppfylld: tillbaka till utkast"),
    "changed": _l("Texten ändrades under omgången: inte fastställt, tillbaka till utkast"),
}
ROUND_STATUS_LABELS = {"open": _l("pågår"), "closed": _l("avslutad"), "cancelled": _l("avbruten")}
CLOSE_REASON_LABELS = {
    "deadline": _l("sista dag passerad"),
    "all_decided": _l("alla har beslutat"),
    "manual": _l("avslutad av kansliet"),
    "restarted": _l("startad om på en ny version"),
    "cancelled": _l("avbruten av kansliet"),
}
RATIFICATION_LABELS = {
    "pending": _l("inväntar beslut"),
    "not_needed": _l("behövs inte"),
    "ratified": _l("ratificerat"),
    "rejected": _l("avslaget"),
}


class DecisionError(ValueError):
    """A rule was broken; the message is for the user."""


def _clean_text(value: str | None, limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise DecisionError(_("Texten är för lång (högst %(n)d tecken).", n=limit))
    return value


def _lock(round_: ApprovalRound) -> ApprovalRound:
    """Re-read the round under a row lock: decisions, closing and the deadline job queue up."""
    return db.session.scalars(
        select(ApprovalRound).where(ApprovalRound.id == round_.id).with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def subject_of(round_: ApprovalRound):
    """The round's subject (a Paper, a PriorityList …), loaded through its subject type."""
    return subject_type(round_.subject_type).load(round_.subject_id)


def subject_label(round_: ApprovalRound, subject=None) -> str:
    """The subject's title as its type shows it ("–" if the subject is gone)."""
    subject = subject if subject is not None else subject_of(round_)
    return subject_type(round_.subject_type).title(subject) if subject is not None else "–"


def _payload(round_: ApprovalRound, subject, **extra) -> dict:
    st = subject_type(round_.subject_type)
    payload = dict(round_id=round_.id, subject_type=round_.subject_type, subject_id=round_.subject_id,
                   title=st.title(subject), organization_ids=round_.organization_ids)
    pid = st.paper_id(subject)
    if pid:
        payload["paper_id"] = pid
    if subject is not None:
        payload.update(st.extra_payload(subject))
    payload.update(extra)
    return payload


# --- queries -------------------------------------------------------------------------

def rounds_of(subject_type_name: str, subject_id: int) -> list[ApprovalRound]:
    return list(db.session.scalars(
        select(ApprovalRound).where(ApprovalRound.subject_type == subject_type_name,
                                    ApprovalRound.subject_id == subject_id)
        .order_by(ApprovalRound.opened_at.desc(), ApprovalRound.id.desc())))


def open_round_of(subject_type_name: str, subject_id: int) -> ApprovalRound | None:
    return db.session.scalar(
        select(ApprovalRound).where(ApprovalRound.subject_type == subject_type_name,
                                    ApprovalRound.subject_id == subject_id, ApprovalRound.status == "open")
        .order_by(ApprovalRound.id.desc()).limit(1))


def latest_round(subject_type_name: str, subject_id: int) -> ApprovalRound | None:
    rounds = rounds_of(subject_type_name, subject_id)
    return rounds[0] if rounds else None


def adopting_round(subject_type_name: str, subject_id: int) -> ApprovalRound | None:
    """The round that adopted the subject (its standing decisions carry the reservations,
    särskilda yttranden and protokollsanteckningar an export shows)."""
    return db.session.scalar(
        select(ApprovalRound).where(ApprovalRound.subject_type == subject_type_name,
                                    ApprovalRound.subject_id == subject_id, ApprovalRound.outcome == "met")
        .order_by(ApprovalRound.id.desc()).limit(1))


def previous_round(round_: ApprovalRound) -> ApprovalRound | None:
    """The round before this one on the same subject (for the diff between versions)."""
    if round_.previous_round_id:
        return db.session.get(ApprovalRound, round_.previous_round_id)
    return db.session.scalar(
        select(ApprovalRound).where(ApprovalRound.subject_type == round_.subject_type,
                                    ApprovalRound.subject_id == round_.subject_id,
                                    ApprovalRound.id < round_.id)
        .order_by(ApprovalRound.id.desc()).limit(1))


def workspace_rounds(ws) -> list[ApprovalRound]:
    return list(db.session.scalars(
        select(ApprovalRound).where(ApprovalRound.workspace_id == ws.id)
        .order_by((ApprovalRound.status == "open").desc(), ApprovalRound.opened_at.desc(), ApprovalRound.id.desc())))


def standing_decisions(round_: ApprovalRound) -> dict[int, Decision]:
    """organisation id → the decision that counts (the latest, not superseded)."""
    out = {}
    for d in db.session.scalars(select(Decision).where(Decision.round_id == round_.id).order_by(Decision.id)):
        if d.superseded_by_id is None:
            out[d.organization_id] = d
    return out


def decision_history(round_: ApprovalRound) -> dict[int, list[Decision]]:
    """organisation id → every decision it made in this round, newest first."""
    out: dict[int, list[Decision]] = {}
    for d in db.session.scalars(select(Decision).where(Decision.round_id == round_.id)
                                .order_by(Decision.id.desc())):
        out.setdefault(d.organization_id, []).append(d)
    return out


def outcome_of(round_: ApprovalRound) -> Outcome:
    return evaluate(round_.rule, round_.organization_ids,
                    {org: d.kind for org, d in standing_decisions(round_).items()})


def is_stale(round_: ApprovalRound, subject=None) -> bool:
    """Has the subject changed since the version up for decision?"""
    subject = subject if subject is not None else subject_of(round_)
    return subject is not None and subject_type(round_.subject_type).current_hash(subject) != round_.content_hash


# --- opening -------------------------------------------------------------------------

def open_round(actor, ws, subject_type_name: str, subject, *, content_hash: str, deadline: datetime,
               message: str = "", organization_ids: list[int] | None = None,
               registration_number: str | None = None, snapshot=None, now: datetime | None = None) -> ApprovalRound:
    """Open a round on `subject` as it is now (`content_hash`). An open round on the same
    subject is replaced (restarted): it ends as "restarted" and its decisions stay with it."""
    if not can_run_rounds(membership_of(actor, ws)):
        raise PermissionError("secretariat only")
    st = subject_type(subject_type_name)
    if st.workspace_id(subject) != ws.id:
        raise PermissionError("subject of another workspace")
    now = now or utcnow()
    if not isinstance(deadline, datetime) or deadline.tzinfo is None:
        raise DecisionError(_("Ange sista dag och tid för beslut."))
    if deadline <= now:
        raise DecisionError(_("Sista dag för beslut måste ligga i framtiden."))
    message = _clean_text(message)
    members = {o.id for o in ws.member_organizations}
    chosen = set(members if organization_ids is None else organization_ids)
    if not chosen:
        raise DecisionError(_("Välj minst en medlemsorganisation som deltar."))
    if not chosen <= members:
        raise DecisionError(_("Bara samverkansorganets medlemmar kan delta."))
    reg = " ".join((registration_number or "").split()) or None
    if reg and len(reg) > 60:
        raise DecisionError(_("Diarienumret är för långt (högst 60 tecken)."))
    if st.requires_registration_number and not reg:
        raise DecisionError(_("Ange det diarienummer papperet får när det fastställs."))
    previous = open_round_of(subject_type_name, subject.id)
    if previous is not None:
        previous = _lock(previous)
        if previous.status != "open":
            previous = None
    earlier = previous or latest_round(subject_type_name, subject.id)
    round_ = ApprovalRound(
        workspace_id=ws.id, subject_type=subject_type_name, subject_id=subject.id, paper_id=st.paper_id(subject),
        snapshot_id=snapshot.id if snapshot is not None else None, content_hash=content_hash,
        rule=ws.decision_rule, message=message, deadline=deadline, registration_number=reg, status="open",
        previous_round_id=earlier.id if earlier is not None else None, opened_by_id=actor.id, opened_at=now)
    round_.participants = [RoundParticipant(organization_id=o) for o in sorted(chosen)]
    db.session.add(round_)
    db.session.flush()
    if previous is not None:
        previous.status, previous.close_reason = "cancelled", "restarted"
        previous.closed_at, previous.closed_by_id = now, actor.id
        record_event(actor, "round-cancelled", previous, workspace=ws,
                     **_payload(previous, subject, reason="restarted", replaced_by=round_.id))
    st.on_open(actor, subject, round_)
    record_event(actor, "round-opened", round_, workspace=ws,
                 **_payload(round_, subject, deadline=deadline.isoformat(), snapshot_id=round_.snapshot_id,
                            restarted_round_id=previous.id if previous is not None else None))
    return round_


def open_paper_round(actor, paper, snapshot, **kwargs) -> ApprovalRound:
    """A round on a named version of a paper; the version's hash is what is decided."""
    if snapshot is None or snapshot.paper_id != paper.id:
        raise DecisionError(_("Välj en namngiven version av papperet."))
    return open_round(actor, paper.workspace, "paper", paper, content_hash=snapshot.content_hash,
                      snapshot=snapshot, **kwargs)


# --- deciding ------------------------------------------------------------------------

def record_decision(actor, round_: ApprovalRound, kind: str, statement: str = "", note: str = "",
                    *, now: datetime | None = None) -> Decision:
    """Record the actor's organisation's decision; an earlier one of the same organisation
    is superseded (kept). When every organisation has decided, the round closes."""
    ws = round_.workspace
    if not can_decide_in(membership_of(actor, ws), actor, round_):
        raise PermissionError("only politicians of a taking-part organisation decide")
    if kind not in DECISION_KINDS:
        raise DecisionError(_("Välj ett ställningstagande."))
    statement, note = _clean_text(statement), _clean_text(note)
    if kind in STATEMENT_LABELS and not statement:
        raise DecisionError({
            "approve_reservation": _("Skriv reservationen."),
            "approve_statement": _("Skriv det särskilda yttrandet."),
            "decline": _("Skriv skälet till avslaget."),
        }[kind])
    if kind not in STATEMENT_LABELS:
        statement = ""
    now = now or utcnow()
    round_ = _lock(round_)
    if round_.status != "open":
        raise DecisionError(_("Beslutsomgången är avslutad. Ställningstagandet kan inte längre ändras."))
    if round_.deadline <= now:
        raise DecisionError(_("Tiden för beslut har gått ut."))
    org_id = actor.organization_id
    before = db.session.scalar(
        select(Decision).where(Decision.round_id == round_.id, Decision.organization_id == org_id,
                               Decision.superseded_by_id.is_(None)).order_by(Decision.id.desc()).limit(1))
    decision = Decision(round_id=round_.id, organization_id=org_id, user_id=actor.id, kind=kind,
                        statement=statement, note=note, content_hash=round_.content_hash, created_at=now)
    db.session.add(decision)
    db.session.flush()
    if before is not None:
        before.superseded_by_id = decision.id
    subject = subject_of(round_)
    record_event(actor, "decision-recorded", decision, workspace=ws,
                 **_payload(round_, subject, organization_id=org_id, organization_ids=[org_id], kind=kind,
                            superseded_decision_id=before.id if before is not None else None,
                            content_hash=round_.content_hash))
    db.session.flush()
    if outcome_of(round_).all_decided:
        _close(None, round_, "all_decided", now, subject)
    return decision


# --- closing -------------------------------------------------------------------------

def _close(actor, round_: ApprovalRound, reason: str, now: datetime, subject=None) -> Outcome:
    subject = subject if subject is not None else subject_of(round_)
    st = subject_type(round_.subject_type)
    outcome = outcome_of(round_)
    round_.status, round_.close_reason = "closed", reason
    round_.closed_at, round_.closed_by_id = now, actor.id if actor is not None else None
    if outcome.met and not is_stale(round_, subject):
        round_.outcome = "met"
        round_.adopted_content_hash = st.current_hash(subject)
    else:
        # Decisions are bound to the version; a changed text was not what they decided on.
        round_.outcome = "changed" if outcome.met else "not_met"
    record_event(actor, "round-closed", round_, workspace=round_.workspace,
                 **_payload(round_, subject, outcome=round_.outcome, reason=reason, approvals=outcome.approvals,
                            declines=outcome.declines, abstentions=outcome.abstentions, missing=outcome.missing))
    if round_.outcome == "met":
        st.on_adopt(actor, subject, round_)
    else:
        st.on_back_to_draft(actor, subject, round_)
    return outcome


def close_round(actor, round_: ApprovalRound, *, now: datetime | None = None) -> Outcome:
    if not can_run_rounds(membership_of(actor, round_.workspace)):
        raise PermissionError("secretariat only")
    round_ = _lock(round_)
    if round_.status != "open":
        raise DecisionError(_("Beslutsomgången är redan avslutad."))
    return _close(actor, round_, "manual", now or utcnow())


def cancel_round(actor, round_: ApprovalRound, *, now: datetime | None = None) -> None:
    ws = round_.workspace
    if not can_run_rounds(membership_of(actor, ws)):
        raise PermissionError("secretariat only")
    round_ = _lock(round_)
    if round_.status != "open":
        raise DecisionError(_("Beslutsomgången är redan avslutad."))
    subject = subject_of(round_)
    round_.status, round_.close_reason = "cancelled", "cancelled"
    round_.closed_at, round_.closed_by_id = now or utcnow(), actor.id
    record_event(actor, "round-cancelled", round_, workspace=ws, **_payload(round_, subject, reason="cancelled"))
    subject_type(round_.subject_type).on_back_to_draft(actor, subject, round_)


def due_round_ids(now: datetime) -> list[int]:
    return list(db.session.scalars(
        select(ApprovalRound.id).where(ApprovalRound.status == "open", ApprovalRound.deadline <= now)
        .order_by(ApprovalRound.deadline)))


def close_due_rounds(now: datetime | None = None) -> list[ApprovalRound]:
    """Close every open round whose deadline has passed. Safe to run in several processes
    at once: each round is re-read under a row lock and skipped if someone closed it."""
    now = now or utcnow()
    closed = []
    for rid in due_round_ids(now):
        round_ = db.session.scalars(
            select(ApprovalRound).where(ApprovalRound.id == rid).with_for_update()
            .execution_options(populate_existing=True)).one()
        if round_.status != "open" or round_.deadline > now:
            continue
        _close(None, round_, "deadline", now)
        closed.append(round_)
    db.session.flush()
    return closed


def close_due_job() -> None:
    """The live hub's housekeeping: look cheaply (read-only), write only when a round is due."""
    now = utcnow()
    with read_only():
        due = due_round_ids(now)
        db.session.remove()
    if not due:
        return
    try:
        close_due_rounds(now)
        db.session.commit()
    finally:
        db.session.remove()


# --- ratification --------------------------------------------------------------------

def ratifications_of(round_: ApprovalRound) -> dict[int, Ratification]:
    return {r.organization_id: r for r in db.session.scalars(
        select(Ratification).where(Ratification.round_id == round_.id))}


def adopted_rounds(ws) -> list[ApprovalRound]:
    return list(db.session.scalars(
        select(ApprovalRound).where(ApprovalRound.workspace_id == ws.id, ApprovalRound.outcome == "met")
        .order_by(ApprovalRound.closed_at.desc(), ApprovalRound.id.desc())))


def record_ratification(actor, round_: ApprovalRound, organization_id: int, *, status: str,
                        registration_number: str = "", body: str = "", decided_on: date | None = None,
                        paragraph: str = "") -> Ratification:
    ws = round_.workspace
    m = membership_of(actor, ws)
    if not can_record_ratification(m, actor, organization_id):
        raise PermissionError("that member's officials or the secretariat")
    if round_.outcome != "met":
        raise DecisionError(_("Bara fastställda beslut kan ratificeras."))
    if organization_id not in {o.id for o in ws.member_organizations}:
        raise DecisionError(_("Organisationen är inte medlem i samverkansorganet."))
    if status not in RATIFICATION_STATUSES:
        raise DecisionError(_("Välj en status."))
    reg = " ".join((registration_number or "").split())
    body = " ".join((body or "").split())
    paragraph = " ".join((paragraph or "").split())
    if len(reg) > 60:
        raise DecisionError(_("Diarienumret är för långt (högst 60 tecken)."))
    if len(body) > 160:
        raise DecisionError(_("Beslutande organ är för långt (högst 160 tecken)."))
    if len(paragraph) > 30:
        raise DecisionError(_("Paragrafen är för lång (högst 30 tecken)."))
    if decided_on is not None and not isinstance(decided_on, date):
        raise DecisionError(_("Ogiltigt datum."))
    if status in ("ratified", "rejected") and (not body or decided_on is None):
        raise DecisionError(_("Ange beslutande organ och datum för beslutet."))
    if decided_on is not None and decided_on > utcnow().date():
        raise DecisionError(_("Beslutsdatumet kan inte ligga i framtiden."))
    _lock(round_)  # two people recording one member at once: the second waits, then updates
    row = db.session.scalar(select(Ratification).where(Ratification.round_id == round_.id,
                                                        Ratification.organization_id == organization_id))
    if row is None:
        row = Ratification(round_id=round_.id, organization_id=organization_id)
        db.session.add(row)
    row.status, row.registration_number, row.body = status, reg, body
    row.decided_on, row.paragraph = decided_on, paragraph
    row.updated_by_id, row.updated_at = actor.id, utcnow()
    db.session.flush()
    record_event(actor, "ratification-recorded", row, workspace=ws,
                 **_payload(round_, subject_of(round_), organization_id=organization_id,
                            organization_ids=[organization_id], status=status))
    return row
