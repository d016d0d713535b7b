import pytest
from sqlalchemy import func, select

from workspace.db import db
from workspace.events import Event
from workspace.live.hub import _to_live
from workspace.priorities import services
from workspace.priorities.models import FollowUp, PriorityItem, PriorityList, Ranking

KANSLI = "kansli@demo.example"
SKANE = "tjansteman.skane@demo.example"
KRONOBERG = "tjansteman.kronoberg@demo.example"
POL_SKANE = "politiker.skane@demo.example"
POL_HALLAND = "politiker.halland@demo.example"
READER = "lasare@demo.example"
PR = "/w/sydsverige/priorities"
YEAR = 2030
L = f"{PR}/{YEAR}"


@pytest.fixture
def plist(app, as_user):
    """A draft for YEAR with three items, made through the pages."""
    c = as_user(SKANE)
    resp = c.post(PR, {"year": str(YEAR), "source": ""})
    assert resp.status_code == 303 and resp.headers["Location"] == L
    for title in ("Energiförsörjning", "Bredband och digitalisering", "Nya stambanor"):
        assert c.post(L + "/items", {"title": title, "description": "", "responsible_organization_id": ""},
                      htmx=True).status_code == 200
    return info(app)


def info(app, year=YEAR):
    with app.app_context():
        pl = db.session.scalar(select(PriorityList).where(PriorityList.year == year))
        return {"id": pl.id, "status": pl.status, "items": [i.id for i in pl.ordered_items],
                "titles": [i.title for i in pl.ordered_items]}


def count(app, model, **where):
    with app.app_context():
        stmt = select(func.count()).select_from(model)
        for k, v in where.items():
            stmt = stmt.where(getattr(model, k) == v)
        return db.session.scalar(stmt)


def set_status(app, status):
    """Move the test list along with the services (the pages are tested on their own below)."""
    from workspace.accounts.models import User

    with app.test_request_context(method="POST"):
        pl = db.session.scalar(select(PriorityList).where(PriorityList.year == YEAR))
        kansli = db.session.scalar(select(User).where(User.email == KANSLI))
        if status in ("ranking",):
            services.open_ranking(kansli, pl)
        if status in ("decision", "adopted"):
            services.submit_for_decision(kansli, pl)
        if status == "adopted":
            services.adopt(pl, pl.decision_hash)
        db.session.commit()


# --- the years -----------------------------------------------------------------------

def test_index_shows_the_years_and_who_may_create(as_user):
    page = as_user(READER).get(PR)
    assert page.status_code == 200
    assert "Prioriteringar för 2023" in page.text and "Prioriteringar för 2024" in page.text
    assert "Ny prioriteringslista" not in page.text
    official = as_user(SKANE).get(PR)
    assert "Ny prioriteringslista" in official.text and 'value="2025"' in official.text


@pytest.mark.parametrize("year,message", [
    ("", "Ange ett år mellan 2000 och 2100"),
    ("tjugo", "Ange ett år mellan"),
    ("1999", "Ange ett år mellan"),
    ("2023", "Det finns redan en prioriteringslista för 2023"),
    ("12345678901", "Ange ett år mellan"),
])
def test_create_bad_year(app, as_user, year, message):
    resp = as_user(SKANE).post(PR, {"year": year, "source": ""})
    assert resp.status_code == 422
    assert message in resp.text
    assert count(app, PriorityList) == 2


def test_create_by_carrying_over(app, as_user):
    c = as_user(KRONOBERG)
    resp = c.post(PR, {"year": "2025", "source": "2024"})
    assert resp.status_code == 303
    new, old = info(app, 2025), info(app, 2024)
    assert new["titles"] == old["titles"]
    with app.app_context():
        items = db.session.scalars(select(PriorityItem).where(PriorityItem.id.in_(new["items"]))
                                   .order_by(PriorityItem.position)).all()
        assert [i.origin_id for i in items] == old["items"]
    page = c.get(PR + "/2025")
    assert "Överförd från" in page.text and "Från 2024, punkt A" in page.text
    assert c.post(PR, {"year": "2026", "source": "1990"}).status_code == 422
    assert c.post(PR, {"year": "2020", "source": "2024"}).status_code == 422


