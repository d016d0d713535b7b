import pytest
from sqlalchemy import select

from workspace.db import db
from workspace.events import Event
from workspace.papers import services as papers
from workspace.priorities import services
from workspace.priorities.models import FollowUp, PriorityItem, Ranking

KANSLI = "kansli@demo.example"
SKANE = "tjansteman.skane@demo.example"
POL_SKANE = "politiker.skane@demo.example"
POL_HALLAND = "politiker.halland@demo.example"
READER = "lasare@demo.example"
OUTSIDER = "tjansteman.ystad@demo.example"
YEAR = 2031


@pytest.fixture
def ws(ctx, demo):
    return demo.workspace("sydsverige")


@pytest.fixture
def plist(ws, demo):
    official = demo.user(SKANE)
    pl = services.create_list(official, ws, YEAR)
    for title in ("Energiförsörjning", "Bredband och digitalisering", "Kultursamverkansmodellen"):
        services.add_item(official, pl, title=title, description="Beskrivning av " + title)
    db.session.flush()
    return pl


def titles(pl):
    return [i.title for i in pl.ordered_items]


def letters(pl):
    return [(i.letter, i.title) for i in pl.ordered_items]


def verbs():
    return [e.verb for e in db.session.scalars(select(Event).order_by(Event.id))]


def test_create_list_rules(ws, demo, plist):
    official = demo.user(SKANE)
    assert plist.title == f"Prioriteringar för {YEAR}"
    assert plist.status == "draft"
    with pytest.raises(services.PriorityError, match="redan"):
        services.create_list(official, ws, YEAR)
    for bad in (1999, 2101, "2030", None):
        with pytest.raises(services.PriorityError):
            services.create_list(official, ws, bad)
    for email in (POL_SKANE, READER, OUTSIDER):
        with pytest.raises(PermissionError):
            services.create_list(demo.user(email), ws, 2040)
    assert "priority-list-created" in verbs()


def test_letters_follow_the_order_after_reordering(plist, demo):
    official = demo.user(SKANE)
    assert letters(plist) == [("A", "Energiförsörjning"), ("B", "Bredband och digitalisering"),
                              ("C", "Kultursamverkansmodellen")]
    a, b, c = [i.id for i in plist.ordered_items]
    services.reorder_items(official, plist, [c, a, b])
    assert letters(plist) == [("A", "Kultursamverkansmodellen"), ("B", "Energiförsörjning"),
                              ("C", "Bredband och digitalisering")]
    services.move_item(official, db.session.get(PriorityItem, b), 0)
    assert [x[0] + ":" + x[1][:3] for x in letters(plist)] == ["A:Bre", "B:Kul", "C:Ene"]
    services.remove_item(official, db.session.get(PriorityItem, c))
    assert letters(plist) == [("A", "Bredband och digitalisering"), ("B", "Energiförsörjning")]
    assert [i.position for i in plist.ordered_items] == [0, 1]


def test_reorder_refuses_a_stale_or_broken_order(plist, demo):
    official = demo.user(SKANE)
    a, b, c = [i.id for i in plist.ordered_items]
    for bad in ([a, b], [a, b, c, c], [a, b, c, 999999], [], [a, a, b]):
        with pytest.raises(services.PriorityError, match="ändrats under tiden"):
            services.reorder_items(official, plist, bad)
    assert [i.id for i in plist.ordered_items] == [a, b, c]


def test_item_fields_are_validated(ws, plist, demo):
    official = demo.user(SKANE)
    with pytest.raises(services.PriorityError):
        services.add_item(official, plist, title="   ")
    with pytest.raises(services.PriorityError):
        services.add_item(official, plist, title="X" * 301)
    with pytest.raises(services.PriorityError):
        services.add_item(official, plist, title="X", description="y" * 5001)
    sosk = demo.workspace("sosk")
    foreign_org = [o for o in sosk.member_organizations if o not in ws.member_organizations][0]
    with pytest.raises(services.PriorityError, match="medlem"):
        services.add_item(official, plist, title="X", responsible_organization_id=foreign_org.id)
    foreign_paper = papers.create_paper(demo.user(OUTSIDER), sosk, title="SÖSK-papper")
    with pytest.raises(services.PriorityError, match="positionspapper"):
        services.add_item(official, plist, title="X", paper_ids=[foreign_paper.id])
    own = papers.create_paper(official, ws, title="Nya stambanor")
    org = ws.member_organizations[0]
    item = services.add_item(official, plist, title="  Nya   stambanor ", responsible_organization_id=org.id,
                             paper_ids=[own.id, own.id])
    assert item.title == "Nya stambanor" and item.papers == [own] and item.letter == "D"
    services.update_item(official, item, title="Nya stambanor för södra Sverige", description="Mer",
                         responsible_organization_id=None, paper_ids=[])
    assert item.papers == [] and item.responsible_organization_id is None
    for email in (POL_SKANE, READER):
        with pytest.raises(PermissionError):
            services.add_item(demo.user(email), plist, title="X")


