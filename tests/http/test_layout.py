"""The layout's facts about the logged-in person (the menu's workspaces, the bell's count) come
in one query per page, and are right also for someone in no workspace."""
import re

from sqlalchemy import select

from tests.conftest import recorded_statements
from workspace.db import db
from workspace.events import record_event
from workspace.notifications.models import Notification
from workspace.workspaces.models import Membership

READER = "lasare@demo.example"


def _unread(app, demo, email: str, workspace=None) -> None:
    with app.app_context():
        user = demo.user(email)
        ev = record_event(None, "paper-created", object_type="paper", object_id=1)
        db.session.add(Notification(user_id=user.id, workspace_id=workspace, event_id=ev.id, kind="mention"))
        db.session.commit()


def _count(page: str) -> int:
    found = re.search(r'id="notification-count">(\d+)<', page)
    return int(found.group(1)) if found else 0


def test_menu_and_bell_in_one_query(app, as_user, demo):
    reader = as_user(READER)
    before = _count(reader.get("/account").text)
    with app.app_context():
        ws_id = demo.workspace("sydsverige").id
    _unread(app, demo, READER, ws_id)
    _unread(app, demo, READER, ws_id)
    with recorded_statements(app) as statements:
        page = reader.get("/account").text
    assert _count(page) == before + 2 and "Regionsamverkan Sydsverige" in page  # the bell and the menu
    counting = [s for s in statements if "FROM notification" in s]
    assert len(counting) == 1 and "FROM workspace" in counting[0], statements


def test_someone_in_no_workspace_still_sees_their_unread_count(app, as_user, demo):
    reader = as_user(READER)
    with app.app_context():
        for m in db.session.scalars(select(Membership).where(Membership.user_id == demo.user(READER).id)):
            m.active = False
        db.session.commit()
    assert _count(reader.get("/account").text) == 0  # the workspaces' notifications are hidden now
    _unread(app, demo, READER, None)  # a notification of no workspace (the account's own)
    page = reader.get("/account").text
    assert _count(page) == 1
    assert "Sydsverige" not in page[:page.index("</header>")]
