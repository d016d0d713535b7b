"""Papers: creating, listing, sections, saving without lost work, history, versions, status.

Every write takes an explicit actor, checks the actor's role, flushes (never commits) and
records an event. Broken rules raise PaperError with a message for the user.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, inspect, or_, select
from sqlalchemy.orm.attributes import set_committed_value

from workspace.db import db, utcnow
from workspace.events import record_event, register_event_labels
from workspace.papers.diff import diff_html
from workspace.papers.merge import MergeResult, merge_html
from workspace.papers.models import (
    DEFAULT_POLICY_AREAS,
    PAPER_KINDS,
    PAPER_STATUSES,
    Paper,
    PolicyArea,
    Revision,
    Section,
    Snapshot,
    SnapshotSection,
)
from workspace.papers.permissions import can_change_status, can_edit_paper
from workspace.papers.sanitize import sanitize_html
from workspace.workspaces.models import Workspace
from workspace.workspaces.permissions import can_manage_workspace, can_write_papers, membership_of

MAX_TITLE = 300

register_event_labels({
    "paper-created": _l("skapade papperet ”%(title)s”"),
    "paper-imported": _l("importerade papperet ”%(title)s” från Word"),
    "paper-updated": _l("ändrade uppgifterna för ”%(title)s”"),
    "paper-status-changed": _l("ändrade status för ”%(title)s”"),
    "section-added": _l("lade till avsnittet ”%(title)s”"),
    "section-renamed": _l("döpte om avsnittet till ”%(title)s”"),
    "sections-reordered": _l("ändrade ordningen på avsnitten i ”%(title)s”"),
    "section-removed": _l("tog bort avsnittet ”%(title)s”"),
    "section-restored": _l("återställde avsnittet ”%(title)s”"),
    "section-saved": _l("sparade avsnittet ”%(title)s”"),
    "revision-restored": _l("återställde en tidigare version av ”%(title)s”"),
    "snapshot-created": _l("sparade versionen ”%(name)s”"),
    "policy-area-added": _l("lade till sakområdet ”%(name)s”"),
    "policy-area-changed": _l("ändrade sakområdet ”%(name)s”"),
})


class PaperError(ValueError):
    """A rule was broken; the message is for the user."""


def _member(actor, ws):
    return membership_of(actor, ws)


def _require_writer(actor, paper: Paper) -> None:
    m = _member(actor, paper.workspace)
    if not can_write_papers(m):
        raise PermissionError("writers only")
    if not can_edit_paper(m, paper):
        raise PaperError(_("Papperet är fastställt eller arkiverat och kan inte ändras. Starta ett nytt utkast."))


def _clean_title(title: str | None, what: str = "") -> str:
    title = " ".join((title or "").split())
    if not title:
        raise PaperError(_("Ange en rubrik."))
    if len(title) > MAX_TITLE:
        raise PaperError(_("Rubriken är för lång (högst %(n)d tecken).", n=MAX_TITLE))
    return title


def content_hash(html: str) -> str:
    return hashlib.sha256(html.encode("utf-8")).hexdigest()


# --- policy areas --------------------------------------------------------------------

def ensure_policy_areas(ws: Workspace) -> list[PolicyArea]:
    areas = db.session.scalars(
        select(PolicyArea).where(PolicyArea.workspace_id == ws.id).order_by(PolicyArea.position, PolicyArea.name)
    ).all()
    if not areas:
        areas = [PolicyArea(workspace_id=ws.id, name=n, position=i) for i, n in enumerate(DEFAULT_POLICY_AREAS)]
        db.session.add_all(areas)
        db.session.flush()
    return [a for a in areas if a.active]


def add_policy_area(actor, ws: Workspace, name: str) -> PolicyArea:
    if not can_manage_workspace(_member(actor, ws)):
        raise PermissionError("secretariat only")
    name = " ".join((name or "").split())
    if not name or len(name) > 120:
        raise PaperError(_("Ange ett namn på högst 120 tecken."))
    existing = ensure_policy_areas(ws)
    if any(a.name.lower() == name.lower() for a in existing):
        raise PaperError(_("Sakområdet finns redan."))
    area = PolicyArea(workspace_id=ws.id, name=name, position=len(existing))
    db.session.add(area)
    db.session.flush()
    record_event(actor, "policy-area-added", area, workspace=ws, name=name)
    return area


def all_policy_areas(ws: Workspace) -> list[PolicyArea]:
    ensure_policy_areas(ws)
    return list(db.session.scalars(
        select(PolicyArea).where(PolicyArea.workspace_id == ws.id).order_by(PolicyArea.position, PolicyArea.name)))


def set_policy_area_active(actor, area: PolicyArea, active: bool) -> None:
    ws = db.session.get(Workspace, area.workspace_id)
    if not can_manage_workspace(_member(actor, ws)):
        raise PermissionError("secretariat only")
    if area.active != active:
        area.active = active
        record_event(actor, "policy-area-changed", area, workspace=ws, name=area.name, active=active)


# --- papers --------------------------------------------------------------------------

def _check_fields(ws: Workspace, fields: dict) -> dict:
    out = {}
    if "title" in fields:
        out["title"] = _clean_title(fields["title"])
    if "kind" in fields:
        if fields["kind"] not in PAPER_KINDS:
            raise PaperError(_("Okänd typ av papper."))
        out["kind"] = fields["kind"]
    if "policy_area_id" in fields:
        pid = fields["policy_area_id"]
        if pid:
            area = db.session.get(PolicyArea, pid)
            if area is None or area.workspace_id != ws.id or not area.active:
                raise PaperError(_("Okänt sakområde."))
        out["policy_area_id"] = pid or None
    if "lead_organization_id" in fields:
        oid = fields["lead_organization_id"]
        if oid and oid not in {o.id for o in ws.member_organizations}:
            raise PaperError(_("Ansvarig organisation måste vara medlem i samverkansorganet."))
        out["lead_organization_id"] = oid or None
    if "registration_number" in fields:
        reg = " ".join((fields["registration_number"] or "").split()) or None
        if reg and len(reg) > 60:
            raise PaperError(_("Diarienumret är för långt (högst 60 tecken)."))
        out["registration_number"] = reg
    if "deadline" in fields:
        d = fields["deadline"]
        if d is not None and not isinstance(d, date):
            raise PaperError(_("Ogiltigt datum."))
        out["deadline"] = d
    return out


def create_paper(actor, ws: Workspace, *, title, kind="position_paper", policy_area_id=None,
                 lead_organization_id=None, registration_number=None, deadline=None,
                 sections: list[tuple[str, str]] | None = None, source: str = "web") -> Paper:
    if not can_write_papers(_member(actor, ws)):
        raise PermissionError("writers only")
    fields = _check_fields(ws, dict(title=title, kind=kind, policy_area_id=policy_area_id,
                                    lead_organization_id=lead_organization_id,
                                    registration_number=registration_number, deadline=deadline))
    paper = Paper(workspace_id=ws.id, created_by_id=actor.id, **fields)
    db.session.add(paper)
    db.session.flush()
    kind_of_revision = "import" if source == "import" else "create"
    for i, (stitle, html) in enumerate(sections or [(_("Inledning"), "")]):
        section = Section(paper_id=paper.id, title=_clean_title(stitle)[:MAX_TITLE], position=i)
        db.session.add(section)
        db.session.flush()
        _append_revision(actor, section, sanitize_html(html), None, kind_of_revision)
    verb = "paper-imported" if source == "import" else "paper-created"
    record_event(actor, verb, paper, workspace=ws, paper_id=paper.id, title=paper.title)
    return paper


def update_paper(actor, paper: Paper, **fields) -> None:
    _require_writer(actor, paper)
    clean = _check_fields(paper.workspace, fields)
    changed = sorted(k for k, v in clean.items() if getattr(paper, k) != v)
    for k in changed:
        setattr(paper, k, clean[k])
    if changed:
        paper.updated_at = utcnow()
        record_event(actor, "paper-updated", paper, workspace=paper.workspace, paper_id=paper.id,
                     title=paper.title, changed=changed)


SORTS = {
    "title": Paper.title,
    "updated": Paper.updated_at,
    "deadline": Paper.deadline,
    "status": Paper.status,
}


def list_papers(ws: Workspace, *, q=None, kind=None, policy_area_id=None, status=None,
                organization_id=None, sort="updated", direction="desc", page=1, per_page=20):
    stmt = select(Paper).where(Paper.workspace_id == ws.id)
    if q:
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(or_(Paper.title.ilike(like, escape="\\"),
                              Paper.registration_number.ilike(like, escape="\\")))
    if kind:
        stmt = stmt.where(Paper.kind == kind)
    if policy_area_id:
        stmt = stmt.where(Paper.policy_area_id == policy_area_id)
    if status:
        stmt = stmt.where(Paper.status == status)
    if organization_id:
        stmt = stmt.where(Paper.lead_organization_id == organization_id)
    col = SORTS.get(sort, Paper.updated_at)
    order = col.asc() if direction == "asc" else col.desc()
    if sort == "deadline":
        order = order.nulls_last()
    stmt = stmt.order_by(order, Paper.id.desc())
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def change_status(actor, paper: Paper, new_status: str) -> None:
    if new_status not in PAPER_STATUSES:
        raise PaperError(_("Okänd status."))
    m = _member(actor, paper.workspace)
    if not can_change_status(m, paper, new_status):
        if not can_write_papers(m) and (m is None or m.role != "secretariat"):
            raise PermissionError("may not change status")
        raise PaperError(_("Papperet kan inte flyttas från %(a)s till %(b)s av dig.",
                           a=STATUS_LABELS[paper.status], b=STATUS_LABELS[new_status]))
    if new_status == "adopted" and not paper.registration_number:
        raise PaperError(_("Ange ett diarienummer innan papperet fastställs."))
    old = paper.status
    paper.status = new_status
    paper.updated_at = utcnow()
    record_event(actor, "paper-status-changed", paper, workspace=paper.workspace, paper_id=paper.id,
                 title=paper.title, **{"from": old, "to": new_status})


STATUS_LABELS = {
    "draft": _l("utkast"),
    "review": _l("på remiss"),
    "decision": _l("för beslut"),
    "adopted": _l("fastställt"),
    "archived": _l("arkiverat"),
}
KIND_LABELS = {
    "position_paper": _l("Positionspapper"),
    "consultation_response": _l("Remissvar"),
    "activity_plan": _l("Verksamhetsplan"),
}


# --- sections ------------------------------------------------------------------------

def _renumber(paper: Paper) -> None:
    for i, s in enumerate(paper.live_sections):
        s.position = i


def add_section(actor, paper: Paper, title: str, after: Section | None = None) -> Section:
    _require_writer(actor, paper)
    title = _clean_title(title)
    live = paper.live_sections
    index = live.index(after) + 1 if after is not None and after in live else len(live)
    section = Section(paper=paper, title=title, position=index)
    live.insert(index, section)
    db.session.add(section)
    for i, s in enumerate(live):
        s.position = i
    db.session.flush()
    _append_revision(actor, section, "", None, "create")
    _touch(paper)
    record_event(actor, "section-added", section, workspace=paper.workspace, paper_id=paper.id,
                 section_id=section.id, title=title)
    return section


def rename_section(actor, section: Section, title: str) -> None:
    paper = section.paper
    _require_writer(actor, paper)
    title = _clean_title(title)
    if title != section.title:
        section.title = title
        _touch(paper)
        record_event(actor, "section-renamed", section, workspace=paper.workspace, paper_id=paper.id,
                     section_id=section.id, title=title)


def reorder_sections(actor, paper: Paper, ordered_ids: list[int]) -> None:
    _require_writer(actor, paper)
    live = paper.live_sections
    if sorted(ordered_ids) != sorted(s.id for s in live) or len(set(ordered_ids)) != len(ordered_ids):
        raise PaperError(_("Avsnitten har ändrats under tiden. Ladda om sidan och försök igen."))
    by_id = {s.id: s for s in live}
    for i, sid in enumerate(ordered_ids):
        by_id[sid].position = i
    _touch(paper)
    record_event(actor, "sections-reordered", paper, workspace=paper.workspace, paper_id=paper.id,
                 title=paper.title, order=ordered_ids)


def move_section(actor, section: Section, new_index: int) -> None:
    live = section.paper.live_sections
    if section not in live:
        raise PaperError(_("Avsnittet är borttaget."))
    new_index = max(0, min(new_index, len(live) - 1))
    ids = [s.id for s in live if s.id != section.id]
    ids.insert(new_index, section.id)
    reorder_sections(actor, section.paper, ids)


def remove_section(actor, section: Section) -> None:
    paper = section.paper
    _require_writer(actor, paper)
    if section.deleted_at is not None:
        raise PaperError(_("Avsnittet är redan borttaget."))
    if len(paper.live_sections) <= 1:
        raise PaperError(_("Ett papper måste ha minst ett avsnitt."))
    section.deleted_at = utcnow()
    section.deleted_by_id = actor.id
    _renumber(paper)
    _touch(paper)
    record_event(actor, "section-removed", section, workspace=paper.workspace, paper_id=paper.id,
                 section_id=section.id, title=section.title)


def restore_section(actor, section: Section) -> None:
    paper = section.paper
    _require_writer(actor, paper)
    if section.deleted_at is None:
        raise PaperError(_("Avsnittet är inte borttaget."))
    section.deleted_at = None
    section.deleted_by_id = None
    section.position = len(paper.live_sections)
    _renumber(paper)
    _touch(paper)
    record_event(actor, "section-restored", section, workspace=paper.workspace, paper_id=paper.id,
                 section_id=section.id, title=section.title)


_REMOVED_SECTIONS = (select(Section).where(Section.paper_id == bindparam("paper_id"), Section.deleted_at.is_not(None))
                     .order_by(Section.position))


def removed_sections(paper: Paper) -> list[Section]:
    if "sections" not in inspect(paper).unloaded:  # loaded already: no query
        return [s for s in paper.sections if s.deleted_at is not None]
    # Only the removed ones: a page whose sections come from the cache loads none of the others.
    return list(db.session.scalars(_REMOVED_SECTIONS, {"paper_id": paper.id}))


# --- saving --------------------------------------------------------------------------

@dataclass
class SaveResult:
    status: str  # "saved" | "merged" | "unchanged" | "conflict"
    revision: Revision | None
    current: Revision | None
    conflict: MergeResult | None = None
    mine: str = ""


def _touch(paper: Paper) -> None:
    paper.updated_at = utcnow()


def _append_revision(actor, section: Section, html: str, base_id: int | None, kind: str,
                     note: str | None = None) -> Revision:
    number = (section.revision_count or 0) + 1
    rev = Revision(section_id=section.id, number=number, base_revision_id=base_id,
                   html=html, content_hash=content_hash(html), kind=kind,
                   author_id=actor.id if actor else None, note=note)
    db.session.add(rev)
    db.session.flush()
    # One UPDATE of the section at the next flush: its count and its current revision's id.
    # The relationship is read again from the id when next used (`rev` is in the session, so
    # without a query): loaded, or assigned, it would UPDATE the section once more after the
    # flush (post_update).
    section.revision_count = number
    section.current_revision_id = rev.id
    db.session.expire(section, ["current_revision"])
    return rev


def _lock(section: Section) -> Section:
    """Re-read the section under a row lock so that saves of one section queue up."""
    locked = db.session.scalars(
        select(Section).where(Section.id == section.id).with_for_update().execution_options(populate_existing=True)
    ).one()
    return locked


def save_section(actor, section: Section, html: str, base_revision_id: int | None) -> SaveResult:
    return _save_text(actor, section, html, base_revision_id)


def apply_suggestion_text(actor, section: Section, html: str, base_revision_id: int | None,
                          note: str | None = None) -> SaveResult:
    """Accept a suggestion's text: the same three-way block merge as a save (a conflict
    saves nothing), appended as a revision of kind "suggestion"."""
    return _save_text(actor, section, html, base_revision_id, kinds=("suggestion", "suggestion"), note=note)


def _save_text(actor, section: Section, html: str, base_revision_id: int | None,
               kinds: tuple[str, str] = ("save", "merge"), note: str | None = None) -> SaveResult:
    paper = section.paper
    _require_writer(actor, paper)
    if section.deleted_at is not None:
        raise PaperError(_("Avsnittet har tagits bort. Återställ det först."))
    mine = sanitize_html(html)
    section = _lock(section)
    current = section.current_revision
    if base_revision_id is not None:
        base = db.session.get(Revision, base_revision_id)
        if base is None or base.section_id != section.id:
            raise PaperError(_("Okänd utgångsversion. Ladda om sidan."))
    else:
        base = None
    if current is not None and mine == current.html:
        return SaveResult("unchanged", None, current)
    if current is None or base is None and current.html == "" or (base is not None and base.id == current.id):
        rev = _append_revision(actor, section, mine, current.id if current else None, kinds[0], note=note)
        status = "saved"
    else:
        result = merge_html(base.html if base is not None else "", mine, current.html)
        if not result.clean:
            return SaveResult("conflict", None, current, conflict=result, mine=mine)
        merged = sanitize_html(result.html)
        if merged == current.html:
            return SaveResult("unchanged", None, current)
        rev = _append_revision(actor, section, merged, base.id if base else None, kinds[1], note=note)
        status = "merged"
    _touch(paper)
    record_event(actor, "section-saved", section, workspace=paper.workspace, paper_id=paper.id,
                 section_id=section.id, revision_id=rev.id, number=rev.number, merged=status == "merged",
                 title=section.title)
    return SaveResult(status, rev, rev)


def section_history(section: Section) -> list[Revision]:
    return list(db.session.scalars(
        select(Revision).where(Revision.section_id == section.id).order_by(Revision.number.desc())))


def paper_history(paper: Paper, limit: int = 200) -> list[Revision]:
    return list(db.session.scalars(
        select(Revision).join(Section, Revision.section_id == Section.id)
        .where(Section.paper_id == paper.id)
        .order_by(Revision.created_at.desc(), Revision.id.desc()).limit(limit)))


def restore_revision(actor, revision: Revision) -> Revision:
    section = db.session.get(Section, revision.section_id)
    paper = section.paper
    _require_writer(actor, paper)
    section = _lock(section)
    if section.current_revision_id == revision.id:
        raise PaperError(_("Det är redan den gällande versionen."))
    rev = _append_revision(actor, section, revision.html, section.current_revision_id, "restore",
                           note=_("Återställd från version %(n)d", n=revision.number))
    _touch(paper)
    record_event(actor, "revision-restored", section, workspace=paper.workspace, paper_id=paper.id,
                 section_id=section.id, revision_id=rev.id, number=rev.number, restored=revision.number,
                 title=section.title)
    return rev


# --- named versions ------------------------------------------------------------------

def load_current_revisions(sections) -> None:
    """The sections' current texts in one query, instead of one query a section."""
    wanted = [s for s in sections if s.current_revision_id and "current_revision" in inspect(s).unloaded]
    if not wanted:
        return
    revisions = {r.id: r for r in db.session.scalars(
        select(Revision).where(Revision.id.in_([s.current_revision_id for s in wanted])))}
    for s in wanted:
        set_committed_value(s, "current_revision", revisions.get(s.current_revision_id))