def test_ranking_supersedes_and_keeps_history(plist, demo):
    services.open_ranking(demo.user(KANSLI), plist)
    a, b, c = [i.id for i in plist.ordered_items]
    pol = demo.user(POL_SKANE)
    services.save_ranking(pol, plist, [c, b, a])
    services.save_ranking(pol, plist, [b, c, a])
    services.save_ranking(demo.user(POL_HALLAND), plist, [c, a, b])
    assert db.session.scalar(select(db.func.count()).select_from(Ranking).where(Ranking.list_id == plist.id)) == 3
    current = services.current_rankings(plist)
    assert current[pol.organization_id].item_order == [b, c, a]
    agg = services.aggregate(plist)
    # b: 2+0 = 2, c: 1+2 = 3, a: 0+1 = 1
    assert [(it.id, int(row.points), row.place) for it, row in agg.rows] == [(c, 3, 1), (b, 2, 2), (a, 1, 3)]
    cols = {org.id: places for org, _r, places in agg.columns}
    assert cols[pol.organization_id] == {b: 1, c: 2, a: 3}
    assert len(agg.columns) == len(plist.workspace.member_organizations)  # missing rankings shown too
    services.move_in_ranking(pol, plist, db.session.get(PriorityItem, a), "up")
    assert services.current_rankings(plist)[pol.organization_id].item_order == [b, a, c]


def test_ranking_rules(plist, demo):
    a, b, c = [i.id for i in plist.ordered_items]
    pol = demo.user(POL_SKANE)
    with pytest.raises(services.PriorityError, match="inte öppen"):
        services.save_ranking(pol, plist, [a, b, c])
    services.open_ranking(demo.user(SKANE), plist)
    with pytest.raises(PermissionError):
        services.save_ranking(demo.user(SKANE), plist, [a, b, c])
    with pytest.raises(services.PriorityError):
        services.save_ranking(pol, plist, [a, b])
    with pytest.raises(PermissionError):
        services.apply_aggregate_order(demo.user(SKANE), plist)
    with pytest.raises(services.PriorityError, match="Ingen organisation"):
        services.apply_aggregate_order(demo.user(KANSLI), plist)
    services.save_ranking(pol, plist, [c, a, b])
    services.apply_aggregate_order(demo.user(KANSLI), plist)
    assert [i.id for i in plist.ordered_items] == [c, a, b]


def test_decision_freezes_the_list(plist, demo):
    kansli, official = demo.user(KANSLI), demo.user(SKANE)
    with pytest.raises(PermissionError):
        services.submit_for_decision(official, plist)
    digest = services.submit_for_decision(kansli, plist)
    assert digest == services.content_hash(plist) and plist.status == "decision"
    item = plist.ordered_items[0]
    with pytest.raises(services.PriorityError):
        services.add_item(official, plist, title="Sent förslag")
    with pytest.raises(services.PriorityError, match="ändrats"):
        services.adopt(plist, "0" * 64)
    services.adopt(plist, digest)
    assert plist.status == "adopted" and plist.adopted_at is not None
    ids = [i.id for i in plist.ordered_items]
    for attempt in (
        lambda: services.add_item(official, plist, title="Ny"),
        lambda: services.update_item(official, item, title="Ändrad", description="", responsible_organization_id=None,
                                     paper_ids=[]),
        lambda: services.remove_item(official, item),
        lambda: services.reorder_items(official, plist, list(reversed(ids))),
        lambda: services.move_item(official, item, 2),
        lambda: services.apply_aggregate_order(kansli, plist),
        lambda: services.back_to_draft(plist),
    ):
        with pytest.raises(services.PriorityError):
            attempt()
    with pytest.raises(PermissionError):
        services.back_to_draft(plist, actor=kansli)  # no move out of "adopted" exists
    assert [i.id for i in plist.ordered_items] == ids and item.title == "Energiförsörjning"
    assert services.content_hash(plist) == digest


