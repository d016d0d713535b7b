import threading

import pytest
from flask import current_app
from sqlalchemy import select

from tests.conftest import recorded_statements
from workspace.db import db
from workspace.events import Event
from workspace.papers import services
from workspace.papers.models import Paper, Revision, Section

SKANE = "tjansteman.skane@demo.example"
KRONOBERG = "tjansteman.kronoberg@demo.example"


@pytest.fixture
def ws(ctx, demo):
    return demo.workspace("sydsverige")


@pytest.fixture
def paper(ws, demo):
    p = services.create_paper(demo.user(SKANE), ws, title="Nya stambanor",
                              sections=[("Bakgrund", "<p>Ett.</p><p>Två.</p>"), ("Krav", "<p>Tre.</p>")])
    db.session.flush()
    return p


def verbs():
    return [e.verb for e in db.session.scalars(select(Event).order_by(Event.id))]


def test_create_paper_validates(ws, demo):
    official = demo.user(SKANE)
    with pytest.raises(services.PaperError):
        services.create_paper(official, ws, title="  ")
    with pytest.raises(services.PaperError):
        services.create_paper(official, ws, title="X", kind="novel")
    with pytest.raises(services.PaperError):
        services.create_paper(official, ws, title="X" * 301)
    other_area = services.ensure_policy_areas(demo.workspace("sosk"))[0]
    with pytest.raises(services.PaperError):
        services.create_paper(official, ws, title="X", policy_area_id=other_area.id)
    ystad = demo.user("tjansteman.ystad@demo.example").organization
    with pytest.raises(services.PaperError):
        services.create_paper(official, ws, title="X", lead_organization_id=ystad.id)
    with pytest.raises(PermissionError):
        services.create_paper(demo.user("lasare@demo.example"), ws, title="X")


def test_new_paper_has_an_introduction_and_an_event(ws, demo):
    p = services.create_paper(demo.user(SKANE), ws, title="Kollektivtrafik över länsgränser")
    assert [s.title for s in p.live_sections] == ["Inledning"]
    assert p.live_sections[0].current_revision.number == 1
    assert verbs()[-1] == "paper-created"


def test_save_on_current_base_makes_a_revision(paper, demo):
    s = paper.live_sections[0]
    r = services.save_section(demo.user(SKANE), s, "<p>Ett!</p><p>Två.</p><script>x</script>", s.current_revision_id)
    assert r.status == "saved" and r.revision.number == 2 and "<script" not in r.revision.html
    assert s.current_revision_id == r.revision.id
    ev = db.session.scalars(select(Event).where(Event.verb == "section-saved").order_by(Event.id.desc())).first()
    assert ev.payload["section_id"] == s.id and ev.payload["merged"] is False


def test_a_save_updates_the_section_once_and_knows_its_new_revision(paper, demo):
    """One UPDATE of the section (its count and current revision together), and the section's
    current revision is the new one at once, without a query (issue 10)."""
    s = paper.live_sections[0]
    db.session.flush()
    with recorded_statements(current_app) as statements:
        r = services.save_section(demo.user(SKANE), s, "<p>Ett!</p><p>Två.</p>", s.current_revision_id)
        db.session.flush()
    assert len([q for q in statements if q.lstrip().startswith("UPDATE section")]) == 1, statements
    with recorded_statements(current_app) as statements:
        assert s.current_revision is r.revision and s.revision_count == 2 and s.html == "<p>Ett!</p><p>Två.</p>"
    assert statements == []
    db.session.expire_all()
    assert (s.current_revision_id, s.revision_count) == (r.revision.id, 2)  # as stored


def test_stale_save_merges(paper, demo):
    s = paper.live_sections[0]
    base = s.current_revision_id
    services.save_section(demo.user(KRONOBERG), s, "<p>Ett.</p><p>Två, enligt Kronoberg.</p>", base)
    r = services.save_section(demo.user(SKANE), s, "<p>Ett, enligt Skåne.</p><p>Två.</p>", base)
    assert r.status == "merged"
    assert r.revision.html == "<p>Ett, enligt Skåne.</p><p>Två, enligt Kronoberg.</p>"
    assert r.revision.kind == "merge"


