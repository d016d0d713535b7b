"""Demo decisions: one open round with some decisions made, one adopted paper with its
members' ratifications partly recorded. Skipped when the workspace already has rounds."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from workspace.accounts.models import User
from workspace.db import db, utcnow
from workspace.decisions import services
from workspace.decisions.models import ApprovalRound
from workspace.papers import services as papers
from workspace.papers.models import Paper
from workspace.workspaces.models import Workspace

ADOPTED_TITLE = "Om Regionsamverkan Sydsverige"
OPEN_TITLE = "Toppmöte om Skånes regionala utveckling"


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def load_decisions_demo() -> int:
    ws = db.session.scalar(select(Workspace).where(Workspace.slug == "sydsverige"))
    if ws is None or db.session.scalar(select(ApprovalRound.id).where(ApprovalRound.workspace_id == ws.id).limit(1)):
        return 0
    kansli, official = _user("kansli@demo.example"), _user("tjansteman.skane@demo.example")
    pol = {r: _user(f"politiker.{r}@demo.example")
           for r in ("blekinge", "halland", "jonkoping", "kalmar", "kronoberg", "skane")}
    made = 0
    adopted = db.session.scalar(select(Paper).where(Paper.workspace_id == ws.id, Paper.title == ADOPTED_TITLE))
    if adopted is not None and adopted.status in ("draft", "review"):
        snap = papers.create_snapshot(official, adopted, "Beslutsversion",
                                      "Remissynpunkterna från regionerna är inarbetade.")
        r = services.open_paper_round(kansli, adopted, snap, deadline=utcnow() + timedelta(days=14),
                                      registration_number="RSS 2026/4",
                                      message="Styrelsen tar ställning till positionspapperet. "
                                              "Varje region beslutar genom sin förtroendevalda.")
        services.record_decision(pol["blekinge"], r, "approve")
        services.record_decision(pol["halland"], r, "approve_reservation",
                                 "Vi reserverar oss mot att godsstråken prioriteras före persontrafiken.")
        services.record_decision(pol["jonkoping"], r, "approve")
        services.record_decision(pol["kalmar"], r, "approve_statement",
                                 "Kalmar län vill att Stångådalsbanan nämns särskilt.",
                                 note="Oppositionen i Kalmar läns regionfullmäktige delar inte ställningstagandet.")
        services.record_decision(pol["kronoberg"], r, "approve")
        services.record_decision(pol["skane"], r, "approve")  # the last one: the round closes and adopts
        orgs = {o.name: o.id for o in ws.member_organizations}
        today = utcnow().date()
        services.record_ratification(kansli, r, orgs["Region Skåne"], status="ratified",
                                     registration_number="RS 2026/1187", body="Regionstyrelsen",
                                     decided_on=min(today, date(2026, 11, 12)), paragraph="§ 214")
        services.record_ratification(kansli, r, orgs["Region Kronoberg"], status="ratified",
                                     registration_number="RK 2026/0415", body="Regionstyrelsen",
                                     decided_on=min(today, date(2026, 11, 18)), paragraph="§ 162")
        services.record_ratification(kansli, r, orgs["Region Halland"], status="not_needed")
        services.record_ratification(kansli, r, orgs["Region Kalmar län"], status="pending",
                                     body="Regionfullmäktige")
        made += 1
    pending = db.session.scalar(select(Paper).where(Paper.workspace_id == ws.id, Paper.title == OPEN_TITLE))
    if pending is not None and pending.status in ("draft", "review"):
        snap = papers.create_snapshot(official, pending, "Beslutsversion")
        r = services.open_paper_round(kansli, pending, snap, deadline=utcnow() + timedelta(days=10),
                                      registration_number="RSS 2026/9",
                                      message="Ta ställning senast inför styrelsemötet.")
        services.record_decision(pol["skane"], r, "approve")
        services.record_decision(pol["halland"], r, "approve_statement",
                                 "Halland vill att kompetensförsörjningen i hela Sydsverige lyfts fram.")
        services.record_decision(pol["blekinge"], r, "decline", "Blekinge saknar en skrivning om sjöfarten.")
        made += 1
    db.session.flush()
    return made
