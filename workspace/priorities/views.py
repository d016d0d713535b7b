"""Priority list pages: the years, one year's list with ranking, follow-up, comparing years."""
from __future__ import annotations

from flask import Blueprint, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from workspace.priorities import search as _search  # noqa: F401  (registers its search documents)
from workspace.db import db
from workspace.decisions.services import latest_round
from workspace.priorities.decision import SUBJECT
from workspace.live.hub import newest_event_id
from workspace.priorities import services
from workspace.priorities.forms import ItemForm, ListForm
from workspace.priorities.models import FOLLOW_UP_STATUSES, PERIODS, letter_for
from workspace.priorities.permissions import (
    allowed_transitions,
    can_put_up_for_decision,
    can_create_list,
    can_edit_list,
    can_follow_up,
    can_rank,
    can_set_final_order,
    is_secretariat,
    load_item,
    load_list,
)
from workspace.web.htmx import redirect_to
from workspace.web.rendering import commit, render, render_invalid
from workspace.workspaces.permissions import can_decide, can_write_papers, load_workspace, require

bp = Blueprint("priorities", __name__, url_prefix="/w/<slug>/priorities")

LABELS = dict(STATUS_LABELS=services.STATUS_LABELS, TRANSITION_LABELS=services.TRANSITION_LABELS,
              PERIOD_LABELS=services.PERIOD_LABELS, FOLLOW_UP_LABELS=services.FOLLOW_UP_LABELS,
              PERIODS=PERIODS, FOLLOW_UP_STATUSES=FOLLOW_UP_STATUSES, letter_for=letter_for)


@bp.before_request
@login_required
def _login_first():
    pass


def _live(ws) -> str:
    return url_for("live.stream", slug=ws.slug, after=newest_event_id())


def _ids(name: str) -> list[int] | None:
    raw = request.form.getlist(name)
    if not all(r.isdigit() and len(r) < 12 for r in raw):
        return None
    return [int(r) for r in raw]


# --- the years -----------------------------------------------------------------------

def _index(ws, me, form, status=200, error=None):
    return render("priorities/index.html", status=status, ws=ws, me=me, lists=services.lists_of(ws),
                  form=form, error=error, can_create=can_create_list(me), live_url=_live(ws), **LABELS)


@bp.get("")
def index(slug: str):
    ws, me = load_workspace(slug, current_user)
    lists = services.lists_of(ws)
    form = ListForm(formdata=None)
    form.fill_choices(lists)
    if lists:
        form.year.data = str(lists[0].year + 1)
        form.source.data = lists[0].year
    return _index(ws, me, form)


@bp.post("")
def create(slug: str):
    ws, me = load_workspace(slug, current_user)
    require(can_create_list(me))
    form = ListForm()
    form.fill_choices(services.lists_of(ws))
    if not form.validate():
        return _index(ws, me, form, 422)
    raw = (form.year.data or "").strip()
    year = int(raw) if raw.isdigit() and len(raw) <= 4 else None
    try:
        if form.source.data:
            source = services.list_for_year(ws, form.source.data)
            if source is None:
                raise services.PriorityError(_("Det finns ingen lista för det året att utgå från."))
            plist = services.carry_over(current_user, source, year)
        else:
            plist = services.create_list(current_user, ws, year)
    except services.PriorityError as e:
        db.session.rollback()
        form.year.errors = [str(e)]
        return _index(ws, me, form, 422)
    commit()
    flash(_("Prioriteringslistan för %(year)d är skapad.", year=plist.year), "success")
    return redirect_to(url_for("priorities.detail", slug=ws.slug, year=plist.year))


# --- one year's list -----------------------------------------------------------------

def _context(ws, me, plist, **extra):
    ctx = dict(ws=ws, me=me, plist=plist, items=plist.ordered_items, can_edit=can_edit_list(me, plist),
               can_rank=can_rank(me, plist), can_set_order=can_set_final_order(me, plist),
               transitions=allowed_transitions(me, plist), live_url=_live(ws),
               can_put_up=can_put_up_for_decision(me, plist),
               list_round=latest_round(SUBJECT, plist.id),
               aggregate=services.aggregate(plist), item_form=None, **LABELS)
    if ctx["item_form"] is None:
        ctx["item_form"] = ItemForm(formdata=None)
        ctx["item_form"].fill_choices(ws.member_organizations)
    if can_decide(me):
        org_id = current_user.organization_id
        ctx["my_order"] = services.ranking_order(plist, org_id)
        ctx["my_ranked"] = services.has_ranked(plist, org_id)
    ctx["papers"] = services.linkable_papers(ws) if ctx["can_edit"] else []
    ctx.update(extra)
    return ctx


PARTS = ("header", "items", "my_ranking", "aggregate")


@bp.get("/<int:year>")
def detail(slug: str, year: int):
    ws, me = load_workspace(slug, current_user)
    plist = load_list(ws, year)
    part = request.args.get("part")
    return render("priorities/detail.html", block=part if part in PARTS else None, **_context(ws, me, plist))