# --- the list ------------------------------------------------------------------------

def test_page_and_fragments(as_user, plist):
    c = as_user(READER)
    page = c.get(L)
    assert page.status_code == 200 and "<html" in page.text
    assert "Prioriteringar för 2030" in page.text and "Energiförsörjning" in page.text
    assert "Föreslå en prioritering" not in page.text and "data-sortable-order" not in page.text
    for part, marker in (("items", 'id="priority-items"'), ("header", 'id="priority-header"'),
                         ("aggregate", 'id="priority-aggregate"')):
        frag = c.hx_get(f"{L}?part={part}")
        assert frag.status_code == 200 and "<html" not in frag.text and marker in frag.text
        assert "HX-Request" in frag.headers["Vary"]
    assert as_user(READER).get(PR + "/1999").status_code == 404
    editor = as_user(SKANE).get(L)
    assert "Föreslå en prioritering" in editor.text and "data-sortable-order" in editor.text


def test_letters_shown_with_items(as_user, plist):
    text = as_user(READER).get(L).text
    assert text.index(">A<") < text.index(">B<") < text.index(">C<")
    assert "A. </span>Energiförsörjning" in text and "C. </span>Nya stambanor" in text


def test_add_item_with_links(app, as_user, plist):
    c = as_user(SKANE)
    with app.app_context():
        from workspace.papers.models import Paper

        paper = db.session.scalar(select(Paper).where(Paper.title == "Om Regionsamverkan Sydsverige"))
        org = db.session.scalar(select(PriorityList).where(PriorityList.year == YEAR)).workspace.member_organizations[0]
        paper_id, org_id, org_name = paper.id, org.id, org.name
    resp = c.post(L + "/items", {"title": "Kompetensförsörjning", "description": "Gemensamma insatser.",
                                 "responsible_organization_id": str(org_id), "paper": str(paper_id)}, htmx=True)
    assert resp.status_code == 200 and "<html" not in resp.text
    assert "är tillagd som prioritering D" in resp.text
    assert org_name in resp.text and "Om Regionsamverkan Sydsverige" in resp.text


@pytest.mark.parametrize("data,message", [
    ({"title": ""}, "Ange en rubrik"),
    ({"title": "x" * 301}, "Högst 300 tecken"),
    ({"title": "Ok", "description": "y" * 5001}, "Högst 5000 tecken"),
    ({"title": "Ok", "responsible_organization_id": "999999"}, "måste vara medlem"),
    ({"title": "Ok", "paper": "999999"}, "Okänt positionspapper"),
    ({"title": "Ok", "paper": "x"}, "Okänt positionspapper"),
])
def test_add_item_bad_input_keeps_the_text(app, as_user, plist, data, message):
    form = {"title": "", "description": "Min beskrivning som inte får försvinna", "responsible_organization_id": ""}
    form.update(data)
    resp = as_user(SKANE).post(L + "/items", form, htmx=True)
    assert resp.status_code == 422
    assert message in resp.text
    if form["description"].startswith("Min"):
        assert "Min beskrivning som inte får försvinna" in resp.text
    assert len(info(app)["items"]) == 3


def test_edit_item(app, as_user, plist):
    c = as_user(KRONOBERG)
    url = f"{L}/items/{plist['items'][1]}/edit"
    page = c.get(url)
    assert page.status_code == 200 and "Ändra prioritering B" in page.text and "Bredband och digitalisering" in page.text
    bad = c.post(url, {"title": "", "description": "Text som ska finnas kvar", "responsible_organization_id": ""})
    assert bad.status_code == 422 and "Ange en rubrik" in bad.text and "Text som ska finnas kvar" in bad.text
    ok = c.post(url, {"title": "Bredband", "description": "Ny text", "responsible_organization_id": ""})
    assert ok.status_code == 303 and ok.headers["Location"].endswith(f"#item-{plist['items'][1]}")
    assert info(app)["titles"][1] == "Bredband"


