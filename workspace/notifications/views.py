"""The bell, the list of notifications, and the e-mail choices."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from workspace.db import db
from workspace.notifications import services
from workspace.notifications.models import NOTIFICATION_KINDS
from workspace.web.htmx import is_fragment_request
from workspace.web.rendering import commit, render

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.before_request
@login_required
def _login_first():
    pass


def _list(code=200, **extra):
    unread_only = request.values.get("unread") == "1"
    ctx = dict(items=services.notifications_of(current_user, unread_only=unread_only), unread_only=unread_only,
               path=services.notification_path, text=services.notification_text, kinds=services.KIND_BADGES)
    ctx.update(extra)
    return render("notifications/index.html", block="list", status=code, **ctx)


@bp.get("")
def index():
    return _list()


@bp.get("/bell")
def bell():
    return render("notifications/_bell.html")


def _after_write(message: str):
    if not is_fragment_request():
        flash(message, "success")
        return redirect(url_for("notifications.index"), code=303)
    return _list(announcement=message, oob_bell=True)


@bp.post("/<int:notification_id>/read")
def mark_read(notification_id: int):
    n = services.load_notification(current_user, notification_id)
    if n is None:
        abort(404)
    services.mark_read(current_user, n)
    commit()
    return _after_write(_("Markerad som läst."))


@bp.post("/read")
def mark_all_read():
    services.mark_all_read(current_user)
    commit()
    return _after_write(_("Alla aviseringar är markerade som lästa."))


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    modes = services.preferences_of(current_user)
    error = None
    if request.method == "POST":
        wanted = {k: request.form.get(f"mode-{k}", "") for k in NOTIFICATION_KINDS}
        try:
            services.set_preferences(current_user, wanted)
        except services.NotificationError as e:
            db.session.rollback()
            error = str(e)
            modes.update({k: v for k, v in wanted.items()})
        else:
            commit()
            flash(_("Dina val för e-post är sparade."), "success")
            return redirect(url_for("notifications.settings"), code=303)
    return render("notifications/settings.html", status=422 if error else 200, modes=modes, error=error,
                  kinds=services.KIND_LABELS, mode_labels=services.MODE_LABELS)
