"""Reports of accessibility problems: kept in the database and mailed to the contact."""
from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l

from workspace.accessibility.models import AccessibilityReport
from workspace.db import db
from workspace.events import record_event, register_event_labels
from workspace.mail.services import queue_mail

register_event_labels({"accessibility-reported": _l("rapporterade ett tillgänglighetsproblem")})


def report_problem(actor, *, description: str, page_url: str = "", name: str = "", email: str = "") -> AccessibilityReport:
    """`actor` is the logged-in user or None: the form is open to everyone."""
    report = AccessibilityReport(
        user_id=actor.id if actor is not None else None, description=description.strip(),
        page_url=(page_url or "").strip(), name=(name or "").strip(), email=(email or "").strip())
    db.session.add(report)
    db.session.flush()
    record_event(actor, "accessibility-reported", report)
    contact = current_app.config["ACCESSIBILITY_CONTACT"]
    who = report.name or (actor.name if actor is not None else "") or "(anonym)"
    reply_to = report.email or (actor.email if actor is not None else "") or "(ingen adress)"
    queue_mail(contact, f"Tillgänglighetsproblem #{report.id}",
               f"Från: {who} <{reply_to}>\nSida: {report.page_url or '(ej angiven)'}\n\n{report.description}\n",
               kind="accessibility")
    return report