def test_remove_item(app, as_user, plist):
    resp = as_user(SKANE).post(f"{L}/items/{plist['items'][0]}/remove", htmx=True)
    assert resp.status_code == 200 and "”Energiförsörjning” är borttagen." in resp.text
    assert info(app)["titles"] == ["Bredband och digitalisering", "Nya stambanor"]
    assert as_user(SKANE).post(f"{L}/items/{plist['items'][0]}/remove").status_code == 404


def test_keyboard_move(app, as_user, plist):
    c = as_user(SKANE)
    a, b, cc = plist["items"]
    resp = c.post(f"{L}/items/{cc}/move", {"direction": "up"}, htmx=True)
    assert resp.status_code == 200
    assert "”Nya stambanor” är nu prioritering B (2 av 3)." in resp.text
    assert "data-focus-after-move" in resp.text
    assert info(app)["items"] == [a, cc, b]
    assert c.post(f"{L}/items/{cc}/move", {"direction": "sideways"}, htmx=True).status_code == 422
    assert info(app)["items"] == [a, cc, b]


def test_reorder_and_bad_orders(app, as_user, plist):
    c = as_user(SKANE)
    a, b, cc = plist["items"]
    resp = c.post(L + "/order", {"item": [str(cc), str(a), str(b)]}, htmx=True)
    assert resp.status_code == 200 and "Ordningen är sparad." in resp.text
    assert info(app)["items"] == [cc, a, b]
    for bad in ([], ["x"], [str(a)], [str(a), str(a), str(b)], [str(a), str(b), str(cc), "999999"]):
        r = c.post(L + "/order", {"item": bad}, htmx=True)
        assert r.status_code == 422
    assert info(app)["items"] == [cc, a, b]


def test_two_people_reordering_at_once_lose_no_item(app, as_user, plist):
    skane, kronoberg = as_user(SKANE), as_user(KRONOBERG)
    a, b, c = plist["items"]
    # Both have the page open. Skåne adds an item; Kronoberg, not yet seeing it, drags.
    assert skane.post(L + "/items", {"title": "Kompetensförsörjning", "description": "",
                                     "responsible_organization_id": ""}, htmx=True).status_code == 200
    new = info(app)["items"][-1]
    stale = kronoberg.post(L + "/order", {"item": [str(c), str(b), str(a)]}, htmx=True)
    assert stale.status_code == 422
    assert "Listan har ändrats under tiden" in stale.text
    assert "Kompetensförsörjning" in stale.text  # the fresh list comes back to redo the move on
    assert info(app)["items"] == [a, b, c, new]
    # Now both reorder the same four items at once: the later order wins, nothing is lost.
    assert skane.post(L + "/order", {"item": [str(new), str(a), str(b), str(c)]}, htmx=True).status_code == 200
    assert kronoberg.post(L + "/order", {"item": [str(c), str(new), str(b), str(a)]}, htmx=True).status_code == 200
    assert info(app)["items"] == [c, new, b, a]
    # A move with the arrow button meanwhile works on the current list.
    assert skane.post(f"{L}/items/{a}/move", {"direction": "up"}, htmx=True).status_code == 200
    assert sorted(info(app)["items"]) == sorted([a, b, c, new])


# --- status, decision and the freeze --------------------------------------------------

