import click
from flask.cli import AppGroup

from workspace.db import db
from workspace.mail.services import deliver_pending
from workspace.notifications.services import send_digests

notifications_cli = AppGroup("notifications", help="Notifications: e-mail digests.")


@notifications_cli.command("digest")
def digest_command():
    """Send the daily digest to everyone who chose it (run once a day from cron)."""
    count = send_digests()
    db.session.commit()
    sent = deliver_pending()
    click.echo(f"{count} sammanfattningar köade, {sent} e-postmeddelanden skickade.")