def test_content_hash_follows_content_and_order(plist, demo):
    official = demo.user(SKANE)
    h0 = services.content_hash(plist)
    a, b, c = [i.id for i in plist.ordered_items]
    services.reorder_items(official, plist, [b, a, c])
    h1 = services.content_hash(plist)
    services.reorder_items(official, plist, [a, b, c])
    assert h1 != h0 and services.content_hash(plist) == h0
    item = db.session.get(PriorityItem, a)
    services.update_item(official, item, title=item.title, description="Annan text",
                         responsible_organization_id=None, paper_ids=[])
    assert services.content_hash(plist) != h0


def test_back_to_draft_from_decision(plist, demo):
    kansli = demo.user(KANSLI)
    services.submit_for_decision(kansli, plist)
    with pytest.raises(PermissionError):
        services.back_to_draft(plist, actor=demo.user(SKANE))
    services.back_to_draft(plist)
    assert plist.status == "draft" and plist.decision_hash is None
    services.add_item(demo.user(SKANE), plist, title="Efter återtagande")


def test_carry_over_copies_items_with_their_origin(ws, plist, demo):
    official = demo.user(SKANE)
    own = papers.create_paper(official, ws, title="Energipapper")
    first = plist.ordered_items[0]
    services.update_item(official, first, title=first.title, description=first.description,
                         responsible_organization_id=ws.member_organizations[1].id, paper_ids=[own.id])
    services.submit_for_decision(demo.user(KANSLI), plist)
    services.adopt(plist, plist.decision_hash)
    nxt = services.carry_over(official, plist)
    assert nxt.year == YEAR + 1 and nxt.status == "draft" and nxt.carried_over_from_id == plist.id
    assert titles(nxt) == titles(plist)
    assert [i.origin_id for i in nxt.ordered_items] == [i.id for i in plist.ordered_items]
    copied = nxt.ordered_items[0]
    assert copied.papers == [own] and copied.responsible_organization_id == ws.member_organizations[1].id
    # The copy is a new item: editing it leaves last year's adopted list alone.
    services.update_item(official, copied, title="Energiförsörjning och elnät", description="",
                         responsible_organization_id=None, paper_ids=[])
    assert plist.ordered_items[0].title == "Energiförsörjning"
    with pytest.raises(services.PriorityError, match="redan"):
        services.carry_over(official, plist)
    with pytest.raises(services.PriorityError, match="senare år"):
        services.carry_over(official, plist, YEAR - 1)
    with pytest.raises(PermissionError):
        services.carry_over(demo.user(READER), plist, YEAR + 5)
    assert "priority-list-carried-over" in verbs()


class It:
    def __init__(self, id, title, origin_id=None):
        self.id, self.title, self.origin_id = id, title, origin_id


def test_compare_years_pure():
    a = [It(1, "Energiförsörjning"), It(2, "Bredband"), It(3, "Kultursamverkansmodellen"), It(4, "Stambanor")]
    b = [It(11, "Bredband och digitalisering", origin_id=2),  # renamed, linked: moved B → A
         It(12, "energiförsörjning "),                      # same title, no link: moved A → B
         It(13, "Kultursamverkansmodellen"),                  # unchanged at C
         It(14, "Kompetensförsörjning")]                      # new
    cmp = services.compare_items(a, b)
    assert [x.id for x in cmp.added] == [14]
    assert [x.id for x in cmp.removed] == [4]
    assert [(x.id, y.id, f, t) for x, y, f, t in cmp.moved] == [(2, 11, 1, 0), (1, 12, 0, 1)]
    assert [(x.id, y.id, i) for x, y, i in cmp.unchanged] == [(3, 13, 2)]


def test_compare_prefers_the_link_over_a_title(plist, demo):
    a = [It(1, "Energi"), It(2, "Energi 2")]
    b = [It(10, "Energi", origin_id=2), It(11, "Energi 2")]
    cmp = services.compare_items(a, b)
    # 10 came from 2 (by link); 11 then has no title match left except… "Energi 2" was taken → added
    assert [(x.id, y.id) for x, y, *_ in cmp.moved] == [(2, 10)]
    assert [x.id for x in cmp.added] == [11] and [x.id for x in cmp.removed] == [1]


