"""Papers and their sections as search documents (the first registered DocumentSource)."""
from __future__ import annotations

from collections import defaultdict

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from workspace.db import db
from workspace.search.indexer import DocumentSource, SearchDoc, register_source

# A paper's own document lists its sections' titles and authors; a section's documents
# carry the paper's title, status, area and organisation for the facets.
PAPER_VERBS = {"paper-created", "paper-imported", "paper-updated", "paper-status-changed", "paper-adopted"}
SECTION_VERBS = {"section-added", "section-renamed", "section-removed", "section-restored", "section-saved",
                 "revision-restored", "suggestion-accepted"}


def _paper_ids(ev) -> list[int]:
    if ev.payload and ev.payload.get("paper_id"):
        return [int(ev.payload["paper_id"])]
    if ev.object_type == "paper" and ev.object_id:
        return [ev.object_id]
    return []


def _section_ids(ev) -> list[int]:
    """One section for a section's event; every section of the paper for a paper's."""
    from workspace.papers.models import Section

    if ev.verb in SECTION_VERBS and ev.payload and ev.payload.get("section_id"):
        return [int(ev.payload["section_id"])]
    return db.session.scalars(select(Section.id).where(Section.paper_id.in_(_paper_ids(ev)))).all()


def _authors(section_ids: list[int]) -> dict[int, list[str]]:
    """Everyone who wrote a revision of each section, first author first."""
    from workspace.accounts.models import User
    from workspace.papers.models import Revision

    out: dict[int, list[str]] = defaultdict(list)
    if not section_ids:
        return out
    rows = db.session.execute(
        select(Revision.section_id, User.name).join(User, User.id == Revision.author_id)
        .where(Revision.section_id.in_(section_ids)).order_by(Revision.section_id, Revision.number))
    for sid, name in rows:
        if name not in out[sid]:
            out[sid].append(name)
    return out


def _common(paper) -> dict:
    org = paper.lead_organization or (paper.created_by.organization if paper.created_by else None)
    return dict(workspace_id=paper.workspace_id, paper_id=paper.id, status=paper.status,
                policy_area=paper.policy_area.name if paper.policy_area else "",
                organization=org.name if org else "", year=paper.created_at.year,
                target={"paper_kind": paper.kind})


def _paper_doc(paper, authors: dict[int, list[str]]) -> SearchDoc:
    sections = paper.live_sections
    everyone = [paper.created_by.name] if paper.created_by else []
    for s in sections:
        everyone += [a for a in authors.get(s.id, []) if a not in everyone]
    return SearchDoc(id=f"paper:{paper.id}", kind="paper", title=paper.title,
                     body=" · ".join(s.title for s in sections), author=", ".join(everyone),
                     updated=paper.updated_at, **_common(paper))


def _section_doc(paper, s, authors: dict[int, list[str]]) -> SearchDoc:
    from workspace.papers.sanitize import html_to_text

    rev = s.current_revision
    return SearchDoc(id=f"section:{s.id}", kind="section", section_id=s.id, title=f"{paper.title} – {s.title}",
                     body=html_to_text(s.html), author=", ".join(authors.get(s.id, [])),
                     updated=rev.created_at if rev else paper.updated_at, **_common(paper))


def _loaded():
    from workspace.papers.models import Paper, Section

    return select(Paper).options(
        selectinload(Paper.sections).selectinload(Section.current_revision), selectinload(Paper.created_by))


def paper_documents(paper_id: int):
    from workspace.papers.models import Paper

    paper = db.session.scalar(_loaded().where(Paper.id == paper_id))
    if paper is None:
        return []
    return [_paper_doc(paper, _authors([s.id for s in paper.live_sections]))]


def section_documents(section_id: int):
    from workspace.papers.models import Section

    section = db.session.get(Section, section_id)
    if section is None or section.deleted_at is not None:
        return []
    return [_section_doc(section.paper, section, _authors([section_id]))]


def all_paper_ids():
    from workspace.papers.models import Paper

    return db.session.scalars(select(Paper.id).order_by(Paper.id)).all()


def all_section_ids():
    from workspace.papers.models import Section

    return db.session.scalars(select(Section.id).where(Section.deleted_at.is_(None)).order_by(Section.id)).all()


def _in_chunks():
    """Papers a hundred at a time: a few queries per hundred papers rather than per paper."""
    from workspace.papers.models import Paper

    ids = all_paper_ids()
    for i in range(0, len(ids), 100):
        papers = db.session.scalars(_loaded().where(Paper.id.in_(ids[i:i + 100]))).all()
        yield papers, _authors([s.id for p in papers for s in p.live_sections])


def all_paper_documents():
    for papers, authors in _in_chunks():
        for paper in papers:
            yield paper.id, _paper_doc(paper, authors)


def all_section_documents():
    for papers, authors in _in_chunks():
        for paper in papers:
            for s in paper.live_sections:
                yield s.id, _section_doc(paper, s, authors)


def _link(hit, ws) -> str:
    anchor = f"section-{hit.section_id}" if hit.section_id else None
    return url_for("papers.detail", slug=ws.slug, paper_id=hit.paper_id, _anchor=anchor)


def _register() -> None:
    from workspace.papers.services import STATUS_LABELS

    register_source(DocumentSource(
        name="paper", kinds={"paper": _l("Dokument")}, verbs=PAPER_VERBS | SECTION_VERBS | {"sections-reordered"},
        object_ids=_paper_ids, documents=paper_documents, all_object_ids=all_paper_ids,
        all_documents=all_paper_documents, link=_link, status_labels=STATUS_LABELS))
    register_source(DocumentSource(
        name="section", kinds={"section": _l("Textavsnitt")}, verbs=PAPER_VERBS | SECTION_VERBS,
        object_ids=_section_ids, documents=section_documents, all_object_ids=all_section_ids,
        all_documents=all_section_documents, link=_link, status_labels=STATUS_LABELS))


_register()