def test_status_moves_by_role(app, as_user, plist):
    official, kansli = as_user(SKANE), as_user(KANSLI)
    page = official.get(L)
    assert "Öppna för rangordning" in page.text and "Sätt upp för beslut" not in page.text
    assert official.post(L + "/status", {"status": "decision"}).status_code == 403
    assert official.post(L + "/status", {"status": "ranking"}).status_code == 303
    assert info(app)["status"] == "ranking"
    assert official.post(L + "/status", {"status": "adopted"}).status_code == 403
    bad = official.post(L + "/status", {"status": "bogus"}, htmx=True)
    assert bad.status_code == 422 and "Okänd status." in bad.text
    assert "Sätt upp för beslut" in kansli.get(L).text
    # Only an approval round puts the list up for decision and adopts it.
    refused = kansli.post(L + "/status", {"status": "decision"}, htmx=True)
    assert refused.status_code == 422 and "beslutsomgång" in refused.text
    assert kansli.post(L + "/status", {"status": "adopted"}, htmx=True).status_code == 422
    assert kansli.get(L + "/rounds/new").status_code == 200
    with app.app_context():
        orgs = [str(o.id) for o in db.session.scalar(select(PriorityList).where(PriorityList.year == YEAR))
                .workspace.member_organizations]
    opened = kansli.post(L + "/rounds/new", {"deadline": "2031-01-15T12:00", "organizations": orgs,
                                             "message": "Styrelsen beslutar"})
    assert opened.status_code == 303 and "/rounds/" in opened.headers["Location"]
    round_id = int(opened.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        pl = db.session.get(PriorityList, plist["id"])
        assert pl.status == "decision" and pl.decision_hash == services.content_hash(pl)
    assert "Innehållets kontrollsumma" in kansli.get(L).text
    assert "Listan som beslutas" in kansli.get(f"/w/sydsverige/rounds/{round_id}").text
    assert official.post(L + "/status", {"status": "draft"}).status_code == 403
    # Every member's politician approves: the round closes and the list is adopted.
    from workspace.accounts.models import User
    from workspace.decisions import services as decisions
    from workspace.decisions.models import ApprovalRound

    with app.test_request_context(method="POST"):
        round_ = db.session.get(ApprovalRound, round_id)
        for org_id in round_.organization_ids:
            politician = db.session.scalar(select(User).where(User.organization_id == org_id,
                                                              User.email.like("politiker.%")))
            decisions.record_decision(politician, round_, "approve")
        db.session.commit()
    assert info(app)["status"] == "adopted"


def test_opening_a_round_on_a_list_with_bad_input(app, as_user, plist):
    kansli = as_user(KANSLI)
    resp = kansli.post(L + "/rounds/new", {"deadline": "inte ett datum", "message": "x" * 5001})
    assert resp.status_code == 422
    assert "Ange sista dag och tid för beslut." in resp.text and "Högst 5000 tecken." in resp.text
    assert info(app)["status"] != "decision"
    assert as_user(SKANE).post(L + "/rounds/new", {"deadline": "2031-01-15T12:00"}).status_code == 403


def test_an_empty_list_cannot_be_put_up_for_decision(app, as_user):
    kansli = as_user(KANSLI)
    assert kansli.post(PR, {"year": "2031", "source": ""}).status_code == 303
    from workspace.workspaces.models import Workspace

    with app.app_context():
        orgs = [str(o.id) for o in db.session.scalar(select(Workspace).where(Workspace.slug == "sydsverige"))
                .member_organizations]
    resp = kansli.post(PR + "/2031/rounds/new", {"deadline": "2031-01-15T12:00", "organizations": orgs})
    assert resp.status_code == 422 and "En tom lista" in resp.text


def test_an_adopted_list_is_frozen(app, as_user, plist):
    set_status(app, "adopted")
    c = as_user(SKANE)
    a, b, cc = plist["items"]
    page = c.get(L)
    assert "Listan är fastställd" in page.text
    assert "Föreslå en prioritering" not in page.text and "data-sortable-order" not in page.text
    frozen = "Listan är uppsatt för beslut eller fastställd"
    r = c.post(L + "/order", {"item": [str(cc), str(b), str(a)]}, htmx=True)
    assert r.status_code == 422 and frozen in r.text
    r = c.post(f"{L}/items/{cc}/move", {"direction": "up"}, htmx=True)
    assert r.status_code == 422 and frozen in r.text
    assert c.post(L + "/items", {"title": "Sent", "description": "", "responsible_organization_id": ""},
                  htmx=True).status_code == 422
    assert c.post(f"{L}/items/{a}/remove", htmx=True).status_code == 422
    assert c.post(f"{L}/items/{a}/edit", {"title": "Ändrad", "description": "",
                                          "responsible_organization_id": ""}).status_code == 422
    assert frozen in c.get(f"{L}/items/{a}/edit").text
    assert as_user(KANSLI).post(L + "/apply-ranking", htmx=True).status_code == 422
    assert as_user(KANSLI).post(L + "/status", {"status": "draft"}).status_code == 403
    assert info(app)["items"] == [a, b, cc] and info(app)["titles"][0] == "Energiförsörjning"


# --- ranking -------------------------------------------------------------------------

def test_ranking_by_politicians_and_the_aggregate(app, as_user, plist):
    a, b, c = plist["items"]
    pol = as_user(POL_SKANE)
    closed = pol.post(L + "/ranking", {"item": [str(c), str(b), str(a)]}, htmx=True)
    assert closed.status_code == 422 and "inte öppen för rangordning" in closed.text
    set_status(app, "ranking")
    page = pol.get(L)
    assert "Er rangordning" in page.text and "Er organisation har inte rangordnat ännu." in page.text
    saved = pol.post(L + "/ranking", {"item": [str(c), str(b), str(a)]}, htmx=True)
    assert saved.status_code == 200 and "Er rangordning är sparad." in saved.text and "<html" not in saved.text
    moved = as_user(POL_HALLAND).post(f"{L}/ranking/{a}/move", {"direction": "up"}, htmx=True)
    assert moved.status_code == 200 and "är nu plats 1 av 3 i er rangordning" in moved.text
    with app.app_context():
        pl = db.session.get(PriorityList, plist["id"])
        orders = {r.organization.name: r.item_order for r in services.current_rankings(pl).values()}
    assert orders == {"Region Skåne": [c, b, a], "Region Halland": [a, b, c]}
    agg = as_user(READER).hx_get(f"{L}?part=aggregate").text
    assert "2 organisationer har rangordnat." in agg
    # a: 0+2 = 2, b: 1+1 = 2, c: 2+0 = 2 → all tied at place 1
    assert agg.count("<td>1</td>") >= 3
    # stale: an item was added after the politician's page was loaded
    as_user(SKANE).post(L + "/items", {"title": "Ny", "description": "", "responsible_organization_id": ""}, htmx=True)
    stale = pol.post(L + "/ranking", {"item": [str(c), str(b), str(a)]}, htmx=True)
    assert stale.status_code == 422 and "ändrats under tiden" in stale.text
    assert pol.post(L + "/ranking", {"item": ["x"]}, htmx=True).status_code == 422
    assert pol.post(f"{L}/ranking/{a}/move", {"direction": "left"}, htmx=True).status_code == 422
    assert count(app, Ranking, list_id=plist["id"]) == 2


def test_secretariat_sets_the_order_from_the_aggregate(app, as_user, plist):
    a, b, c = plist["items"]
    set_status(app, "ranking")
    kansli = as_user(KANSLI)
    none_yet = kansli.post(L + "/apply-ranking", htmx=True)
    assert none_yet.status_code == 422 and "Ingen organisation har rangordnat ännu." in none_yet.text
    as_user(POL_SKANE).post(L + "/ranking", {"item": [str(b), str(c), str(a)]}, htmx=True)
    assert "Ordna listan efter den sammanvägda rangordningen" in kansli.get(L).text
    resp = kansli.post(L + "/apply-ranking", htmx=True)
    assert resp.status_code == 200 and "sammanvägda rangordningens ordning" in resp.text
    assert info(app)["items"] == [b, c, a]


def test_events_carry_the_list_for_live_updates(app, as_user, plist):
    with app.app_context():
        ev = db.session.scalars(select(Event).where(Event.verb == "priority-item-added")
                                .order_by(Event.id.desc())).first()
        live = _to_live(ev)
        assert f"priority-list:{plist['id']}" in live.keys()
    from workspace.live.views import PUBLIC_PAYLOAD

    assert "list_id" in PUBLIC_PAYLOAD


# --- follow-up -----------------------------------------------------------------------

def test_follow_up_page_and_recording(app, as_user):
    with app.app_context():
        y2023 = info(app, 2023)
    item = y2023["items"][0]
    reader = as_user(READER)
    page = reader.get(PR + "/2023/follow-up")
    assert page.status_code == 200 and "Delårsbokslut" in page.text and "Årsbokslut" in page.text
    assert "Påverkansarbetet har genomförts enligt plan." in page.text
    assert "Spara uppföljningen" not in page.text
    frag = reader.hx_get(PR + "/2023/follow-up?part=table")
    assert frag.status_code == 200 and "<html" not in frag.text
    c = as_user(KRONOBERG)
    url = f"{PR}/2023/items/{item}/follow-up"
    ok = c.post(url, {"period": "arsbokslut", "status": "ongoing", "comment": "Fortsätter nästa år."}, htmx=True)
    assert ok.status_code == 200 and "<td" in ok.text and "Pågår" in ok.text and "Fortsätter nästa år." in ok.text
    assert "1 tidigare" in ok.text  # the annual report's earlier status stays in the history
    bad = c.post(url, {"period": "arsbokslut", "status": "", "comment": "Kommentar som ska finnas kvar"}, htmx=True)
    assert bad.status_code == 422 and "Välj en status." in bad.text and "Kommentar som ska finnas kvar" in bad.text
    long = c.post(url, {"period": "arsbokslut", "status": "done", "comment": "x" * 5001}, htmx=True)
    assert long.status_code == 422 and "för lång" in long.text
    assert c.post(url, {"period": "kvartal", "status": "done"}, htmx=True).status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(FollowUp).where(FollowUp.item_id == item)) == 3