def test_stale_save_on_the_same_block_is_a_conflict_and_saves_nothing(paper, demo):
    s = paper.live_sections[0]
    base = s.current_revision_id
    services.save_section(demo.user(KRONOBERG), s, "<p>Ett, K.</p><p>Två.</p>", base)
    before = s.revision_count
    r = services.save_section(demo.user(SKANE), s, "<p>Ett, S.</p><p>Två.</p>", base)
    assert r.status == "conflict" and r.revision is None
    assert s.revision_count == before
    assert r.conflict.conflicts[0].mine == "<p>Ett, S.</p>"


def test_unchanged_save_makes_no_revision(paper, demo):
    s = paper.live_sections[0]
    r = services.save_section(demo.user(SKANE), s, s.html, s.current_revision_id)
    assert r.status == "unchanged" and s.revision_count == 1


def test_save_refuses_foreign_base_and_adopted_paper(paper, demo):
    s0, s1 = paper.live_sections
    with pytest.raises(services.PaperError):
        services.save_section(demo.user(SKANE), s0, "<p>x</p>", s1.current_revision_id)
    paper.status, paper.registration_number = "adopted", "RSS 2026/1"
    with pytest.raises(services.PaperError):
        services.save_section(demo.user(SKANE), s0, "<p>x</p>", s0.current_revision_id)


def test_politicians_and_readers_cannot_save(paper, demo):
    s = paper.live_sections[0]
    for email in ("politiker.skane@demo.example", "lasare@demo.example"):
        with pytest.raises(PermissionError):
            services.save_section(demo.user(email), s, "<p>x</p>", s.current_revision_id)


def test_sections_add_rename_move_remove_restore(paper, demo):
    u = demo.user(SKANE)
    a, b = paper.live_sections
    c = services.add_section(u, paper, "Finansiering", after=a)
    assert [s.title for s in paper.live_sections] == ["Bakgrund", "Finansiering", "Krav"]
    services.rename_section(u, c, "Finansiering och ansvar")
    services.move_section(u, c, 2)
    assert [s.title for s in paper.live_sections] == ["Bakgrund", "Krav", "Finansiering och ansvar"]
    services.remove_section(u, a)
    assert [s.title for s in paper.live_sections] == ["Krav", "Finansiering och ansvar"]
    assert services.removed_sections(paper) == [a]
    services.restore_section(u, a)
    assert paper.live_sections[-1] is a
    with pytest.raises(services.PaperError):
        services.reorder_sections(u, paper, [a.id, b.id])  # one missing
    with pytest.raises(services.PaperError):
        services.rename_section(u, a, " ")
    assert verbs()[-5:] == ["section-added", "section-renamed", "sections-reordered", "section-removed",
                            "section-restored"]


def test_last_section_cannot_be_removed(ws, demo):
    p = services.create_paper(demo.user(SKANE), ws, title="Kort")
    with pytest.raises(services.PaperError):
        services.remove_section(demo.user(SKANE), p.live_sections[0])


def test_restore_revision_appends(paper, demo):
    u = demo.user(SKANE)
    s = paper.live_sections[0]
    first = s.current_revision
    services.save_section(u, s, "<p>Nytt.</p>", first.id)
    rev = services.restore_revision(u, first)
    assert rev.number == 3 and rev.html == first.html and rev.kind == "restore"
    assert [r.number for r in services.section_history(s)] == [3, 2, 1]


def test_snapshot_hash_and_compare(paper, demo):
    u = demo.user(SKANE)
    snap = services.create_snapshot(u, paper, "Remissversion 1")
    assert snap.content_hash == services.paper_content_hash(paper)
    assert [i.title for i in snap.items] == ["Bakgrund", "Krav"]
    s = paper.live_sections[1]
    services.save_section(u, s, "<p>Tre, skärpt.</p>", s.current_revision_id)
    assert services.paper_content_hash(paper) != snap.content_hash
    snap2 = services.create_snapshot(u, paper, "Remissversion 2")
    cmp = {c.title: c for c in services.compare_snapshots(snap, snap2)}
    assert cmp["Bakgrund"].status == "same" and cmp["Krav"].status == "changed"
    assert "<ins>" in cmp["Krav"].diff
    with pytest.raises(services.PaperError):
        services.create_snapshot(u, paper, "  ")