def _writer_list(slug, year):
    ws, me = load_workspace(slug, current_user)
    plist = load_list(ws, year)
    require(can_write_papers(me))
    return ws, me, plist


def _items_response(ws, me, plist, status=200, **extra):
    return render("priorities/detail.html", block="items", status=status, **_context(ws, me, plist, **extra))


def _item_fields(form: ItemForm) -> dict:
    return dict(title=form.title.data, description=form.description.data,
                responsible_organization_id=form.responsible_organization_id.data,
                paper_ids=_ids("paper") or [])


@bp.post("/<int:year>/items")
def add_item(slug: str, year: int):
    ws, me, plist = _writer_list(slug, year)
    form = ItemForm()
    form.fill_choices(ws.member_organizations)
    if _ids("paper") is None:
        form.title.errors = [_("Okänt positionspapper.")]
        return _items_response(ws, me, plist, 422, item_form=form)
    if not form.validate():
        return _items_response(ws, me, plist, 422, item_form=form)
    try:
        item = services.add_item(current_user, plist, **_item_fields(form))
    except services.PriorityError as e:
        db.session.rollback()
        form.title.errors = [str(e)]
        return _items_response(ws, me, plist, 422, item_form=form)
    commit()
    db.session.refresh(plist)
    return _items_response(ws, me, plist, announcement=_("”%(t)s” är tillagd som prioritering %(l)s.",
                                                         t=item.title, l=item.letter))


@bp.route("/<int:year>/items/<int:item_id>/edit", methods=["GET", "POST"])
def edit_item(slug: str, year: int, item_id: int):
    ws, me, plist = _writer_list(slug, year)
    item = load_item(plist, item_id)
    form = ItemForm(obj=item if request.method == "GET" else None)
    form.fill_choices(ws.member_organizations)
    linked = {p.id for p in item.papers}
    error, status = None, 200
    if request.method == "POST":
        status = 422
        linked = set(_ids("paper") or [])
        if _ids("paper") is None:
            error = _("Okänt positionspapper.")
        elif form.validate():
            try:
                services.update_item(current_user, item, **_item_fields(form))
            except services.PriorityError as e:
                db.session.rollback()
                error = str(e)
            else:
                commit()
                flash(_("Prioritering %(l)s är ändrad.", l=item.letter), "success")
                return redirect_to(url_for("priorities.detail", slug=ws.slug, year=plist.year) + f"#item-{item.id}")
    return render("priorities/edit_item.html", status=status, ws=ws, me=me, plist=plist, item=item, form=form,
                  error=error, linked=linked, can_edit=can_edit_list(me, plist),
                  papers=services.linkable_papers(ws), **LABELS)


@bp.post("/<int:year>/items/<int:item_id>/remove")
def remove_item(slug: str, year: int, item_id: int):
    ws, me, plist = _writer_list(slug, year)
    item = load_item(plist, item_id)
    title = item.title
    try:
        services.remove_item(current_user, item)
    except services.PriorityError as e:
        db.session.rollback()
        return _items_response(ws, me, plist, 422, order_error=str(e))
    commit()
    db.session.refresh(plist)
    return _items_response(ws, me, plist, announcement=_("”%(t)s” är borttagen.", t=title))


@bp.post("/<int:year>/items/<int:item_id>/move")
def move_item(slug: str, year: int, item_id: int):
    ws, me, plist = _writer_list(slug, year)
    item = load_item(plist, item_id)
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        return _items_response(ws, me, plist, 422, order_error=_("Okänd riktning."))
    index = plist.ordered_items.index(item) + (-1 if direction == "up" else 1)
    try:
        services.move_item(current_user, item, index)
    except services.PriorityError as e:
        db.session.rollback()
        return _items_response(ws, me, plist, 422, order_error=str(e))
    commit()
    db.session.refresh(plist)
    return _items_response(ws, me, plist, moved=item.id, moved_dir=direction,
                           announcement=_("”%(t)s” är nu prioritering %(l)s (%(n)d av %(total)d).", t=item.title,
                                          l=item.letter, n=plist.ordered_items.index(item) + 1,
                                          total=len(plist.items)))


@bp.post("/<int:year>/order")
def reorder(slug: str, year: int):
    ws, me, plist = _writer_list(slug, year)
    ids = _ids("item")
    if not ids:
        return _items_response(ws, me, plist, 422, order_error=_("Ogiltig ordning."))
    try:
        services.reorder_items(current_user, plist, ids)
    except services.PriorityError as e:
        db.session.rollback()
        return _items_response(ws, me, plist, 422, order_error=str(e))
    commit()
    db.session.refresh(plist)
    return _items_response(ws, me, plist, announcement=_("Ordningen är sparad."))


@bp.post("/<int:year>/status")
def change_status(slug: str, year: int):
    ws, me, plist = _writer_list(slug, year)
    to = request.form.get("status", "")
    try:
        services.change_status(current_user, plist, to)
    except PermissionError:
        abort(403)
    except services.PriorityError as e:
        db.session.rollback()
        return render_invalid("priorities/detail.html", block="header", **_context(ws, me, plist, status_error=str(e)))
    commit()
    flash(_("Status är ändrad till %(s)s.", s=services.STATUS_LABELS[plist.status]), "success")
    return redirect_to(url_for("priorities.detail", slug=ws.slug, year=plist.year))


