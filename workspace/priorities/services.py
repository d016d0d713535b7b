"""Priority lists: creating and carrying over, items, order, rankings, decision, follow-up.

Every write takes an explicit actor, checks the actor's role, flushes (never commits) and
records an event whose payload carries `list_id`, so pages showing the list update live.
Broken rules raise PriorityError with a message for the user.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from workspace.db import db, utcnow
from workspace.events import record_event, register_event_labels
from workspace.papers.models import Paper
from workspace.priorities.models import (
    FOLLOW_UP_STATUSES,
    PERIODS,
    FollowUp,
    PriorityItem,
    PriorityList,
    Ranking,
    letter_for,
)
from workspace.priorities.permissions import (
    can_change_status,
    can_create_list,
    can_edit_list,
    can_follow_up,
    can_rank,
    can_set_final_order,
    is_secretariat,
)
from workspace.workspaces.models import Workspace
from workspace.workspaces.permissions import can_decide, can_write_papers, membership_of

MAX_TITLE = 300
MAX_DESCRIPTION = 5000
MAX_COMMENT = 5000
MIN_YEAR, MAX_YEAR = 2000, 2100

STATUS_LABELS = {
    "draft": _l("Utkast"),
    "ranking": _l("Rangordning pågår"),
    "decision": _l("Uppsatt för beslut"),
    "adopted": _l("Fastställd"),
}
TRANSITION_LABELS = {
    "ranking": _l("Öppna för rangordning"),
    "draft": _l("Tillbaka till utkast"),
}
PERIOD_LABELS = {"delarsbokslut": _l("Delårsbokslut"), "arsbokslut": _l("Årsbokslut")}
FOLLOW_UP_LABELS = {
    "not_started": _l("Ej påbörjad"),
    "ongoing": _l("Pågår"),
    "done": _l("Genomförd"),
    "cancelled": _l("Avbruten"),
}

register_event_labels({
    "priority-list-created": _l("skapade prioriteringslistan för %(year)s"),
    "priority-list-carried-over": _l("förde över prioriteringarna till %(year)s"),
    "priority-list-status-changed": _l("ändrade status för prioriteringarna %(year)s"),
    "priority-item-added": _l("lade till prioritering %(letter)s ”%(title)s”"),
    "priority-item-updated": _l("ändrade prioritering %(letter)s ”%(title)s”"),
    "priority-item-removed": _l("tog bort prioritering %(letter)s ”%(title)s”"),
    "priority-items-reordered": _l("ändrade ordningen på prioriteringarna %(year)s"),
    "priority-ranking-saved": _l("rangordnade prioriteringarna %(year)s"),
    "priority-follow-up-recorded": _l("följde upp prioritering %(letter)s ”%(title)s”"),
})


class PriorityError(ValueError):
    """A rule was broken; the message is for the user."""


def _member(actor, ws):
    return membership_of(actor, ws)


def _event(actor, verb: str, obj, plist: PriorityList, **payload) -> None:
    record_event(actor, verb, obj, workspace=plist.workspace, list_id=plist.id, year=plist.year, **payload)


def _touch(plist: PriorityList) -> None:
    plist.updated_at = utcnow()


def _lock(plist: PriorityList) -> None:
    """Serialise changes to one list's items (PostgreSQL; SQLite writers are serial anyway),
    then read the items afresh, so a check of "the whole order" sees every committed item."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(PriorityList.id).where(PriorityList.id == plist.id).with_for_update())
    if "items" in plist.__dict__ and not db.session.new and not db.session.dirty:
        db.session.expire(plist, ["items"])


def _require_editor(actor, plist: PriorityList) -> None:
    m = _member(actor, plist.workspace)
    if not can_write_papers(m):
        raise PermissionError("writers only")
    if not can_edit_list(m, plist):
        raise PriorityError(_("Listan är uppsatt för beslut eller fastställd och kan inte ändras."))
    _lock(plist)


def _clean_line(value: str | None, limit: int, empty_message: str) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise PriorityError(empty_message)
    if len(value) > limit:
        raise PriorityError(_("Texten är för lång (högst %(n)d tecken).", n=limit))
    return value