def test_status_transitions(paper, demo):
    official, kansli = demo.user(SKANE), demo.user("kansli@demo.example")
    services.change_status(official, paper, "review")
    services.change_status(official, paper, "draft")
    # "decision" and "adopted" are reached only through an approval round (workspace/decisions).
    for to in ("decision", "adopted"):
        with pytest.raises(services.PaperError):
            services.change_status(kansli, paper, to)
    paper.status, paper.registration_number = "adopted", "RSS 2026/12"
    with pytest.raises(services.PaperError):
        services.add_section(official, paper, "Sent tillägg")
    with pytest.raises(PermissionError):
        services.change_status(demo.user("lasare@demo.example"), paper, "archived")
    with pytest.raises(services.PaperError):
        services.change_status(official, paper, "archived")  # secretariat only
    services.change_status(kansli, paper, "archived")
    assert paper.status == "archived"


def test_list_papers_filters_and_sorts(ws, demo):
    u = demo.user(SKANE)
    area = services.ensure_policy_areas(ws)[1]
    services.create_paper(u, ws, title="Alfa 100%", kind="consultation_response", policy_area_id=area.id)
    services.create_paper(u, ws, title="Beta", registration_number="RSS 2026/7")
    db.session.flush()
    titles = lambda **kw: [p.title for p in services.list_papers(ws, **kw).items]  # noqa: E731
    assert titles(q="alfa") == ["Alfa 100%"]
    assert titles(q="%") == ["Alfa 100%"]  # LIKE wildcards are literal
    assert titles(q="2026/7") == ["Beta"]
    assert titles(kind="consultation_response") == ["Alfa 100%"]
    assert titles(policy_area_id=area.id) == ["Alfa 100%"]
    assert [t for t in titles(sort="title", direction="asc") if t in ("Alfa 100%", "Beta")] == ["Alfa 100%", "Beta"]


def test_twenty_concurrent_stale_saves_lose_nothing(app, demo):
    """20 threads save the same section from the same base, each adding its own paragraph:
    every accepted save is in the history and the final text has every paragraph."""
    with app.test_request_context(method="POST"):
        ws = demo.workspace("sydsverige")
        p = services.create_paper(demo.user(SKANE), ws, title="Samtidigt", sections=[("A", "<p>Start.</p>")])
        db.session.commit()
        section_id, base_id = p.live_sections[0].id, p.live_sections[0].current_revision_id
    results, errors = [], []

    def worker(i):
        try:
            with app.test_request_context(method="POST"):
                from workspace.accounts.models import User

                user = db.session.scalar(select(User).where(User.email == (SKANE if i % 2 else KRONOBERG)))
                section = db.session.get(Section, section_id)
                r = services.save_section(user, section, f"<p>Start.</p><p>Tillägg {i}.</p>", base_id)
                db.session.commit()
                results.append(r.status)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(repr(e))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    with app.app_context():
        section = db.session.get(Section, section_id)
        revs = db.session.scalars(select(Revision).where(Revision.section_id == section_id)).all()
        accepted = [s for s in results if s in ("saved", "merged")]
        assert len(revs) == 1 + len(accepted)
        assert len(accepted) == 20  # appends at the same place never conflict
        for i in range(20):
            assert f"Tillägg {i}." in section.current_revision.html
        db.session.delete(db.session.get(Paper, section.paper_id))
        db.session.commit()


def test_content_hash_reads_all_texts_in_one_query(ws, demo):
    """A paper page's header asks for it on every save while a round is open: one query for
    the texts, not one a section."""
    p = services.create_paper(demo.user(SKANE), ws, title="Många avsnitt",
                              sections=[(f"Avsnitt {i}", f"<p>Text {i}.</p>") for i in range(12)])
    db.session.commit()
    expected = services.paper_content_hash(p)
    paper_id = p.id
    db.session.expire_all()
    p = db.session.get(Paper, paper_id)
    with recorded_statements(current_app) as statements:
        assert services.paper_content_hash(p) == expected
    assert len([s for s in statements if "FROM revision" in s]) == 1, statements
    assert len(statements) <= 3, statements  # the paper's sections, their texts (and the paper)