@bp.post("/<int:year>/apply-ranking")
def apply_ranking(slug: str, year: int):
    ws, me = load_workspace(slug, current_user)
    plist = load_list(ws, year)
    require(is_secretariat(me))
    try:
        services.apply_aggregate_order(current_user, plist)
    except services.PriorityError as e:
        db.session.rollback()
        return _items_response(ws, me, plist, 422, order_error=str(e))
    commit()
    db.session.refresh(plist)
    return _items_response(ws, me, plist, announcement=_("Listan har nu den sammanvägda rangordningens ordning."))


# --- ranking by politicians ----------------------------------------------------------

def _politician_list(slug, year):
    ws, me = load_workspace(slug, current_user)
    plist = load_list(ws, year)
    require(can_decide(me))
    return ws, me, plist


def _ranking_response(ws, me, plist, status=200, **extra):
    return render("priorities/detail.html", block="my_ranking", status=status, **_context(ws, me, plist, **extra))


@bp.post("/<int:year>/ranking")
def save_ranking(slug: str, year: int):
    ws, me, plist = _politician_list(slug, year)
    ids = _ids("item")
    if not ids:
        return _ranking_response(ws, me, plist, 422, rank_error=_("Ogiltig ordning."))
    try:
        services.save_ranking(current_user, plist, ids)
    except services.PriorityError as e:
        db.session.rollback()
        return _ranking_response(ws, me, plist, 422, rank_error=str(e))
    commit()
    return _ranking_response(ws, me, plist, rank_announcement=_("Er rangordning är sparad."))


@bp.post("/<int:year>/ranking/<int:item_id>/move")
def move_in_ranking(slug: str, year: int, item_id: int):
    ws, me, plist = _politician_list(slug, year)
    item = load_item(plist, item_id)
    direction = request.form.get("direction")
    try:
        services.move_in_ranking(current_user, plist, item, direction)
    except services.PriorityError as e:
        db.session.rollback()
        return _ranking_response(ws, me, plist, 422, rank_error=str(e))
    commit()
    order = services.ranking_order(plist, current_user.organization_id)
    return _ranking_response(ws, me, plist, rank_moved=item.id, rank_moved_dir=direction,
                             rank_announcement=_("%(l)s ”%(t)s” är nu plats %(n)d av %(total)d i er rangordning.",
                                                 l=item.letter, t=item.title, n=order.index(item) + 1,
                                                 total=len(order)))


# --- follow-up -----------------------------------------------------------------------

def _follow_up_context(ws, me, plist, **extra):
    ctx = dict(ws=ws, me=me, plist=plist, items=plist.ordered_items, current=services.current_follow_ups(plist),
               can_follow_up=can_follow_up(me, plist), history=services.follow_up_history,
               live_url=_live(ws), **LABELS)
    ctx.update(extra)
    return ctx


@bp.get("/<int:year>/follow-up")
def follow_up(slug: str, year: int):
    ws, me = load_workspace(slug, current_user)
    plist = load_list(ws, year)
    return render("priorities/follow_up.html", block="table" if request.args.get("part") == "table" else None,
                  **_follow_up_context(ws, me, plist))


@bp.post("/<int:year>/items/<int:item_id>/follow-up")
def record_follow_up(slug: str, year: int, item_id: int):
    ws, me, plist = _writer_list(slug, year)
    item = load_item(plist, item_id)
    period = request.form.get("period", "")
    if period not in PERIODS:
        abort(422)
    state = request.form.get("status", "")
    comment = request.form.get("comment", "")
    try:
        services.record_follow_up(current_user, item, period, state, comment)
    except services.PriorityError as e:
        db.session.rollback()
        return render("priorities/_follow_up_cell.html", status=422,
                      **_follow_up_context(ws, me, plist, item=item, period=period, error=str(e),
                                           draft={"status": state, "comment": comment}))
    commit()
    return render("priorities/_follow_up_cell.html",
                  **_follow_up_context(ws, me, plist, item=item, period=period, saved=True))


# --- comparing two years -------------------------------------------------------------

@bp.get("/compare")
def compare(slug: str):
    ws, me = load_workspace(slug, current_user)
    lists = services.lists_of(ws)
    by_year = {pl.year: pl for pl in lists}

    def pick(name, default):
        raw = request.args.get(name, "")
        if raw == "":
            return default
        if not raw.isdigit() or int(raw) not in by_year:
            abort(404)
        return by_year[int(raw)]

    a = pick("a", lists[1] if len(lists) > 1 else None)
    b = pick("b", lists[0] if lists else None)
    comparison = services.compare_lists(a, b) if a is not None and b is not None else None
    return render("priorities/compare.html", block="result", ws=ws, me=me, lists=lists, a=a, b=b,
                  comparison=comparison, **LABELS)
