import click
from flask.cli import AppGroup

from workspace.search.indexer import follow, rebuild, status, sync_index

search_cli = AppGroup("search", help="The full-text search index (derived; rebuildable).")


@search_cli.command("rebuild")
def rebuild_command():
    """Rebuild the index from the database."""
    click.echo(f"{rebuild()} dokument indexerade")


@search_cli.command("sync")
def sync_command():
    """Apply the events the index has not seen yet."""
    click.echo(f"{sync_index()} händelser tillämpade")


@search_cli.command("follow")
@click.option("--interval", default=0.5, show_default=True, help="Seconds between looks at the event log.")
def follow_command(interval: float):
    """Keep the index up to date with the event log until stopped, or until the process that
    started it (gunicorn's master) is gone. gunicorn.conf.py starts it."""
    import os
    import signal
    import threading

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    parent = os.getppid()

    def watch_parent() -> None:
        while not stop.wait(1):
            if os.getppid() != parent:  # the master was killed: do not outlive it
                stop.set()

    threading.Thread(target=watch_parent, name="parent-watch", daemon=True).start()
    follow(stop, interval)


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