def _clean_text(value: str | None, limit: int) -> str:
    value = (value or "").replace("\r\n", "\n").strip()
    if len(value) > limit:
        raise PriorityError(_("Texten är för lång (högst %(n)d tecken).", n=limit))
    return value


def _check_year(year) -> int:
    if not isinstance(year, int) or isinstance(year, bool) or not MIN_YEAR <= year <= MAX_YEAR:
        raise PriorityError(_("Ange ett år mellan %(a)d och %(b)d.", a=MIN_YEAR, b=MAX_YEAR))
    return year


def list_for_year(ws: Workspace, year: int) -> PriorityList | None:
    return db.session.scalar(select(PriorityList).where(PriorityList.workspace_id == ws.id,
                                                        PriorityList.year == year))


def lists_of(ws: Workspace) -> list[PriorityList]:
    return list(db.session.scalars(
        select(PriorityList).where(PriorityList.workspace_id == ws.id).order_by(PriorityList.year.desc())))


def default_title(year: int) -> str:
    return _("Prioriteringar för %(year)d", year=year)


# --- lists ---------------------------------------------------------------------------

def create_list(actor, ws: Workspace, year: int, title: str | None = None) -> PriorityList:
    if not can_create_list(_member(actor, ws)):
        raise PermissionError("writers only")
    year = _check_year(year)
    if list_for_year(ws, year) is not None:
        raise PriorityError(_("Det finns redan en prioriteringslista för %(year)d.", year=year))
    title = _clean_line(title, 200, "") if (title or "").strip() else default_title(year)
    plist = PriorityList(workspace_id=ws.id, workspace=ws, year=year, title=title, status="draft",
                         created_by_id=actor.id)
    db.session.add(plist)
    db.session.flush()
    _event(actor, "priority-list-created", plist, plist, title=plist.title)
    return plist


def carry_over(actor, source: PriorityList, year: int | None = None) -> PriorityList:
    """Next year's list from `source`: every item copied, each linked to the item it came from."""
    ws = source.workspace
    year = source.year + 1 if year is None else year
    if isinstance(year, int) and year <= source.year:
        raise PriorityError(_("Listan kan bara föras över till ett senare år."))
    plist = create_list(actor, ws, year)
    plist.carried_over_from_id = source.id
    for i, old in enumerate(source.ordered_items):
        papers = list(old.papers)  # loaded before the new item joins the session half-made
        item = PriorityItem(priority_list=plist, title=old.title, description=old.description,
                            responsible_organization_id=old.responsible_organization_id, position=i,
                            origin_id=old.id, created_by_id=actor.id, papers=papers)
        db.session.add(item)
    db.session.flush()
    _event(actor, "priority-list-carried-over", plist, plist, title=plist.title, source_year=source.year,
           items=len(plist.items))
    return plist


# --- items ---------------------------------------------------------------------------

def _check_item_fields(ws: Workspace, *, title, description, responsible_organization_id, paper_ids) -> dict:
    out = {
        "title": _clean_line(title, MAX_TITLE, _("Ange en rubrik.")),
        "description": _clean_text(description, MAX_DESCRIPTION),
    }
    oid = responsible_organization_id or None
    if oid is not None and oid not in {o.id for o in ws.member_organizations}:
        raise PriorityError(_("Ansvarig organisation måste vara medlem i samverkansorganet."))
    out["responsible_organization_id"] = oid
    ids = list(dict.fromkeys(paper_ids or []))
    papers = []
    if ids:
        papers = list(db.session.scalars(select(Paper).where(Paper.id.in_(ids), Paper.workspace_id == ws.id)))
        if len(papers) != len(ids):
            raise PriorityError(_("Okänt positionspapper."))
    out["papers"] = papers
    return out


