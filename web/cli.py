"""`atalaya serve` (web, API and /metrics, collection loops, or both, by role) and
`atalaya user add|passwd|list|token`."""

from __future__ import annotations

import datetime as dt
import json
import logging
import signal
import sys
import threading
from types import FrameType
from typing import Any

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from atalaya.settings import Settings, SettingsError
from cmdb.models import Region
from cmdb.users import LOCALES, ROLES, UserError, create_user, get_user, list_users, set_password
from web.evaluation_job import start_evaluation
from web.server import public_bind_refusal, tls_files

log = logging.getLogger(__name__)
ROLES_OF_SERVE = ("all", "web", "collector")


@click.command()
@click.option(
    "--role",
    type=click.Choice(ROLES_OF_SERVE),
    default="all",
    show_default=True,
    help="all: web and collection in one process; web: pages, API and /metrics, never polls; "
    "collector: only the collection loops of its regions, no HTTP.",
)
@click.option(
    "--regions",
    help="Comma-separated region codes this process polls (default: [collect] regions; "
    "empty: every region).",
)
@click.option(
    "--poller-group", help="Name of this collector group (default: [collect] poller_group)."
)
@click.option("--no-collect", is_flag=True, hidden=True, help="Same as --role web.")
@click.pass_obj
def serve(
    app_ctx: Any, role: str, regions: str | None, poller_group: str | None, no_collect: bool
) -> None:
    """Serve the web interface, the API and /metrics, and run the collection scheduler
    ([web] host and port: 127.0.0.1:8470 by default; HTTPS when [web] tls_cert/tls_key are
    set). At scale: one `--role web` process and one `--role collector` per poller group,
    all with the same ATALAYA_DATABASE_URL (see README, "Running at scale")."""
    settings: Settings = app_ctx.settings
    if no_collect and role == "all":
        role = "web"
    if role == "web" and (regions is not None or poller_group is not None):
        raise SettingsError("--regions and --poller-group apply to --role collector or all")
    if regions is not None:
        settings.collect.regions = [r for r in regions.split(",") if r.strip()]
    if poller_group is not None:
        settings.collect.poller_group = poller_group
    _configure_logging(settings)
    if role != "collector":
        conf = settings.web
        refusal = public_bind_refusal(conf.host, tls_files(conf) is not None, conf.allow_public)
        if refusal:
            raise SettingsError(refusal)
    _stop_on_sigterm()
    engine = app_ctx.engine
    scheduler = None if role == "web" else _start_collection(engine, settings)
    evaluator = None if role == "collector" else start_evaluation(engine, settings)
    try:
        if role == "collector":
            _wait_for_signal()
        else:
            _serve_web(engine, settings, role)
    except KeyboardInterrupt:
        pass
    finally:
        if evaluator is not None:
            evaluator.shutdown(wait=True)
        if scheduler is not None:
            click.echo("stopping: waiting for running loops to finish", err=True)
            scheduler.shutdown(wait=True)


def _start_collection(engine: Any, settings: Settings) -> Any:
    from collectors.groups import check_group, overlapping_groups, regions_key
    from collectors.scheduler import build_scheduler

    conf = settings.collect
    check_group(conf.poller_group)
    with Session(engine) as session:
        known = set(session.scalars(select(Region.code)))
        unknown = {r.strip().upper() for r in conf.regions} - known
        if unknown:
            raise SettingsError(
                f"[collect] regions: unknown region {', '.join(sorted(unknown))} "
                f"(known: {', '.join(sorted(known))})"
            )
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        for warning in overlapping_groups(session, conf.poller_group, conf.regions, now):
            log.warning(warning)
            click.echo(f"atalaya: warning: {warning}", err=True)
    scheduler = build_scheduler(engine, settings)
    scheduler.start()
    click.echo(
        f"collecting for poller group {conf.poller_group or '(none)'!r}, regions "
        f"{regions_key(conf.regions) or 'all'}",
        err=True,
    )
    return scheduler


def _serve_web(engine: Any, settings: Settings, role: str) -> None:
    from web import server
    from web.app import create_app

    conf = settings.web
    app = create_app(settings, engine)
    scheme = "https" if tls_files(conf) else "http"
    what = "web only" if role == "web" else "web and collection"
    click.echo(f"Atalaya on {scheme}://{conf.host}:{conf.port}/ ({what})")
    server.run(app, conf)


def _stop_on_sigterm() -> None:
    # SIGTERM (systemd, docker, kill) ends the process like Ctrl-C: the finally blocks run, so
    # the scheduler finishes the loop it is in and its job table keeps the next run time.
    def interrupt(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def _wait_for_signal() -> None:
    # A collector has no server loop: the scheduler's threads poll, this one only waits.
    idle = threading.Event()
    while not idle.wait(3600):
        pass


def _configure_logging(settings: Settings) -> None:
    level = settings.logging.level.upper()
    if not isinstance(logging.getLevelName(level), int):
        raise SettingsError(f"[logging] level = {settings.logging.level!r}: not a log level")
    logging.basicConfig(
        level=level,
        filename=settings.logging.file or None,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


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
