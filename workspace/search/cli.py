import click
from flask.cli import AppGroup

from workspace.search.indexer import rebuild, status, sync_index

search_cli = AppGroup("search", help="The full-text search index (derived; rebuildable).")


@search_cli.command("rebuild")
def rebuild_command():
    """Rebuild the index from the database."""
    click.echo(f"{rebuild()} dokument indexerade")


@search_cli.command("sync")
def sync_command():
    """Apply the events the index has not seen yet."""
    click.echo(f"{sync_index()} händelser tillämpade")


@search_cli.command("status")
def status_command():
    """How far behind the event log the index is."""
    st = status()
    click.echo(f"index: {st.path}")
    click.echo(f"dokument: {st.documents}")
    click.echo(f"senast tillämpad händelse {st.applied} av {st.newest} ({st.behind} efter)")
    if st.pending_gaps:
        click.echo(f"väntar på {st.pending_gaps} händelser som ännu inte syns (pågående transaktioner)")
    if st.needs_rebuild:
        click.echo(f"schemaversion {st.schema_version}, aktuell {st.schema_version_wanted}: byggs om vid nästa sökning "
                   "eller med `flask search rebuild`")