def add_item(actor, plist: PriorityList, *, title, description="", responsible_organization_id=None,
             paper_ids=()) -> PriorityItem:
    _require_editor(actor, plist)
    fields = _check_item_fields(plist.workspace, title=title, description=description,
                                responsible_organization_id=responsible_organization_id, paper_ids=paper_ids)
    papers = fields.pop("papers")
    item = PriorityItem(priority_list=plist, position=len(plist.items), created_by_id=actor.id, **fields)
    item.papers = papers
    db.session.add(item)
    db.session.flush()
    _touch(plist)
    _event(actor, "priority-item-added", item, plist, item_id=item.id, title=item.title, letter=item.letter)
    return item


def update_item(actor, item: PriorityItem, *, title, description, responsible_organization_id,
                paper_ids) -> None:
    plist = item.priority_list
    _require_editor(actor, plist)
    fields = _check_item_fields(plist.workspace, title=title, description=description,
                                responsible_organization_id=responsible_organization_id, paper_ids=paper_ids)
    papers = fields.pop("papers")
    changed = sorted(k for k, v in fields.items() if getattr(item, k) != v)
    if {p.id for p in papers} != {p.id for p in item.papers}:
        changed.append("papers")
        item.papers = papers
    for k in changed:
        if k != "papers":
            setattr(item, k, fields[k])
    if changed:
        _touch(plist)
        _event(actor, "priority-item-updated", item, plist, item_id=item.id, title=item.title,
               letter=item.letter, changed=changed)


def remove_item(actor, item: PriorityItem) -> None:
    plist = item.priority_list
    _require_editor(actor, plist)
    title, letter, item_id = item.title, item.letter, item.id
    plist.items.remove(item)
    db.session.delete(item)
    for i, it in enumerate(plist.ordered_items):
        it.position = i
    db.session.flush()
    _touch(plist)
    record_event(actor, "priority-item-removed", object_type="priority_item", object_id=item_id,
                 workspace=plist.workspace, list_id=plist.id, year=plist.year, title=title, letter=letter)


def _check_full_order(plist: PriorityList, ordered_ids: Sequence[int]) -> None:
    current = [i.id for i in plist.ordered_items]
    if len(set(ordered_ids)) != len(ordered_ids) or sorted(ordered_ids) != sorted(current):
        raise PriorityError(_("Listan har ändrats under tiden. Här är den som den ser ut nu; "
                              "gör om flytten."))


def reorder_items(actor, plist: PriorityList, ordered_ids: Sequence[int]) -> None:
    """The whole new order: a request built on a stale page is refused, so no item is lost."""
    _require_editor(actor, plist)
    _check_full_order(plist, ordered_ids)
    by_id = {i.id: i for i in plist.items}
    for pos, iid in enumerate(ordered_ids):
        by_id[iid].position = pos
    db.session.flush()
    _touch(plist)
    _event(actor, "priority-items-reordered", plist, plist, order=list(ordered_ids))


def move_item(actor, item: PriorityItem, new_index: int) -> None:
    plist = item.priority_list
    ids = [i.id for i in plist.ordered_items if i.id != item.id]
    ids.insert(max(0, min(new_index, len(ids))), item.id)
    reorder_items(actor, plist, ids)


# --- ranking -------------------------------------------------------------------------

@dataclass(frozen=True)
class BordaRow:
    item_id: int
    points: Fraction
    place: int  # 1 = most wanted; tied items share a place


def borda(item_ids: Sequence[int], rankings: Iterable[Sequence[int]]) -> list[BordaRow]:
    """Aggregate rankings by Borda count.

    With n items, a ranking's first place gives n-1 points, the last 0. Items a ranking
    leaves out share the points of the places it left open equally, so leaving items out
    favours none of them. Unknown ids and repeats are ignored; an organisation that has not
    ranked adds nothing. Equal totals share a place (1, 2, 2, 4) and keep the list's order.
    """
    n = len(item_ids)
    known = set(item_ids)
    points = {iid: Fraction(0) for iid in item_ids}
    for ranking in rankings:
        seen: list[int] = []
        for iid in ranking:
            if iid in known and iid not in seen:
                seen.append(iid)
        for place, iid in enumerate(seen):
            points[iid] += n - 1 - place
        rest = [iid for iid in item_ids if iid not in seen]
        if rest:
            open_points = sum(range(n - len(seen)))  # places len(seen)..n-1 give n-1-p points
            share = Fraction(open_points, len(rest))
            for iid in rest:
                points[iid] += share
    order = sorted(item_ids, key=lambda iid: (-points[iid], item_ids.index(iid)))
    rows: list[BordaRow] = []
    for i, iid in enumerate(order):
        place = rows[-1].place if rows and points[iid] == rows[-1].points else i + 1
        rows.append(BordaRow(iid, points[iid], place))
    return rows


