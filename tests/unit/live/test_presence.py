"""present_on: who has a paper open, one entry per person (editing wins over looking), as
plain rows the page draws (name, initials, the section edited). The paper page asks the same as
a column of its first query (present_column): the answers are the same."""
from datetime import timedelta

from workspace.db import db
from workspace.live.presence import Presence, present_on, touch_presence


def test_one_entry_per_person_editing_wins_and_idle_ones_are_gone(app, demo):
    from workspace.papers import services as papers

    with app.test_request_context(method="POST"):
        sara, lars = demo.user("tjansteman.skane@demo.example"), demo.user("tjansteman.kronoberg@demo.example")
        paper = papers.create_paper(sara, demo.workspace("sydsverige"), title="Närvaro",
                                    sections=[("Ett", "<p>Text.</p>")])
        section_id = paper.live_sections[0].id
        touch_presence(sara, paper, "tab-1", None)
        touch_presence(sara, paper, "tab-2", section_id)  # a second tab, editing
        touch_presence(lars, paper, "tab-3", None)
        db.session.commit()
        assert _from_the_page_query(sara, paper) == present_on(paper.id)
        people = {p.user_id: p for p in present_on(paper.id)}
        assert set(people) == {sara.id, lars.id}
        assert people[sara.id].section_id == section_id and people[lars.id].section_id is None
        assert (people[sara.id].name, people[sara.id].initials) == ("Sara Lindqvist", "SL")
        assert people[lars.id].initials == lars.initials
        # Someone whose last heartbeat is older than the idle limit is not there.
        for row in db.session.scalars(db.select(Presence).where(Presence.user_id == lars.id)):
            row.last_seen_at -= timedelta(minutes=5)
        db.session.commit()
        assert [p.user_id for p in present_on(paper.id)] == [sara.id]
        assert _from_the_page_query(sara, paper) == present_on(paper.id)


def _from_the_page_query(user, paper):
    from workspace.papers.permissions import load_workspace_and_paper

    return load_workspace_and_paper("sydsverige", user, paper.id)[-1]


def test_nobody_present_is_an_empty_list_from_either_query(app, demo):
    from workspace.papers import services as papers

    with app.test_request_context(method="POST"):
        sara = demo.user("tjansteman.skane@demo.example")
        paper = papers.create_paper(sara, demo.workspace("sydsverige"), title="Tomt", sections=[("Ett", "<p>T.</p>")])
        db.session.commit()
        assert present_on(paper.id) == [] == _from_the_page_query(sara, paper)
