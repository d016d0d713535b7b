"""What the other domains give the Word export: open comment threads, the decision page of
an adopted paper, and a priority list as plain data. Imported once by the export views."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from workspace.db import db
from workspace.export.builder import decision_page_html
from workspace.export.document import (
    Appendix,
    CommentItem,
    CommentThread,
    DecisionPage,
    FollowUpEntry,
    MemberDecision,
    PriorityItem,
    PriorityListExport,
)
from workspace.export.services import register_appendix_provider, set_comment_provider
from workspace.papers.sanitize import html_to_text

# Which text of a decision goes where on the decision page (as in Swedish minutes).
RESERVATION_KINDS = ("approve_reservation", "decline")
STATEMENT_KINDS = ("approve_statement",)


def open_threads(paper) -> list[CommentThread]:
    from workspace.comments.models import CommentThread as Thread

    threads = db.session.scalars(select(Thread).where(Thread.paper_id == paper.id, Thread.status == "open")
                                 .order_by(Thread.id)).all()
    out = []
    for t in threads:
        items = [CommentItem(author=c.author.name if c.author else _("Okänd"), text=html_to_text(c.html),
                             created_at=c.created_at, initials=c.author.initials if c.author else "")
                 for c in t.comments if c.deleted_at is None]
        if items:
            out.append(CommentThread(section_key=t.section_id, quote=t.quote or "", comments=items))
    return out


def _decision_page(round_) -> DecisionPage:
    from workspace.decisions import services as decisions
    from workspace.workspaces.forms import RULE_LABELS
    from workspace.workspaces.models import Organization

    standing = decisions.standing_decisions(round_)
    ratifications = decisions.ratifications_of(round_)
    orgs = db.session.scalars(select(Organization).where(Organization.id.in_(round_.organization_ids))
                              .order_by(Organization.name)).all()
    members = []
    for org in orgs:
        d, r = standing.get(org.id), ratifications.get(org.id)
        reference = ", ".join(p for p in (r.body if r else "", r.registration_number if r else "",
                                          f"§ {r.paragraph}" if r and r.paragraph else "") if p)
        members.append(MemberDecision(
            organization=org.name,
            decision=str(decisions.DECISION_LABELS[d.kind]) if d else _("Inget ställningstagande"),
            decided_by=d.user.name if d and d.user else "",
            decided_at=d.created_at if d else None,
            reservation=d.statement if d and d.kind in RESERVATION_KINDS else "",
            special_statement=d.statement if d and d.kind in STATEMENT_KINDS else "",
            minutes_note=d.note if d else "",
            ratification=str(decisions.RATIFICATION_LABELS[r.status]) if r else "",
            ratified_at=r.decided_on if r else None,
            ratification_reference=reference))
    return DecisionPage(
        round_name=_("Beslutsomgång %(d)s", d=round_.opened_at.date().isoformat()),
        members=members,
        version_label=round_.snapshot.name if round_.snapshot else "",
        rule_label=str(RULE_LABELS.get(round_.rule, round_.rule)),
        outcome_label=str(decisions.OUTCOME_LABELS.get(round_.outcome, "")) if round_.outcome else "",
        decided_at=round_.closed_at)


def decision_appendix(paper, snapshot) -> Appendix | None:
    """The decision page of an adopted paper: every member's decision and ratification."""
    from workspace.decisions import services as decisions

    round_ = decisions.adopting_round("paper", paper.id)
    if round_ is None:
        return None
    return Appendix(_("Beslut"), decision_page_html(_decision_page(round_)))


def priority_list_data(plist) -> PriorityListExport:
    from workspace.decisions import services as decisions
    from workspace.priorities import services as priorities
    from workspace.priorities.decision import SUBJECT
    from workspace.priorities.models import PERIODS

    current = priorities.current_follow_ups(plist)
    period_label = {p: f"{priorities.PERIOD_LABELS[p]} {plist.year}" for p in PERIODS}
    items = []
    for item in plist.ordered_items:
        follow_ups = [FollowUpEntry(period=period_label[p], status=str(priorities.FOLLOW_UP_LABELS[f.status]),
                                    comment=f.comment)
                      for p in PERIODS if (f := current.get((item.id, p))) is not None]
        items.append(PriorityItem(
            letter=item.letter, title=item.title,
            description_html="".join(f"<p>{_escape(line)}</p>" for line in (item.description or "").splitlines()
                                     if line.strip()),
            responsible=[item.responsible_organization.name] if item.responsible_organization else [],
            papers=[p.title for p in item.papers], follow_ups=follow_ups))
    round_ = decisions.adopting_round(SUBJECT, plist.id)
    return PriorityListExport(
        title=plist.title, year=plist.year, body_name=plist.workspace.name,
        status_label=str(priorities.STATUS_LABELS[plist.status]).capitalize(),
        adopted=plist.status == "adopted", items=items,
        periods=[period_label[p] for p in PERIODS],
        decision=_decision_page(round_) if round_ is not None else None,
        modified=plist.updated_at if hasattr(plist, "updated_at") else None)


def export_priority_list(plist) -> bytes:
    """A priority list as .docx in the workspace's template; its labels in Swedish like the rest."""
    from flask import current_app
    from flask_babel import force_locale

    from workspace.export.services import export_priority_list_docx

    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        data = priority_list_data(plist)
    return export_priority_list_docx(plist.workspace, data)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


set_comment_provider(open_threads)
register_appendix_provider("decisions", decision_appendix, order=10)
