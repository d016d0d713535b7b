import click
from flask.cli import with_appcontext

from workspace.backup.services import BackupError, backup, restore


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def backup_command(path: str):
    """Write a consistent online backup of the database to PATH (the app may keep running)."""
    try:
        target = backup(path)
    except BackupError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"Säkerhetskopia sparad: {target} ({target.stat().st_size} byte)")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(path: str, yes: bool):
    """Replace the database with the backup in PATH (stop the app first), then rebuild search."""
    if not yes:
        click.confirm("Allt i databasen ersätts med säkerhetskopian. Fortsätta?", abort=True)
    try:
        restore(path)
    except BackupError as e:
        raise click.ClickException(str(e)) from None
    from workspace.search.indexer import rebuild

    count = rebuild()
    click.echo(f"Återställd från {path}; sökindexet är återuppbyggt ({count} dokument).")