def current_rankings(plist: PriorityList) -> dict[int, Ranking]:
    """The newest ranking of each member organisation (older ones are kept as history)."""
    members = {o.id for o in plist.workspace.member_organizations}
    out: dict[int, Ranking] = {}
    for r in db.session.scalars(select(Ranking).where(Ranking.list_id == plist.id).order_by(Ranking.id)):
        if r.organization_id in members:
            out[r.organization_id] = r
    return out


@dataclass
class Aggregate:
    rows: list[tuple[PriorityItem, BordaRow]]
    # per member organisation: (organisation, its ranking or None, {item_id: its place})
    columns: list[tuple]


def aggregate(plist: PriorityList) -> Aggregate:
    items = plist.ordered_items
    ids = [i.id for i in items]
    rankings = current_rankings(plist)
    by_id = {i.id: i for i in items}
    rows = [(by_id[r.item_id], r) for r in borda(ids, [r.item_order for r in rankings.values()])]
    columns = []
    for org in plist.workspace.member_organizations:
        r = rankings.get(org.id)
        places = {}
        if r is not None:
            for place, iid in enumerate([i for i in r.item_order if i in by_id], start=1):
                places.setdefault(iid, place)
        columns.append((org, r, places))
    return Aggregate(rows=rows, columns=columns)


def ranking_order(plist: PriorityList, organization_id: int) -> list[PriorityItem]:
    """An organisation's order of the current items: its ranking, new items last in list order."""
    items = plist.ordered_items
    r = current_rankings(plist).get(organization_id)
    by_id = {i.id: i for i in items}
    ranked = list(dict.fromkeys(i for i in (r.item_order if r else []) if i in by_id))
    return [by_id[i] for i in ranked] + [i for i in items if i.id not in ranked]


def has_ranked(plist: PriorityList, organization_id: int) -> bool:
    return organization_id in current_rankings(plist)


def save_ranking(actor, plist: PriorityList, ordered_ids: Sequence[int]) -> Ranking:
    """The actor's organisation's ranking of every item; it supersedes the organisation's last."""
    m = _member(actor, plist.workspace)
    if not can_decide(m):
        raise PermissionError("politicians only")
    if not can_rank(m, plist):
        raise PriorityError(_("Listan är inte öppen för rangordning."))
    if actor.organization_id not in {o.id for o in plist.workspace.member_organizations}:
        raise PriorityError(_("Din organisation är inte medlem i samverkansorganet."))
    _lock(plist)
    _check_full_order(plist, ordered_ids)
    ranking = Ranking(list_id=plist.id, organization_id=actor.organization_id, user_id=actor.id,
                      item_order=list(ordered_ids))
    db.session.add(ranking)
    db.session.flush()
    _event(actor, "priority-ranking-saved", ranking, plist, organization=actor.organization.name)
    return ranking


def move_in_ranking(actor, plist: PriorityList, item: PriorityItem, direction: str) -> Ranking:
    if direction not in ("up", "down"):
        raise PriorityError(_("Okänd riktning."))
    order = [i.id for i in ranking_order(plist, actor.organization_id)]
    at = order.index(item.id)
    to = max(0, min(len(order) - 1, at + (-1 if direction == "up" else 1)))
    order.insert(to, order.pop(at))
    return save_ranking(actor, plist, order)


