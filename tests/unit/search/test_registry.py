"""Another domain plugs its documents into search with one register_source() call.

Here a stand-in source indexes each workspace's description, as comments and priority
items will index theirs: its verbs keep the index fresh, rebuild includes it, its kind
label and link come from the registry, and permissions hold for it too.
"""
import pytest
from flask import url_for
from sqlalchemy import select

from workspace.db import db
from workspace.search import engine, indexer
from workspace.search.indexer import (DocumentSource, SearchDoc, get_index, kind_labels, link_for, rebuild,
                                      register_source, status_labels, sync_index)
from workspace.workspaces import services as workspaces
from workspace.workspaces.models import Workspace


def _docs(workspace_id: int):
    ws = db.session.get(Workspace, workspace_id)
    if ws is None or not ws.description:
        return []
    return [SearchDoc(id=f"about:{ws.id}", kind="about", workspace_id=ws.id, title=ws.name, body=ws.description,
                      status="published", organization="", year=2026, target={"slug": ws.slug})]


@pytest.fixture
def about_source():
    source = DocumentSource(
        name="about",
        kinds={"about": "Om samverkansorganet"},
        verbs={"workspace-created", "workspace-updated"},
        object_ids=lambda ev: [ev.workspace_id],
        documents=_docs,
        all_object_ids=lambda: db.session.scalars(select(Workspace.id)).all(),
        link=lambda hit, ws: url_for("workspaces.detail", slug=hit.target["slug"], _anchor="about"),
        status_labels={"published": "publicerad", "draft": "ska inte vinna"},
    )
    register_source(source)
    yield source
    indexer.SOURCES.pop("about")


def test_a_registered_source_is_indexed_labelled_linked_and_kept_fresh(app, demo, about_source, ids):
    with app.test_request_context(method="POST"):
        rebuild()
        ws = demo.workspace("sosk")
        workspaces.update_workspace(demo.user("kansli.sosk@demo.example"), ws, name=ws.name,
                                    description="Gemensam satsning på cykelvägar längs kusten.",
                                    decision_rule=ws.decision_rule)
        db.session.commit()
        assert sync_index() >= 1
        r = engine.search(get_index(), "cykelvägen", ids("sosk"))
        assert [h.doc_id for h in r.hits] == [f"about:{ws.id}"]
        hit = r.hits[0]
        assert dict(r.facets["kind"]) == {"about": 1}
        assert link_for(hit, ws) == f"/w/{ws.slug}#about"
        assert kind_labels()["about"] == "Om samverkansorganet" and kind_labels()["section"]
        assert status_labels()["published"] == "Publicerad"  # capitalised alike across sources
        assert str(status_labels()["draft"]) != "ska inte vinna"  # the first source's label stays
        # Nobody outside the workspace finds it.
        assert not engine.search(get_index(), "cykelvägar", ids("sydsverige", "sormland", "sodertorn")).hits
        # A change replaces the object's documents; none left once it yields nothing.
        workspaces.update_workspace(demo.user("kansli.sosk@demo.example"), ws, name=ws.name, description="",
                                    decision_rule=ws.decision_rule)
        db.session.commit()
        sync_index()
        assert not engine.search(get_index(), "cykelvägar", ids("sosk")).hits
        # Rebuild asks the source for everything.
        workspaces.update_workspace(demo.user("kansli.sosk@demo.example"), ws, name=ws.name,
                                    description="Cykelvägar igen.", decision_rule=ws.decision_rule)
        db.session.commit()
        assert rebuild() > 0
        assert len(engine.search(get_index(), "cykelvägar", ids("sosk")).hits) == 1


def test_source_names_cannot_contain_the_scope_separator():
    with pytest.raises(ValueError):
        register_source(DocumentSource(name="a:b", kinds={}, verbs=(), object_ids=lambda e: [],
                                       documents=lambda i: [], all_object_ids=lambda: [], link=lambda h, w: ""))


def test_papers_and_sections_link_to_the_paper_and_the_section(app, demo, ids):
    from workspace.papers.models import Paper

    with app.test_request_context():
        rebuild()
        p = db.session.scalar(select(Paper).where(Paper.title == "Om Regionsamverkan Sydsverige"))
        ws = demo.workspace("sydsverige")
        r = engine.search(get_index(), "Regionsamverkan", ids("sydsverige"), limit=100)
        links = {h.doc_id: link_for(h, ws) for h in r.hits}
        assert links[f"paper:{p.id}"] == f"/w/sydsverige/papers/{p.id}"
        s = p.live_sections[0]
        if f"section:{s.id}" in links:
            assert links[f"section:{s.id}"] == f"/w/sydsverige/papers/{p.id}#section-{s.id}"
        assert all(link.startswith(f"/w/sydsverige/papers/{p_id}") for p_id, link in
                   ((h.paper_id, links[h.doc_id]) for h in r.hits if h.kind in ("paper", "section")))
