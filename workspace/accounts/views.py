from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from workspace.accounts import services
from workspace.accounts.forms import (
    AcceptInvitationForm,
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    ResetPasswordForm,
)
from workspace.extensions import limiter
from workspace.web.htmx import redirect_to
from workspace.web.rendering import commit, render, render_invalid

bp = Blueprint("accounts", __name__)


def safe_next(target: str | None, default: str) -> str:
    """Only local paths: never send a user to another site after logging in."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _sign_in(user) -> None:
    """A fresh session at login: a new session id, nothing from before carries over."""
    locale = user.locale
    session.clear()
    session["sid"] = services.start_session(user, request.headers.get("User-Agent", ""))
    login_user(user)
    session["locale"] = locale


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect_to(url_for("workspaces.index"))
    form = LoginForm(next=request.args.get("next", ""))
    if request.method == "POST":
        if not form.validate():
            return render_invalid("accounts/login.html", form=form)
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            commit()
            # The same words whether the address exists or not.
            form.password.errors = [_("Fel e-postadress eller lösenord.")]
            return render_invalid("accounts/login.html", form=form)
        _sign_in(user)
        commit()
        return redirect_to(safe_next(form.next.data, url_for("workspaces.index")))
    return render("accounts/login.html", form=form)


@bp.post("/logout")
def logout():
    services.end_session(session.get("sid"))
    commit()
    logout_user()
    session.clear()
    flash(_("Du är utloggad."), "info")
    return redirect_to(url_for("accounts.login"))


@bp.post("/language")
def set_language():
    locale = request.form.get("locale", "")
    if locale not in current_app.config["LANGUAGES"]:
        abort(422)
    session["locale"] = locale
    if current_user.is_authenticated:
        services.set_locale(current_user, locale)
        commit()
    return redirect_to(safe_next(request.form.get("next"), url_for("workspaces.index")))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = ChangePasswordForm()
    if request.method == "POST":
        if not form.validate():
            return render_invalid("accounts/account.html", form=form)
        try:
            services.change_password(current_user, form.current.data, form.password.data)
        except services.AccountError as e:
            form.current.errors = [str(e)]
            return render_invalid("accounts/account.html", form=form)
        _sign_in(current_user._get_current_object())  # every session ended with the password change
        commit()
        flash(_("Ditt lösenord är bytt. Andra inloggningar har avslutats."), "success")
        return redirect_to(url_for("accounts.account"))
    return render("accounts/account.html", form=form)


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if request.method == "POST":
        if not form.validate():
            return render_invalid("accounts/forgot.html", form=form)
        services.request_password_reset(form.email.data)
        commit()
        return render("accounts/forgot.html", form=None, sent_to=form.email.data)
    return render("accounts/forgot.html", form=form)


def _token_page(token: str, purpose: str, template: str, form_cls):
    row = services.find_valid_token(token, purpose)
    if row is None:
        return render("accounts/link_invalid.html", status=404, purpose=purpose)
    form = form_cls()
    if purpose == "invite" and request.method == "GET" and row.user.name:
        form.name.data = row.user.name
    if request.method == "POST":
        if not form.validate():
            return render_invalid(template, form=form, row=row)
        name = form.name.data.strip() if purpose == "invite" else None
        user = services.use_token_to_set_password(row, form.password.data, name=name)
        _sign_in(user)
        commit()
        if purpose == "invite" and row.workspace is not None:
            flash(_("Välkommen till %(ws)s!", ws=row.workspace.name), "success")
            return redirect_to(url_for("workspaces.detail", slug=row.workspace.slug))
        flash(_("Ditt lösenord är sparat och du är inloggad."), "success")
        return redirect_to(url_for("workspaces.index"))
    return render(template, form=form, row=row)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def reset_password(token: str):
    return _token_page(token, "reset", "accounts/reset.html", ResetPasswordForm)


@bp.route("/invite/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def accept_invitation(token: str):
    return _token_page(token, "invite", "accounts/invite.html", AcceptInvitationForm)