def paper_content_hash(paper: Paper) -> str:
    h = hashlib.sha256()
    h.update(paper.title.encode())
    load_current_revisions(paper.live_sections)  # a paper page's header asks on every save
    for s in paper.live_sections:
        h.update(b"\x00" + s.title.encode() + b"\x00" + s.html.encode())
    return h.hexdigest()


def create_snapshot(actor, paper: Paper, name: str, note: str = "") -> Snapshot:
    m = _member(actor, paper.workspace)
    if not can_write_papers(m):
        raise PermissionError("writers only")
    name = " ".join((name or "").split())
    if not name:
        raise PaperError(_("Ge versionen ett namn."))
    if len(name) > 200:
        raise PaperError(_("Namnet är för långt (högst 200 tecken)."))
    if len(note or "") > 5000:
        raise PaperError(_("Kommentaren är för lång (högst 5000 tecken)."))
    snap = Snapshot(paper_id=paper.id, name=name, note=(note or "").strip(),
                    content_hash=paper_content_hash(paper), created_by_id=actor.id)
    db.session.add(snap)
    for i, s in enumerate(paper.live_sections):
        snap.items.append(SnapshotSection(section_id=s.id, revision_id=s.current_revision_id, position=i, title=s.title))
    db.session.flush()
    record_event(actor, "snapshot-created", snap, workspace=paper.workspace, paper_id=paper.id,
                 snapshot_id=snap.id, name=name)
    return snap