def test_compare_real_lists(plist, demo):
    official = demo.user(SKANE)
    services.submit_for_decision(demo.user(KANSLI), plist)
    services.adopt(plist, plist.decision_hash)
    nxt = services.carry_over(official, plist)
    a, b, c = nxt.ordered_items
    services.remove_item(official, b)
    services.add_item(official, nxt, title="Kompetensförsörjning")
    services.reorder_items(official, nxt, [c.id, a.id, nxt.ordered_items[-1].id])
    cmp = services.compare_lists(plist, nxt)
    assert [x.title for x in cmp.added] == ["Kompetensförsörjning"]
    assert [x.title for x in cmp.removed] == ["Bredband och digitalisering"]
    assert [(x.title, f, t) for x, _y, f, t in cmp.moved] == [("Kultursamverkansmodellen", 2, 0),
                                                             ("Energiförsörjning", 0, 1)]


def test_follow_up_only_on_adopted_lists_and_history_kept(plist, demo):
    official, kansli = demo.user(SKANE), demo.user(KANSLI)
    item = plist.ordered_items[0]
    with pytest.raises(services.PriorityError, match="fastställd"):
        services.record_follow_up(official, item, "delarsbokslut", "ongoing")
    services.submit_for_decision(kansli, plist)
    services.adopt(plist, plist.decision_hash)
    with pytest.raises(services.PriorityError):
        services.record_follow_up(official, item, "kvartal", "ongoing")
    with pytest.raises(services.PriorityError):
        services.record_follow_up(official, item, "delarsbokslut", "finished")
    with pytest.raises(services.PriorityError):
        services.record_follow_up(official, item, "delarsbokslut", "ongoing", "x" * 5001)
    for email in (POL_SKANE, READER):
        with pytest.raises(PermissionError):
            services.record_follow_up(demo.user(email), item, "delarsbokslut", "ongoing")
    services.record_follow_up(official, item, "delarsbokslut", "ongoing", "Påbörjad i samråd med Energimyndigheten.")
    services.record_follow_up(kansli, item, "delarsbokslut", "done", "Klar.")
    services.record_follow_up(kansli, item, "arsbokslut", "cancelled")
    current = services.current_follow_ups(plist)
    assert current[(item.id, "delarsbokslut")].status == "done"
    assert current[(item.id, "arsbokslut")].status == "cancelled"
    assert [f.status for f in services.follow_up_history(item, "delarsbokslut")] == ["done", "ongoing"]
    assert db.session.scalar(select(db.func.count()).select_from(FollowUp).where(FollowUp.item_id == item.id)) == 3


def test_demo_lists_come_from_the_corpus(ws, demo):
    y2023, y2024 = services.list_for_year(ws, 2023), services.list_for_year(ws, 2024)
    assert y2023.status == "adopted" and y2024.status == "ranking"
    assert [i.title for i in y2023.ordered_items][1:3] == ["Energiförsörjning", "Bredbandsinfrastruktur och digitalisering"]
    assert "kultursamverkansmodellen" in y2023.ordered_items[3].description
    assert y2024.carried_over_from_id == y2023.id
    assert len(services.current_rankings(y2024)) == 3
    assert len(services.current_follow_ups(y2023)) == 9


def test_event_labels_name_the_letter(plist, demo):
    from workspace.events import event_label

    services.add_item(demo.user(SKANE), plist, title="Kompetensförsörjning")
    ev = db.session.scalars(select(Event).where(Event.verb == "priority-item-added").order_by(Event.id.desc())).first()
    assert event_label(ev) == "lade till prioritering D ”Kompetensförsörjning”"
    assert ev.payload["list_id"] == plist.id


def test_the_approval_round_interface(plist, demo):
    """What decisions.services will call: submit → hash; adopt(content_hash=…) or back_to_draft."""
    digest = services.submit_for_decision(demo.user(KANSLI), plist)
    with pytest.raises(PermissionError):
        services.adopt(plist, content_hash=digest, actor=demo.user(SKANE))
    services.adopt(plist, content_hash=digest)
    assert plist.status == "adopted"
    ev = db.session.scalars(select(Event).where(Event.verb == "priority-list-status-changed")
                            .order_by(Event.id.desc())).first()
    assert ev.actor_id is None and ev.payload["to"] == "adopted" and ev.payload["list_id"] == plist.id