def test_follow_up_needs_an_adopted_list(app, as_user, plist):
    resp = as_user(SKANE).post(f"{L}/items/{plist['items'][0]}/follow-up",
                               {"period": "delarsbokslut", "status": "ongoing", "comment": ""}, htmx=True)
    assert resp.status_code == 422 and "Bara en fastställd lista följs upp." in resp.text
    assert "inte fastställd ännu" in as_user(SKANE).get(L + "/follow-up").text


# --- comparing years -----------------------------------------------------------------

def test_compare_two_years(as_user):
    c = as_user(READER)
    page = c.get(PR + "/compare?a=2023&b=2024")
    assert page.status_code == 200
    assert "2023 jämfört med 2024" in page.text
    assert "Kompetensförsörjning och arbetsmarknad" in page.text  # added in 2024
    assert "B → D" not in page.text and "E → B" in page.text  # Nya stambanor moved up
    default = c.get(PR + "/compare")
    assert "2023 jämfört med 2024" in default.text
    frag = c.hx_get(PR + "/compare?a=2024&b=2023")
    assert frag.status_code == 200 and "<html" not in frag.text and "2024 jämfört med 2023" in frag.text
    for bad in ("a=1990&b=2024", "a=x&b=2024", "a=2023&b=-1"):
        assert c.get(PR + "/compare?" + bad).status_code == 404


# --- permissions by role ---------------------------------------------------------------

@pytest.mark.parametrize("email,can_write,can_rank", [
    (KANSLI, True, False), (SKANE, True, False), (POL_SKANE, False, True), (READER, False, False),
])
def test_permissions_by_role(app, as_user, plist, email, can_write, can_rank):
    set_status(app, "ranking")
    c = as_user(email)
    a = plist["items"][0]
    assert c.get(L).status_code == 200
    add = c.post(L + "/items", {"title": "Roll " + email, "description": "", "responsible_organization_id": ""},
                 htmx=True)
    assert add.status_code == (200 if can_write else 403)
    rank = c.post(L + "/ranking", {"item": [str(i) for i in info(app)["items"]]}, htmx=True)
    assert rank.status_code == (200 if can_rank else 403)
    assert c.post(f"{L}/items/{a}/move", {"direction": "down"}, htmx=True).status_code == (200 if can_write else 403)
    assert c.post(L + "/status", {"status": "decision"}).status_code == (422 if email == KANSLI else 403)
