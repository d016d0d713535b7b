"""The audit trail: the event log of one workspace, filtered, and as CSV for the secretariat.

Read-only by design: nothing in the app deletes or changes events.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select

from workspace.db import db
from workspace.events import EVENT_LABELS, Event, event_label
from workspace.live.context import LIVE_ONLY_VERBS

LOCAL = ZoneInfo("Europe/Stockholm")
# Cells that a spreadsheet would run as a formula ("CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class AuditFilter:
    person: int | None = None
    object_type: str = ""
    object_id: int | None = None
    verb: str = ""
    date_from: date | None = None
    date_to: date | None = None
    errors: dict[str, str] = field(default_factory=dict)

    def as_args(self) -> dict:
        args = {"person": self.person, "object_type": self.object_type, "object_id": self.object_id,
                "verb": self.verb, "from": self.date_from.isoformat() if self.date_from else None,
                "to": self.date_to.isoformat() if self.date_to else None}
        return {k: v for k, v in args.items() if v not in (None, "")}


def _parse_int(raw: str, name: str, errors: dict) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 12:
        errors[name] = _("Ange ett heltal.")
        return None
    return int(raw)


def _parse_date(raw: str, name: str, errors: dict) -> date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = _("Ange datumet som ÅÅÅÅ-MM-DD.")
        return None


def parse_filter(args, choices: dict) -> AuditFilter:
    """A filter from query arguments; unknown values become messages, never errors."""
    f = AuditFilter()
    f.person = _parse_int(args.get("person", ""), "person", f.errors)
    if f.person is not None and f.person not in {p for p, _n in choices["people"]}:
        f.errors["person"] = _("Personen finns inte i händelseloggen.")
        f.person = None
    f.object_type = (args.get("object_type") or "").strip()
    if f.object_type and f.object_type not in {t for t, _n in choices["object_types"]}:
        f.errors["object_type"] = _("Okänd typ av objekt.")
        f.object_type = ""
    f.object_id = _parse_int(args.get("object_id", ""), "object_id", f.errors)
    f.verb = (args.get("verb") or "").strip()
    if f.verb and f.verb not in {v for v, _n in choices["verbs"]}:
        f.errors["verb"] = _("Okänd händelse.")
        f.verb = ""
    f.date_from = _parse_date(args.get("from", ""), "from", f.errors)
    f.date_to = _parse_date(args.get("to", ""), "to", f.errors)
    if f.date_from and f.date_to and f.date_from > f.date_to:
        f.errors["to"] = _("Slutdatumet ligger före startdatumet.")
    return f


def verb_title(verb: str) -> str:
    label = EVENT_LABELS.get(verb)
    if label is None:
        return verb
    text = str(label).split("%(")[0].strip().rstrip("”\"").strip()
    return f"{text} ({verb})" if text else verb


def filter_choices(ws) -> dict:
    """What the filter form offers: only what this workspace's log contains."""
    from workspace.accounts.models import User

    base = select(Event).where(Event.workspace_id == ws.id, Event.verb.not_in(LIVE_ONLY_VERBS)).subquery()
    people = db.session.execute(
        select(User.id, User.name).where(User.id.in_(select(base.c.actor_id).distinct())).order_by(User.name)
    ).all()
    verbs = db.session.scalars(select(base.c.verb).distinct()).all()
    types = db.session.scalars(select(base.c.object_type).distinct()).all()
    return {
        "people": [(p.id, p.name) for p in people],
        "verbs": sorted(((v, verb_title(v)) for v in verbs), key=lambda x: x[1].lower()),
        "object_types": [(t, OBJECT_TYPE_LABELS.get(t, t)) for t in sorted(types)],
    }


def _local_midnight(d: date) -> datetime:
    return datetime.combine(d, time.min, tzinfo=LOCAL)


def audit_query(ws, f: AuditFilter):
    stmt = select(Event).where(Event.workspace_id == ws.id, Event.verb.not_in(LIVE_ONLY_VERBS))
    if f.person is not None:
        stmt = stmt.where(Event.actor_id == f.person)
    if f.object_type:
        stmt = stmt.where(Event.object_type == f.object_type)
    if f.object_id is not None:
        stmt = stmt.where(Event.object_id == f.object_id)
    if f.verb:
        stmt = stmt.where(Event.verb == f.verb)
    if f.date_from:
        stmt = stmt.where(Event.created_at >= _local_midnight(f.date_from))
    if f.date_to:
        stmt = stmt.where(Event.created_at < _local_midnight(f.date_to + timedelta(days=1)))
    return stmt.order_by(Event.id.desc())


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


CSV_HEADER = ("id", "tid", "person", "e-post", "händelse", "beskrivning", "objekttyp", "objekt-id", "data")


def audit_csv(ws, f: AuditFilter, batch: int = 1000):
    """CSV lines (semicolon-separated, as Swedish Excel expects), streamed in batches."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")

    def flush() -> str:
        out = buf.getvalue()
        buf.seek(0)
        buf.truncate()
        return out

    writer.writerow(CSV_HEADER)
    yield "\ufeff" + flush()  # the BOM makes Excel read UTF-8 (å, ä, ö)
    last_id = None
    while True:
        stmt = audit_query(ws, f)
        if last_id is not None:
            stmt = stmt.where(Event.id < last_id)
        rows = db.session.scalars(stmt.limit(batch)).all()
        if not rows:
            return
        for ev in rows:
            writer.writerow([_cell(v) for v in (
                ev.id, ev.created_at.astimezone(LOCAL).isoformat(timespec="seconds"),
                ev.actor.name if ev.actor else "", ev.actor.email if ev.actor else "",
                ev.verb, event_label(ev), ev.object_type, ev.object_id,
                json.dumps(ev.payload or {}, ensure_ascii=False, sort_keys=True))])
        last_id = rows[-1].id
        yield flush()


def _object_type_labels():
    from flask_babel import lazy_gettext as _l

    return {
        "workspace": _l("Samverkansorgan"), "organization": _l("Medlemsorganisation"),
        "membership": _l("Medlemskap"), "user": _l("Person"), "paper": _l("Papper"),
        "section": _l("Avsnitt"), "snapshot": _l("Namngiven version"), "policy_area": _l("Sakområde"),
        "system": _l("Systemet"),
    }


OBJECT_TYPE_LABELS: dict = _object_type_labels()


def register_object_type_labels(labels: dict) -> None:
    """Domains name their object types for the audit filter (lazy strings)."""
    OBJECT_TYPE_LABELS.update(labels)
