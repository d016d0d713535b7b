"""The accessibility statement (tillgänglighetsredogörelse) and the form to report a problem."""
from __future__ import annotations

from flask import Blueprint, current_app, request
from flask_login import current_user

from workspace.accessibility.forms import ReportForm
from workspace.accessibility.services import report_problem
from workspace.extensions import limiter
from workspace.web.rendering import commit, render, render_invalid

bp = Blueprint("accessibility", __name__)


def _report_limit() -> str:
    return current_app.config["REPORT_RATE_LIMIT"]


@bp.route("/tillganglighet", methods=["GET", "POST"])
@limiter.limit(_report_limit, methods=["POST"])
def statement():
    form = ReportForm()
    if request.method == "GET":
        form.page_url.data = request.args.get("sida", "")[:500]
        if current_user.is_authenticated:
            form.name.data, form.email.data = current_user.name, current_user.email
        return render("accessibility/statement.html", block="report", form=form, sent=None)
    if not form.validate():
        return render_invalid("accessibility/statement.html", block="report", form=form, sent=None)
    actor = current_user if current_user.is_authenticated else None
    report = report_problem(actor, description=form.description.data, page_url=form.page_url.data or "",
                            name=form.name.data or "", email=form.email.data or "")
    commit()
    return render("accessibility/statement.html", block="report", form=ReportForm(formdata=None), sent=report.id)
