"""`atalaya user add|passwd|list|token`: accounts of the web interface."""

from __future__ import annotations

import getpass
import json
import sys

import click
from sqlalchemy.orm import Session

from atalaya.jobs.context import AppContext
from cmdb.audit import record
from cmdb.users import (
    LOCALES,
    ROLES,
    UserError,
    create_user,
    get_user,
    list_users,
    set_active,
    set_password,
)


@click.group()
def user() -> None:
    """Accounts of the web interface (roles: admin, network_admin, security_officer, viewer)."""


def _actor() -> str:
    """Who ran the command, for the audit log: the operating-system account."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:?"


def _password(confirm: bool = True) -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")  # scripts: one line on standard input
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=confirm))


@user.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--locale", type=click.Choice(LOCALES), default="es", show_default=True)
@click.pass_obj
def user_add(app_ctx: AppContext, username: str, role: str, locale: str) -> None:
    """Create a user; the password is asked for (or read from standard input)."""
    password = _password()
    try:
        with Session(app_ctx.engine) as s, s.begin():
            create_user(s, username, password, role, locale)
            record(s, "user.create", _actor(), "", username, role=role)
    except UserError as exc:
        click.echo(f"atalaya: error: {exc}", err=True)
        sys.exit(2)
    click.echo(f"user {username} created ({role})")


@user.command("passwd")
@click.argument("username")
@click.pass_obj
def user_passwd(app_ctx: AppContext, username: str) -> None:
    """Set a user's password (this also revokes the user's API tokens)."""
    password = _password()
    try:
        with Session(app_ctx.engine) as s, s.begin():
            set_password(s, username, password)
            record(s, "user.password", _actor(), "", username)
    except UserError as exc:
        click.echo(f"atalaya: error: {exc}", err=True)
        sys.exit(2)
    click.echo(f"password of {username} changed")


@user.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.pass_obj
def user_list(app_ctx: AppContext, fmt: str) -> None:
    """List users with their role and language (never their password hash)."""
    with Session(app_ctx.engine) as s:
        rows = [
            {
                "username": u.username,
                "role": u.role,
                "locale": u.locale,
                "active": u.active,
                "created_at": u.created_at.isoformat(),
            }
            for u in list_users(s)
        ]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        click.echo(
            f"{row['username']:<24} {row['role']:<18} {row['locale']:<3} "
            f"{'active' if row['active'] else 'inactive'}"
        )


@user.command("token")
@click.argument("username")
@click.pass_obj
def user_token(app_ctx: AppContext, username: str) -> None:
    """Print a bearer token for the API (valid 90 days or until the password changes)."""
    from web.app import secret_key
    from web.security import api_token

    with Session(app_ctx.engine) as s, s.begin():
        found = get_user(s, username)
        if found is None:
            click.echo(f"atalaya: error: no user {username!r}", err=True)
            sys.exit(2)
        token = api_token(secret_key(app_ctx.settings), found)
        record(s, "token.create", _actor(), "", username)
    click.echo(token)


@user.command("disable")
@click.argument("username")
@click.option("--enable", is_flag=True, help="Enable the user again instead.")
@click.pass_obj
def user_disable(app_ctx: AppContext, username: str, enable: bool) -> None:
    """Disable a user: their web sessions and API tokens stop working at once."""
    try:
        with Session(app_ctx.engine) as s, s.begin():
            set_active(s, username, enable)
            record(s, "user.enable" if enable else "user.disable", _actor(), "", username)
    except UserError as exc:
        click.echo(f"atalaya: error: {exc}", err=True)
        sys.exit(2)
    click.echo(f"user {username} {'enabled' if enable else 'disabled'}")
