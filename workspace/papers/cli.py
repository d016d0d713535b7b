"""`flask papers import FILE... --workspace SLUG --as EMAIL` for bulk migration."""
from __future__ import annotations

import sys

import click
from flask import current_app, url_for
from flask.cli import AppGroup
from sqlalchemy import select

from workspace.accounts.services import find_user_by_email
from workspace.db import db
from workspace.papers.importer import DocxImportError, import_paper, parse_docx
from workspace.papers.services import PaperError
from workspace.workspaces.models import Workspace

papers_cli = AppGroup("papers", help="Position papers.")


@papers_cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--workspace", "slug", required=True, help="The workspace's short name, e.g. sydsverige.")
@click.option("--as", "email", required=True, help="E-mail of the official the papers are created as.")
def import_command(files, slug, email):
    """Create one paper per Word file; prints each new paper's address."""
    ws = db.session.scalar(select(Workspace).where(Workspace.slug == slug))
    if ws is None:
        raise click.BadParameter(f"okänt samverkansorgan: {slug}", param_hint="--workspace")
    user = find_user_by_email(email)
    if user is None:
        raise click.BadParameter(f"okänd person: {email}", param_hint="--as")
    failed = 0
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    for path in files:
        try:
            with open(path, "rb") as fh:
                preview = parse_docx(fh, path)
            paper = import_paper(user, ws, preview)
            db.session.commit()
        except (DocxImportError, PaperError) as e:
            db.session.rollback()
            failed += 1
            click.echo(f"{path}: {e}", err=True)
            continue
        except PermissionError:
            db.session.rollback()
            raise click.ClickException(f"{email} får inte skriva papper i {slug}")
        with current_app.test_request_context():
            click.echo(base + url_for("papers.detail", slug=ws.slug, paper_id=paper.id))
    if failed:
        sys.exit(1)
