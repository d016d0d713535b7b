"""Samverkan: a workspace for cooperation bodies' position papers."""
from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask, request, session

from workspace.config import ROOT, load_config


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=(config or {}).get("INSTANCE_PATH")
        or os.environ.get("SAMVERKAN_INSTANCE", str(ROOT / "instance")),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.update(load_config(app.instance_path, config))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("samverkan").setLevel(logging.INFO)

    from workspace import models  # noqa: F401  (registers every table)
    from workspace.db import install_read_commits, install_sqlite_locking
    from workspace.extensions import babel, csrf, db, limiter, login_manager, migrate
    from workspace.web.htmx import htmx_ext

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    htmx_ext.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    _init_login(app, login_manager)
    with app.app_context():
        install_sqlite_locking(db.engine)
        install_read_commits(app, db.engine)

    from workspace.web import context, errors, kept, security, site_header, templating

    errors.init_app(app)
    security.init_app(app)
    context.init_app(app)
    templating.init_app(app)
    kept.init_app(app)
    site_header.init_app(app)

    from workspace.live import context as live_context

    live_context.init_app(app)

    from workspace.papers import context as papers_context

    papers_context.init_app(app)

    from workspace.decisions import context as decisions_context

    decisions_context.init_app(app)
    from workspace.comments import context as comments_context
    from workspace.notifications import context as notifications_context

    comments_context.init_app(app)
    notifications_context.init_app(app)

    from workspace.accounts.views import bp as accounts_bp
    from workspace.web.views import bp as web_bp
    from workspace.live.views import bp as live_bp
    from workspace.papers.views import bp as papers_bp
    from workspace.priorities.views import bp as priorities_bp
    from workspace.search.views import bp as search_bp
    from workspace.workspaces.views import bp as workspaces_bp
    from workspace.export.views import bp as export_bp

    app.register_blueprint(web_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(workspaces_bp)
    app.register_blueprint(live_bp)
    app.register_blueprint(papers_bp)
    app.register_blueprint(search_bp)
    from workspace.accessibility.views import bp as accessibility_bp

    app.register_blueprint(accessibility_bp)
    from workspace.decisions.views import bp as decisions_bp

    app.register_blueprint(decisions_bp)
    from workspace.comments.views import bp as comments_bp
    from workspace.notifications.views import bp as notifications_bp

    app.register_blueprint(comments_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(priorities_bp)
    app.register_blueprint(export_bp)

    from workspace.demo.cli import demo_command
    from workspace.mail.cli import mail_cli

    app.cli.add_command(demo_command)
    app.cli.add_command(mail_cli)
    from workspace.papers.cli import papers_cli

    app.cli.add_command(papers_cli)
    from workspace.search.cli import search_cli

    app.cli.add_command(search_cli)
    from workspace.backup.cli import backup_command, restore_command

    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    from workspace.decisions.cli import decisions_cli

    app.cli.add_command(decisions_cli)
    from workspace.notifications.cli import notifications_cli

    app.cli.add_command(notifications_cli)
    return app


def _select_locale():
    from flask import current_app
    from flask_login import current_user

    from flask import has_request_context

    langs = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and background threads
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in langs:
        return current_user.locale
    if session.get("locale") in langs:
        return session["locale"]
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _init_login(app: Flask, login_manager) -> None:
    from flask_babel import lazy_gettext as _l

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Logga in för att fortsätta.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(session_id: str):
        try:
            user_id, version = (int(p) for p in session_id.split("."))
        except ValueError:
            return None
        from workspace.accounts.services import session_user
        from workspace.web.context import session_user_and_layout
        from workspace.web.htmx import is_htmx

        if request.method == "GET" and not is_htmx():  # a whole page: its layout in the same query
            return session_user_and_layout(user_id, version, session.get("sid"))
        return session_user(user_id, version, session.get("sid"))

    @login_manager.unauthorized_handler
    def unauthorized():
        from flask import flash, url_for

        from workspace.web.htmx import is_htmx, redirect_to

        flash(login_manager.login_message, "info")
        target = request.full_path if request.method == "GET" and not is_htmx() else None
        if target and target.endswith("?"):
            target = target[:-1]
        return redirect_to(url_for("accounts.login", next=target) if target else url_for("accounts.login"))