def snapshots_of(paper: Paper) -> list[Snapshot]:
    return list(db.session.scalars(
        select(Snapshot).where(Snapshot.paper_id == paper.id).order_by(Snapshot.created_at.desc(), Snapshot.id.desc())))


@dataclass
class SectionComparison:
    title: str
    status: str  # added | removed | changed | same
    diff: object


def _compare(a_items: list[tuple[int, str, str]], b_items: list[tuple[int, str, str]]) -> list[SectionComparison]:
    a = {sid: (t, h) for sid, t, h in a_items}
    out = []
    seen = set()
    for sid, title, html in b_items:
        seen.add(sid)
        if sid not in a:
            out.append(SectionComparison(title, "added", diff_html("", html)))
        else:
            old_title, old_html = a[sid]
            same = old_html == html and old_title == title
            label = title if old_title == title else f"{old_title} → {title}"
            out.append(SectionComparison(label, "same" if same else "changed", diff_html(old_html, html)))
    for sid, title, html in a_items:
        if sid not in seen:
            out.append(SectionComparison(title, "removed", diff_html(html, "")))
    return out


def _snapshot_items(snap: Snapshot):
    return [(i.section_id, i.title, i.revision.html if i.revision else "") for i in snap.items]


def compare_snapshots(a: Snapshot, b: Snapshot) -> list[SectionComparison]:
    return _compare(_snapshot_items(a), _snapshot_items(b))


def compare_snapshot_to_current(snap: Snapshot) -> list[SectionComparison]:
    paper = db.session.get(Paper, snap.paper_id)
    return _compare(_snapshot_items(snap), [(s.id, s.title, s.html) for s in paper.live_sections])


def paper_counts(ws: Workspace) -> dict[str, int]:
    rows = db.session.execute(
        select(Paper.status, func.count()).where(Paper.workspace_id == ws.id).group_by(Paper.status))
    return dict(rows.all())
