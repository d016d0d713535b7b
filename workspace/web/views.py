from flask import Blueprint, url_for
from flask_login import current_user

from workspace.db import db
from workspace.web.htmx import redirect_to

bp = Blueprint("web", __name__)


@bp.get("/")
def home():
    if current_user.is_authenticated:
        return redirect_to(url_for("workspaces.index"))
    return redirect_to(url_for("accounts.login"))


@bp.get("/healthz")
def healthz():
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok"}
