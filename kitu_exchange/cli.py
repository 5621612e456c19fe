"""Command line: `flask users …`, `flask content …`, `flask search …`,
`flask moderation purge`, `flask setup`."""
import secrets
import sys

import click
from flask import Flask, current_app, url_for
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import func, select

from .auth import services as accounts
from .content_folder import import_folder, export_folder
from .errors import DomainError
from .extensions import db
from .mail.links import external_url
from .mail.sender import where_mail_goes
from .models import Authority, AuthorityKind, Role, User
from .search.index import ensure_index

users = AppGroup("users", help="Manage accounts.")
content = AppGroup("content", help="Import and export content folders.")
moderation = AppGroup("moderation", help="Moderation upkeep.")


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def _echo_invitation(user: User) -> None:
    token = accounts.invitation_token(user)
    if link := external_url("auth.invitation", token=token):
        click.echo(f"Invitation link (valid 7 days, once): {link}")
        return
    with current_app.test_request_context():
        path = url_for("auth.invitation", token=token)
    click.echo(f"Invitation link (valid 7 days, once), after the site's address: {path}")
    click.echo("Set KITU_BASE_URL (e.g. https://exchange.kitu.example) to print the whole "
               "link.")


@users.command("create")
@click.argument("email")
@click.option("--name", required=True, help="Display name.")
@click.option("--authority", "authority_slug", required=True, help="Slug of the authority.")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.MEMBER.value,
              show_default=True)
@click.option("--password-stdin", is_flag=True,
              help="Read the password from standard input instead of printing an invitation.")
def create_user_command(email, name, authority_slug, role, password_stdin):
    """Create an account and print its one-time invitation link."""
    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if len(password) < 12:
            _fail("the password must have at least 12 characters")
    try:
        user = accounts.create_user(email, name, authority_slug, role, password)
    except DomainError as error:
        _fail(error.message)
    click.echo(f"Created {role} account {user.email} ({user.authority.slug}).")
    if not password_stdin:
        _echo_invitation(user)


@content.command("import")
@click.argument("folder", type=click.Path(file_okay=False))
def import_command(folder):
    """Import a content folder (idempotent); bad files are reported and skipped."""
    ensure_index()
    report = import_folder(folder)
    for path, reason in report.errors:
        click.echo(f"{path}: {reason}", err=True)
    click.echo(f"Imported {folder}: {report.created} created, {report.updated} updated, "
               f"{report.unchanged} unchanged, {len(report.errors)} errors.")
    if report.errors:
        sys.exit(1)


@content.command("export")
@click.argument("folder", type=click.Path(file_okay=False))
def export_command(folder):
    """Write the database as a content folder."""
    click.echo(f"Wrote {export_folder(folder)} files to {folder}.")


@moderation.command("purge")
@click.option("--days", type=click.IntRange(min=1), default=None,
              help="Purge what was deleted more than this many days ago "
                   "(default: the restore period, 30).")
def purge_command(days):
    """Remove deleted questions for good once they can no longer be restored (daily)."""
    from .moderation.services import RESTORE_DAYS, purge_deleted

    days = days or RESTORE_DAYS
    click.echo(f"Purged {purge_deleted(days)} questions deleted more than {days} days ago.")


@click.command("setup")
@with_appcontext
@click.option("--content", "content_folder", default="content", show_default=True,
              type=click.Path(file_okay=False), help="Starter content for an empty database.")
@click.option("--admin-email", default="admin@kitu.example", show_default=True)
def setup_command(content_folder, admin_email):
    """First start: import starter content into an empty database and create the first
    administrator with a random password, printed once."""
    ensure_index()
    click.echo(where_mail_goes())
    if db.session.scalar(select(func.count(Authority.id))) == 0:
        report = import_folder(content_folder)
        click.echo(f"Imported starter content: {report.created} records, "
                   f"{len(report.errors)} errors.")
        for path, reason in report.errors:
            click.echo(f"  {path}: {reason}", err=True)
    if db.session.scalar(select(User.id).filter_by(role=Role.ADMIN)) is not None:
        click.echo("An administrator exists already; nothing else to do.")
        return
    office = db.session.scalar(select(Authority).filter_by(slug="kitu"))
    if office is None:
        db.session.add(Authority(slug="kitu", name="Kommunale IT-UNION (Geschäftsstelle)",
                                 kind=AuthorityKind.SONSTIGE, is_member=False))
        db.session.commit()
    password = secrets.token_urlsafe(15)
    accounts.create_user(admin_email, "Administration", "kitu", Role.ADMIN, password)
    click.echo("=" * 64)
    click.echo("First administrator created. This password is shown only once:")
    click.echo(f"  E-Mail:   {admin_email}")
    click.echo(f"  Passwort: {password}")
    click.echo("=" * 64)


def register(app: Flask) -> None:
    from .mail.cli import mail as mail_group
    from .search.cli import search as search_group

    app.cli.add_command(users)
    app.cli.add_command(content)
    app.cli.add_command(moderation)
    app.cli.add_command(search_group)
    app.cli.add_command(mail_group)
    app.cli.add_command(setup_command)
