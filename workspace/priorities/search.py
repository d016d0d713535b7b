"""Priority items as search documents; a change anywhere in a list re-indexes its items
(the letters follow the order)."""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from workspace.db import db
from workspace.search.indexer import DocumentSource, SearchDoc, register_source

VERBS = {"priority-list-created", "priority-list-carried-over", "priority-list-status-changed",
         "priority-item-added", "priority-item-updated", "priority-item-removed", "priority-items-reordered",
         "priority-follow-up-recorded"}


def _object_ids(ev) -> list[int]:
    from workspace.priorities.models import PriorityItem

    p = ev.payload or {}
    ids = set()
    if p.get("item_id"):
        ids.add(int(p["item_id"]))  # also a removed one, so that its document goes
    if p.get("list_id"):
        ids.update(db.session.scalars(select(PriorityItem.id).where(PriorityItem.list_id == int(p["list_id"]))))
    return sorted(ids)


def item_documents(item_id: int) -> list[SearchDoc]:
    from workspace.priorities.models import PriorityItem

    item = db.session.get(PriorityItem, item_id)
    if item is None:
        return []
    plist = item.priority_list
    org = item.responsible_organization
    return [SearchDoc(id=f"priority_item:{item.id}", kind="priority_item",
                      title=f"{plist.title}: {item.letter}. {item.title}",
                      body="\n\n".join([item.description or ""] + [p.title for p in item.papers]),
                      workspace_id=plist.workspace_id, status=plist.status, organization=org.name if org else "",
                      year=plist.year, updated=plist.updated_at, target={"year": plist.year, "item_id": item.id})]


def _all_ids():
    from workspace.priorities.models import PriorityItem

    return db.session.scalars(select(PriorityItem.id).order_by(PriorityItem.id)).all()


def _register() -> None:
    from workspace.priorities.services import STATUS_LABELS

    register_source(DocumentSource(
        name="priority_item", kinds={"priority_item": _l("Prioritering")}, verbs=VERBS, object_ids=_object_ids,
        documents=item_documents, all_object_ids=_all_ids,
        link=lambda hit, ws: url_for("priorities.detail", slug=ws.slug, year=hit.target["year"],
                                     _anchor=f"item-{hit.target['item_id']}"),
        status_labels=STATUS_LABELS))


_register()
