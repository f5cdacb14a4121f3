"""`atalaya serve` (web, API, /metrics and the collection scheduler in one process) and
`atalaya user add|passwd|list|token`."""

from __future__ import annotations

import ipaddress
import json
import logging
import sys

import click
from sqlalchemy.orm import Session

from cmdb.users import LOCALES, ROLES, UserError, create_user, get_user, list_users, set_password

log = logging.getLogger(__name__)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name other than localhost may resolve anywhere


def public_bind_refusal(host: str, tls: bool, allow_public: bool) -> str | None:
    """Why serving on `host` is refused, or None when it is allowed."""
    if is_loopback(host) or allow_public:
        return None
    if tls:
        # waitress speaks plain HTTP only: TLS has to be terminated in front of it.
        return (
            f"[web] host = {host!r} with tls_cert/tls_key: waitress cannot terminate TLS; "
            "put a TLS reverse proxy in front and set [web] allow_public = true"
        )
    return (
        f"refusing to serve on {host!r} (not loopback) without TLS: set [web] allow_public = "
        "true once a TLS reverse proxy fronts Atalaya, or keep host = 127.0.0.1"
    )


@click.command()
@click.option("--no-collect", is_flag=True, help="Serve only; do not run the collection loops.")
@click.pass_obj
def serve(app_ctx: object, no_collect: bool) -> None:
    """Serve the web interface, the API and /metrics with waitress, and run the collection
    scheduler in the same process (settings [web] host and port; 127.0.0.1:8470 by default)."""
    from waitress import serve as waitress_serve

    from web.app import create_app

    settings = app_ctx.settings  # type: ignore[attr-defined]
    conf = settings.web
    refusal = public_bind_refusal(
        conf.host, bool(conf.tls_cert and conf.tls_key), conf.allow_public
    )
    if refusal:
        click.echo(f"atalaya: error: {refusal}", err=True)
        sys.exit(2)
    engine = app_ctx.engine  # type: ignore[attr-defined]
    app = create_app(settings, engine)
    scheduler = None
    if not no_collect:
        from collectors.scheduler import build_scheduler

        scheduler = build_scheduler(engine, settings)
        scheduler.start()
    click.echo(
        f"Atalaya on http://{conf.host}:{conf.port}/ "
        f"({'web only' if no_collect else 'web and collection'})"
    )
    try:
        waitress_serve(
            app,
            host=conf.host,
            port=conf.port,
            threads=conf.threads,
            ident="atalaya",
            clear_untrusted_proxy_headers=True,
        )
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)


@click.group()
def user() -> None:
    """Accounts of the web interface (roles: admin, network_admin, security_officer, viewer)."""


def _password(confirm: bool = True) -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")  # scripts: one line on standard input
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=confirm))


@user.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--locale", type=click.Choice(LOCALES), default="es", show_default=True)
@click.pass_obj
def user_add(app_ctx: object, username: str, role: str, locale: str) -> None:
    """Create a user; the password is asked for (or read from standard input)."""
    password = _password()
    try:
        with Session(app_ctx.engine) as s, s.begin():  # type: ignore[attr-defined]
            create_user(s, username, password, role, locale)
    except UserError as exc:
        click.echo(f"atalaya: error: {exc}", err=True)
        sys.exit(2)
    click.echo(f"user {username} created ({role})")


@user.command("passwd")
@click.argument("username")
@click.pass_obj
def user_passwd(app_ctx: object, username: str) -> None:
    """Set a user's password (this also revokes the user's API tokens)."""
    password = _password()
    try:
        with Session(app_ctx.engine) as s, s.begin():  # type: ignore[attr-defined]
            set_password(s, username, password)
    except UserError as exc:
        click.echo(f"atalaya: error: {exc}", err=True)
        sys.exit(2)
    click.echo(f"password of {username} changed")


@user.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.pass_obj
def user_list(app_ctx: object, fmt: str) -> None:
    """List users with their role and language (never their password hash)."""
    with Session(app_ctx.engine) as s:  # type: ignore[attr-defined]
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
def user_token(app_ctx: object, username: str) -> None:
    """Print a bearer token for the API (valid 90 days or until the password changes)."""
    from web.app import secret_key
    from web.security import api_token

    with Session(app_ctx.engine) as s:  # type: ignore[attr-defined]
        found = get_user(s, username)
        if found is None:
            click.echo(f"atalaya: error: no user {username!r}", err=True)
            sys.exit(2)
        click.echo(api_token(secret_key(app_ctx.settings), found))  # type: ignore[attr-defined]
