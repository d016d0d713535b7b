"""Comments, suggestions and priority items are found like papers: Swedish forms, the right
link, kept fresh from the event log, and only in one's own workspaces."""
from sqlalchemy import select

from workspace.db import db
from workspace.search import engine
from workspace.search.indexer import get_index, link_for, rebuild, sync_index


def test_demo_comments_suggestions_and_priorities_are_found_with_links(app, demo, indexed, ids):
    with app.test_request_context():
        ws = demo.workspace("sydsverige")
        r = engine.search(get_index(), "förtydliga", ids("sydsverige"))  # a demo comment
        comments = [h for h in r.hits if h.kind == "comment"]
        assert comments and "#thread-" in link_for(comments[0], ws)
        r = engine.search(get_index(), "beslutsfattandet", ids("sydsverige"))  # the suggestion says "beslutsfattande"
        suggestions = [h for h in r.hits if h.kind == "suggestion"]
        assert suggestions and "/suggestions/" in link_for(suggestions[0], ws)
        r = engine.search(get_index(), "kultursamverkansmodellen", ids("sydsverige"))
        items = [h for h in r.hits if h.kind == "priority_item"]
        assert {h.title for h in items} >= {"Prioriteringar för 2023: D. Kultursamverkansmodellen"}
        assert all("/priorities/" in link_for(h, ws) and "#item-" in link_for(h, ws) for h in items)
        kinds = dict(r.facets["kind"])
        assert kinds["priority_item"] == len(items)
        assert not engine.search(get_index(), "förtydliga", ids("sosk")).hits  # never another workspace's


def test_a_new_comment_and_a_reordered_list_are_searchable_after_sync(app, demo, indexed, ids):
    from workspace.comments import services as comments
    from workspace.papers.models import Paper
    from workspace.priorities import services as priorities

    with app.test_request_context(method="POST"):
        ws = demo.workspace("sydsverige")
        paper = db.session.scalar(select(Paper).where(Paper.title == "Toppmöte om Skånes regionala utveckling"))
        comments.start_thread(demo.user("lasare@demo.example"), paper.live_sections[0],
                              "Hur påverkar detta godstrafiken i Trelleborgs hamn?")
        plist = priorities.list_for_year(ws, 2024)
        order = [i.id for i in reversed(plist.ordered_items)]
        priorities.reorder_items(demo.user("kansli@demo.example"), plist, order)
        db.session.commit()
        sync_index()
        hits = engine.search(get_index(), "trelleborgs hamn", ids("sydsverige")).hits
        assert [h.kind for h in hits] == ["comment"]
        first = priorities.list_for_year(ws, 2024).ordered_items[0]
        titles = {h.title for h in engine.search(get_index(), first.title, ids("sydsverige")).hits}
        assert f"Prioriteringar för 2024: A. {first.title}" in titles  # the letters follow the new order
        live = sorted(h.doc_id for h in engine.search(get_index(), "region", ids("sydsverige"), limit=500).hits)
        rebuild()
        assert sorted(h.doc_id for h in engine.search(get_index(), "region", ids("sydsverige"), limit=500).hits) == live
