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
    # … and in the same query as the person of the session: a whole page's first question.
    assert re.search(r'FROM "?user"?\s', counting[0]) and "auth_session" in counting[0], counting[0]
    assert len([s for s in statements if re.search(r'FROM "?user"?\s', s)]) == 1, statements


def test_the_menu_lists_the_persons_active_workspaces_by_name(app, as_user, demo):
    from workspace.workspaces.models import Workspace

    reader = as_user(READER)
    with app.app_context():
        user = demo.user(READER)
        mine = set(db.session.scalars(select(Membership.workspace_id).where(Membership.user_id == user.id)))
        others = db.session.scalars(select(Workspace).where(Workspace.id.not_in(mine))).all()
        assert len(others) >= 2
        # Joined last, named first: the order the rows are stored in is not the menu's.
        first = Workspace(slug="arbetsgrupp-test-layout", name="Arbetsgruppen Östersjön")
        db.session.add(first)
        db.session.flush()
        for ws, active in ((others[0], True), (others[1], False), (first, True)):
            db.session.add(Membership(workspace_id=ws.id, user_id=user.id, role="reader", active=active))
        db.session.commit()
        names = sorted(db.session.scalars(select(Workspace.name).join(Membership).where(
            Membership.user_id == user.id, Membership.active.is_(True))))
        inactive = others[1].name
    assert len(names) >= 2  # an order to get wrong
    menu = _header(reader.get("/account").text)
    places = [menu.index(f">{n}<") for n in names]
    assert places == sorted(places)
    assert f">{inactive}<" not in menu


def test_an_htmx_request_asks_for_the_person_alone(app, as_user, demo):
    """A fragment draws no layout: its first query is the person's only."""
    reader = as_user(READER)
    with recorded_statements(app) as statements:
        assert reader.get("/notifications", headers={"HX-Request": "true"}).status_code == 200
    users = [s for s in statements if re.search(r'FROM "?user"?\s', s)]
    assert users and "FROM workspace" not in users[0], users


def test_a_page_after_logging_out_elsewhere_asks_to_log_in_again(app, as_user, demo):
    from workspace.accounts.models import AuthSession

    reader = as_user(READER)
    assert reader.get("/account").status_code == 200
    with app.app_context():
        for s in db.session.scalars(select(AuthSession).where(AuthSession.user_id == demo.user(READER).id)):
            s.ended_at = s.created_at
        db.session.commit()
    resp = reader.get("/account")
    assert resp.status_code in (302, 303) and "/login" in resp.headers["Location"]


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


# --- the site header, kept per set of what it shows (web/site_header.py) ----------------

def _header(page: str) -> str:
    return page[page.index('<header class="site-header">'):page.index("</header>")]


TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def test_the_header_follows_every_fact_it_shows(app, as_user, demo):
    from workspace.workspaces.models import Organization

    reader = as_user(READER)
    first = _header(reader.get("/account").text)
    assert _header(reader.get("/account").text).replace(TOKEN_RE.findall(first)[0], "") \
        == first.replace(TOKEN_RE.findall(first)[0], "")
    # Each fact alone (a new name with the same initials, then the e-mail) makes a new header.
    with app.app_context():
        user = demo.user(READER)
        initials, user.name = user.initials, user.name + "son"
        name = user.name
        db.session.commit()
        assert demo.user(READER).initials == initials
    assert name in _header(reader.get("/account").text)
    with app.app_context():
        demo.user(READER).email = "ny.lasare@demo.example"
        db.session.commit()
    header = _header(reader.get("/account").text)
    assert "ny.lasare@demo.example" in header
    with app.app_context():
        demo.user("ny.lasare@demo.example").name = "Lisa Läsare-Ny"
        db.session.commit()
    header = _header(reader.get("/account").text)
    assert "Lisa Läsare-Ny" in header and ">LL<" in header
    with app.app_context():
        org = db.session.get(Organization, demo.user("ny.lasare@demo.example").organization_id)
        org.name = "Region Nytt Namn"
        db.session.commit()
    assert "Region Nytt Namn" in _header(reader.get("/account").text)
    _unread(app, demo, "ny.lasare@demo.example", None)
    assert _count(reader.get("/account").text) == _count(header) + 1
    # The workspace of the page: the search looks there, and the menu marks it.
    page_header = _header(reader.get("/w/sydsverige").text)
    assert 'action="/w/sydsverige/search"' in page_header
    assert 'aria-current="page">Regionsamverkan Sydsverige' in page_header
    assert 'aria-current="page"' not in _header(reader.get("/account").text)
    with app.app_context():
        for m in db.session.scalars(select(Membership).where(
                Membership.user_id == demo.user("ny.lasare@demo.example").id)):
            m.active = False
        db.session.commit()
    assert "Regionsamverkan Sydsverige" not in _header(reader.get("/account").text)
    # The language.
    english = as_user("tjansteman.skane@demo.example")
    assert "Mina samverkansorgan" in _header(english.get("/account").text)
    assert english.post("/language", {"locale": "en", "next": "/account"}).status_code in (302, 303)
    assert "My cooperation bodies" in _header(english.get("/account").text)


def test_token_and_path_are_each_requests_own(app, as_user, demo):
    official, other = as_user("tjansteman.skane@demo.example"), as_user("tjansteman.kronoberg@demo.example")
    tokens = set()
    for who in (official, other, official, other):
        header = _header(who.get("/account?tab=a&b=<x>").text)
        assert 'name="next" value="/account?tab=a&amp;b=&lt;x&gt;"' in header, header
        tokens |= set(TOKEN_RE.findall(header))
    assert len(tokens) >= 2
    # The language switch works with the token the header drew.
    header = _header(official.get("/account").text)
    resp = official.http.post("/language", data={"locale": "en", "next": "/account",
                                                   "csrf_token": TOKEN_RE.findall(header)[0]})
    assert resp.status_code in (302, 303)


def test_without_a_cache_the_header_is_the_same(app, as_user, demo, monkeypatch):
    from workspace.cache import BoundedCache

    reader = as_user(READER)
    cached = _header(reader.get("/w/sydsverige").text)
    monkeypatch.setitem(app.extensions, "samverkan.kept", BoundedCache(0))
    plain = _header(reader.get("/w/sydsverige").text)
    token = TOKEN_RE.findall(plain)[0]
    assert cached.replace(TOKEN_RE.findall(cached)[0], token) == plain


def test_the_login_page_has_the_header_without_a_person(app):
    client = app.test_client()
    header = _header(client.get("/login").get_data(as_text=True))
    assert "user-menu" not in header and "lang-switch" in header and 'name="next" value="/login"' in header
