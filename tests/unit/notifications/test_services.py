import pytest
from sqlalchemy import func, select

from workspace.comments import services as comments
from workspace.db import db
from workspace.events import record_event
from workspace.live.hub import _to_live
from workspace.live.views import format_event
from workspace.mail.models import OutboxMessage
from workspace.notifications import services
from workspace.notifications.models import Notification
from workspace.papers import services as papers

SKANE = "tjansteman.skane@demo.example"  # Sara Lindqvist
POLITICIAN = "politiker.halland@demo.example"


@pytest.fixture
def ws(ctx, demo):
    return demo.workspace("sydsverige")


@pytest.fixture
def section(ws, demo):
    return papers.create_paper(demo.user(SKANE), ws, title="Kultur", sections=[("Bakgrund", "<p>Ett.</p>")]).live_sections[0]


def mails_to(user):
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_addr == user.email)))


def mention_sara(demo, section):
    t = comments.start_thread(demo.user(POLITICIAN), section, "Titta här, @Sara Lindqvist.")
    return db.session.scalars(select(Notification).where(Notification.user_id == demo.user(SKANE).id)
                              .order_by(Notification.id.desc())).first(), t


def test_immediate_mail_links_to_the_exact_thread(section, demo):
    sara = demo.user(SKANE)
    n, t = mention_sara(demo, section)
    assert n.kind == "mention" and n.email_state == "sent"
    [mail] = mails_to(sara)
    assert "Maria Nilsson nämnde dig i ”Bakgrund”" in mail.subject
    assert f"/w/sydsverige/papers/{section.paper_id}#thread-{t.id}" in mail.body
    assert services.notification_path(n).endswith(f"#thread-{t.id}")


def test_digest_waits_for_the_daily_command_and_none_sends_nothing(app, section, demo):
    sara, maria = demo.user(SKANE), demo.user(POLITICIAN)
    services.set_preferences(sara, {"mention": "digest", "reply": "none"})
    assert services.preferences_of(sara)["mention"] == "digest"
    n, t = mention_sara(demo, section)
    assert n.email_state == "digest" and mails_to(sara) == []
    comments.reply(maria, t, "Och ett svar till @Sara Lindqvist.")
    assert services.send_digests() == 1
    [mail] = mails_to(sara)
    assert "sammanfattning (2 händelser)" in mail.subject and mail.body.count("/w/sydsverige/papers/") == 2
    assert services.send_digests() == 0  # nothing twice
    services.set_preferences(sara, {"mention": "none"})
    mention_sara(demo, section)
    assert len(mails_to(sara)) == 1
    with pytest.raises(services.NotificationError):
        services.set_preferences(sara, {"mention": "hourly"})


def test_digest_command(app, demo):
    with app.test_request_context():
        sara = demo.user(SKANE)
        services.set_preferences(sara, {"mention": "digest"})
        ws = demo.workspace("sydsverige")
        section = papers.create_paper(sara, ws, title="Kultur", sections=[("Bakgrund", "<p>Ett.</p>")]).live_sections[0]
        comments.start_thread(demo.user(POLITICIAN), section, "@Sara Lindqvist")
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["notifications", "digest"])
    assert result.exit_code == 0 and "1 sammanfattningar" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                                 .where(OutboxMessage.kind == "notification-digest")) == 1


def test_unread_count_and_marking_read(section, demo):
    sara = demo.user(SKANE)
    before = services.unread_count(sara)
    n, _t = mention_sara(demo, section)
    assert services.unread_count(sara) == before + 1
    with pytest.raises(PermissionError):
        services.mark_read(demo.user(POLITICIAN), n)
    services.mark_read(sara, n)
    assert services.unread_count(sara) == before and n.read_at is not None
    mention_sara(demo, section)
    services.mark_all_read(sara)
    assert services.unread_count(sara) == 0
    assert services.load_notification(demo.user(POLITICIAN), n.id) is None


def test_registering_a_rule_is_one_line_and_the_actor_is_never_notified(ws, demo):
    sara, maria = demo.user(SKANE), demo.user(POLITICIAN)
    services.register_rule("test-round-opened", lambda ev: ((uid, "approval_round") for uid in services.workspace_members(ev)))
    ev = record_event(maria, "test-round-opened", workspace=ws, object_type="round", object_id=1)
    got = {n.user_id for n in db.session.scalars(select(Notification).where(Notification.event_id == ev.id))}
    assert sara.id in got and maria.id not in got
    assert demo.user("tjansteman.ystad@demo.example").id not in got  # not a member
    assert ev.payload["recipient_ids"] == sorted(got)
    services.register_rule("test-bad", lambda ev: [(sara.id, "gossip")])
    with pytest.raises(ValueError):
        record_event(maria, "test-bad", workspace=ws, object_type="round", object_id=1)


def test_the_bell_key_reaches_only_its_own_person(section, demo):
    sara = demo.user(SKANE)
    n, _t = mention_sara(demo, section)
    live = _to_live(n.event)
    assert f"user:{sara.id}" in live.keys() and f"section:{section.id}" in live.keys()
    assert f"user:{sara.id}" in format_event(live, "x", sara.id)
    other = format_event(live, "x", demo.user(POLITICIAN).id)
    assert "user:" not in other and "recipient_ids" not in other and "mentioned_ids" not in other


def test_notifications_of_a_workspace_one_has_left_are_hidden(section, demo):
    from workspace.workspaces.models import Membership

    sara = demo.user(SKANE)
    n, _t = mention_sara(demo, section)
    assert n in services.notifications_of(sara)
    m = db.session.scalar(select(Membership).where(Membership.user_id == sara.id, Membership.workspace_id == section.paper.workspace_id))
    m.active = False
    db.session.flush()
    assert n not in services.notifications_of(sara) and services.unread_count(sara) == 0
