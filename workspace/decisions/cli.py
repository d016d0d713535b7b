"""`flask decisions close-due`: close rounds whose deadline has passed (run from cron).

The live hub does the same every few seconds in every web process; both are safe to run
at once because each round is closed under a row lock, once."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from workspace.db import db
from workspace.decisions.services import close_due_rounds

decisions_cli = AppGroup("decisions", help="Approval rounds.")


@decisions_cli.command("close-due")
def close_due_command():
    """Close every open round whose deadline has passed; prints what was closed."""
    closed = close_due_rounds()
    summary = [(r.id, r.outcome) for r in closed]
    db.session.commit()
    for rid, outcome in summary:
        click.echo(f"round {rid}: {outcome}")
    click.echo(f"{len(summary)} closed")
