"""`flask mail send` and `flask mail digest --period daily|weekly`."""
import click
from flask.cli import AppGroup

from .digest import build_digests
from .sender import send_due, where_mail_goes

mail = AppGroup("mail", help="Deliver the mail outbox; build digests.")


def _send(limit: int | None = None) -> None:
    click.echo(where_mail_goes())
    report = send_due(limit)
    click.echo(f"Sent {report.sent}, retrying later {report.retrying}, "
               f"given up {report.failed}.")


@mail.command("send")
@click.option("--limit", type=click.IntRange(min=1), help="Send at most this many.")
def send_command(limit):
    """Deliver the due mails of the outbox (retries included). Run it every minute."""
    _send(limit)


@mail.command("digest")
@click.option("--period", type=click.Choice(["daily", "weekly"]), required=True)
def digest_command(period):
    """Queue one digest per person who chose this period (once per period, however
    often it runs), then deliver like `flask mail send`."""
    added = build_digests(period)
    click.echo(f"Queued {added} {period} digest mail(s).")
    _send()
