"""Approval rounds notify the people involved, linking to the round."""
from datetime import timedelta

from sqlalchemy import select

from workspace.db import db, utcnow
from workspace.decisions import services as decisions
from workspace.notifications.models import Notification
from workspace.notifications.services import notification_path
from workspace.papers import services as papers


def _people(kind_rows):
    from workspace.accounts.models import User

    return sorted(db.session.get(User, n.user_id).email for n in kind_rows)


def test_opening_and_closing_a_round_notify_those_taking_part(app, demo):
    with app.test_request_context(method="POST"):
        ws = demo.workspace("sydsverige")
        kansli = demo.user("kansli@demo.example")
        author = demo.user("tjansteman.skane@demo.example")
        paper = papers.create_paper(author, ws, title="Gemensam hållning", sections=[("Text", "<p>A</p>")])
        snap = papers.create_snapshot(author, paper, "Beslutsversion")
        orgs = {o.name: o.id for o in ws.member_organizations}
        taking_part = [orgs["Region Skåne"], orgs["Region Halland"]]
        from sqlalchemy import func

        before = db.session.scalar(select(func.max(Notification.id))) or 0
        round_ = decisions.open_paper_round(kansli, paper, snap, deadline=utcnow() + timedelta(days=3),
                                            registration_number="RSS 2026/9", organization_ids=taking_part)
        db.session.flush()
        opened = db.session.scalars(select(Notification).where(Notification.kind == "approval_round",
                                                               Notification.id > before)).all()
        emails = _people(opened)
        assert "politiker.skane@demo.example" in emails and "politiker.halland@demo.example" in emails
        assert "tjansteman.skane@demo.example" in emails
        assert "politiker.blekinge@demo.example" not in emails  # not taking part
        assert "kansli@demo.example" not in emails  # the actor
        assert all(notification_path(n).endswith(f"/rounds/{round_.id}") for n in opened)
        decisions.cancel_round(kansli, round_)
        db.session.flush()
        after = db.session.scalars(select(Notification).where(Notification.kind == "approval_round",
                                                              Notification.id > before)).all()
        assert len(after) > len(opened)
        db.session.rollback()