def apply_aggregate_order(actor, plist: PriorityList) -> None:
    """The secretariat takes the aggregated ranking as the list's order (it can still adjust it)."""
    m = _member(actor, plist.workspace)
    if not is_secretariat(m):
        raise PermissionError("secretariat only")
    if not can_set_final_order(m, plist):
        raise PriorityError(_("Listan är uppsatt för beslut eller fastställd och kan inte ändras."))
    if not current_rankings(plist):
        raise PriorityError(_("Ingen organisation har rangordnat ännu."))
    reorder_items(actor, plist, [row.item_id for _item, row in aggregate(plist).rows])


# --- decision ------------------------------------------------------------------------

def content_hash(plist: PriorityList) -> str:
    """SHA-256 over what a decision is about: year, title and every item in order."""
    doc = {
        "year": plist.year,
        "title": plist.title,
        "items": [
            {"letter": letter_for(i), "title": it.title, "description": it.description,
             "responsible": it.responsible_organization_id,  # the id: a renamed member changes nothing
             "papers": sorted(p.id for p in it.papers)}
            for i, it in enumerate(plist.ordered_items)
        ],
    }
    return hashlib.sha256(json.dumps(doc, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


_hash_of = content_hash  # adopt() names its parameter content_hash, as the approval round calls it


def _set_status(actor, plist: PriorityList, status: str) -> None:
    before = plist.status
    plist.status = status
    _touch(plist)
    _event(actor, "priority-list-status-changed", plist, plist, title=plist.title, **{"from": before, "to": status})


def open_ranking(actor, plist: PriorityList) -> None:
    if not can_change_status(_member(actor, plist.workspace), plist, "ranking"):
        raise PermissionError("writers only")
    if not plist.items:
        raise PriorityError(_("Lägg till minst en prioritering först."))
    _set_status(actor, plist, "ranking")


def submit_for_decision(actor, plist: PriorityList) -> str:
    """The secretariat puts the list, in its final order, up for decision; returns its content hash.

    This is the single entry point of the approval round: when the approval rounds of
    `workspace.decisions` are merged, this function opens a round on the list
    (subject_type "priority_list") with the hash it returns. The round reports its outcome
    through `adopt(plist, content_hash)` or `back_to_draft(plist)`.
    """
    m = _member(actor, plist.workspace)
    if not can_change_status(m, plist, "decision"):
        raise PermissionError("secretariat only")
    if not plist.items:
        raise PriorityError(_("En tom lista kan inte sättas upp för beslut."))
    plist.decision_hash = content_hash(plist)
    plist.submitted_at = utcnow()
    _set_status(actor, plist, "decision")
    return plist.decision_hash


def adopt(plist: PriorityList, content_hash: str, *, actor=None) -> None:
    """The decision adopted the list: it is frozen from now on (only follow-ups are recorded).

    Called by the approval round with the hash it was opened on (actor None: the round has
    authorised it), or by the secretariat recording the board's decision (actor given).
    Refused if the list is not up for decision or its content is not what was decided on.
    """
    if actor is not None and not can_change_status(_member(actor, plist.workspace), plist, "adopted"):
        raise PermissionError("secretariat only")
    if plist.status != "decision":
        raise PriorityError(_("Listan är inte uppsatt för beslut."))
    if content_hash != plist.decision_hash or content_hash != _hash_of(plist):
        raise PriorityError(_("Listan har ändrats sedan den sattes upp för beslut."))
    plist.adopted_at = utcnow()
    _set_status(actor, plist, "adopted")


def back_to_draft(plist: PriorityList, *, actor=None) -> None:
    """Back to a draft that can be edited: the round was withdrawn or did not adopt the list.

    Actor None is the approval round; an actor must be allowed the move (the secretariat
    from "decision", writers from "ranking")."""
    if actor is not None and not can_change_status(_member(actor, plist.workspace), plist, "draft"):
        raise PermissionError("not allowed")
    if plist.status not in ("ranking", "decision"):
        raise PriorityError(_("Listan kan inte återgå till utkast."))
    plist.decision_hash = None
    plist.submitted_at = None
    _set_status(actor, plist, "draft")


def change_status(actor, plist: PriorityList, to_status: str) -> None:
    if to_status == "ranking":
        open_ranking(actor, plist)
    elif to_status in ("decision", "adopted"):
        # Only an approval round (workspace/decisions) puts a list up for decision and adopts it.
        if not is_secretariat(_member(actor, plist.workspace)):
            raise PermissionError("secretariat only")
        raise PriorityError(_("Listan sätts upp för beslut genom att du öppnar en beslutsomgång."))
    elif to_status == "draft":
        back_to_draft(plist, actor=actor)
    else:
        raise PriorityError(_("Okänd status."))


# --- follow-up -----------------------------------------------------------------------

def record_follow_up(actor, item: PriorityItem, period: str, status: str, comment: str = "") -> FollowUp:
    plist = item.priority_list
    m = _member(actor, plist.workspace)
    if not can_write_papers(m):
        raise PermissionError("writers only")
    if not can_follow_up(m, plist):
        raise PriorityError(_("Bara en fastställd lista följs upp."))
    if period not in PERIODS:
        raise PriorityError(_("Okänd period."))
    if status not in FOLLOW_UP_STATUSES:
        raise PriorityError(_("Välj en status."))
    follow_up = FollowUp(item_id=item.id, period=period, status=status,
                         comment=_clean_text(comment, MAX_COMMENT), user_id=actor.id)
    db.session.add(follow_up)
    db.session.flush()
    _event(actor, "priority-follow-up-recorded", follow_up, plist, item_id=item.id, title=item.title,
           letter=item.letter, period=period, state=status)
    return follow_up


def current_follow_ups(plist: PriorityList) -> dict[tuple[int, str], FollowUp]:
    ids = [i.id for i in plist.items]
    out: dict[tuple[int, str], FollowUp] = {}
    if ids:
        for f in db.session.scalars(select(FollowUp).where(FollowUp.item_id.in_(ids)).order_by(FollowUp.id)):
            out[(f.item_id, f.period)] = f
    return out


def follow_up_history(item: PriorityItem, period: str) -> list[FollowUp]:
    return list(db.session.scalars(select(FollowUp).where(FollowUp.item_id == item.id, FollowUp.period == period)
                                   .order_by(FollowUp.id.desc())))


# --- comparing two years -------------------------------------------------------------

@dataclass(frozen=True)
class Comparison:
    added: list          # items of b with no match in a
    removed: list        # items of a with no match in b
    moved: list          # (a_item, b_item, from_index, to_index)
    unchanged: list      # (a_item, b_item, index)


def _norm(title: str) -> str:
    return " ".join(title.casefold().split())


def compare_items(a_items: Sequence, b_items: Sequence) -> Comparison:
    """Match b's items to a's: by the carry-over link first, else by the same title.

    Items are anything with `id`, `title` and `origin_id`, in list order."""
    a_index = {it.id: i for i, it in enumerate(a_items)}
    matched_a: set[int] = set()
    pairs: dict[int, int] = {}  # b index → a index
    for bi, b in enumerate(b_items):
        ai = a_index.get(b.origin_id) if b.origin_id is not None else None
        if ai is not None and ai not in matched_a:
            pairs[bi] = ai
            matched_a.add(ai)
    for bi, b in enumerate(b_items):
        if bi in pairs:
            continue
        for ai, a in enumerate(a_items):
            if ai not in matched_a and _norm(a.title) == _norm(b.title):
                pairs[bi] = ai
                matched_a.add(ai)
                break
    added = [b for bi, b in enumerate(b_items) if bi not in pairs]
    removed = [a for ai, a in enumerate(a_items) if ai not in matched_a]
    moved, unchanged = [], []
    for bi in sorted(pairs):
        ai = pairs[bi]
        if ai == bi:
            unchanged.append((a_items[ai], b_items[bi], bi))
        else:
            moved.append((a_items[ai], b_items[bi], ai, bi))
    return Comparison(added=added, removed=removed, moved=moved, unchanged=unchanged)


def compare_lists(a: PriorityList, b: PriorityList) -> Comparison:
    return compare_items(a.ordered_items, b.ordered_items)


def linkable_papers(ws: Workspace) -> list[Paper]:
    return list(db.session.scalars(select(Paper).where(Paper.workspace_id == ws.id).order_by(Paper.title)))
