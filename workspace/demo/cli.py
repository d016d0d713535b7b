import click
from flask.cli import with_appcontext

from workspace.db import db
from workspace.demo.services import database_is_empty, load_demo


@click.command("demo")
@click.option("--password", required=True, help="Password for every demo person (reset each run).")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has workspaces.")
@with_appcontext
def demo_command(password: str, if_empty: bool):
    """Load the demo cooperation bodies, members and people (idempotent)."""
    if if_empty and not database_is_empty():
        click.echo("Databasen har redan data; demon lämnas orörd.")
        return
    if len(password) < 8:
        raise click.BadParameter("minst 8 tecken", param_hint="--password")
    counts = load_demo(password)
    db.session.commit()
    click.echo(f"Demo laddad: {counts['workspaces']} nya samverkansorgan, {counts['people']} nya personer, "
               f"{counts['papers']} nya papper.")
