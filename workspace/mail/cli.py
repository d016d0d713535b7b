import click
from flask.cli import AppGroup

from workspace.mail.services import deliver_pending

mail_cli = AppGroup("mail", help="The e-mail outbox.")


@mail_cli.command("send")
def send_command():
    """Send waiting e-mail (run from cron, e.g. every minute)."""
    click.echo(f"{deliver_pending(limit=500)} skickade")
