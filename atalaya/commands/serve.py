"""`atalaya serve`: web, API and /metrics, collection loops, or both, by role.

The command composes: the supervisor (atalaya.jobs.serve) runs the background jobs, the web
layer's server runs in the foreground. Jobs never import the web layer; this command may.
"""

from __future__ import annotations

import click

from atalaya.jobs.context import AppContext
from atalaya.jobs.serve import ROLES, supervise
from atalaya.settings import Settings, SettingsError
from web.server import public_bind_refusal, tls_files


@click.command()
@click.option(
    "--role",
    type=click.Choice(ROLES),
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
    app_ctx: AppContext, role: str, regions: str | None, poller_group: str | None, no_collect: bool
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
    if role != "collector":
        conf = settings.web
        refusal = public_bind_refusal(conf.host, tls_files(conf) is not None, conf.allow_public)
        if refusal:
            raise SettingsError(refusal)
    engine = app_ctx.engine

    def serve_web() -> None:
        from web import server
        from web.app import create_app

        conf = settings.web
        app = create_app(settings, engine)
        scheme = "https" if tls_files(conf) else "http"
        what = "web only" if role == "web" else "web and collection"
        click.echo(f"Atalaya on {scheme}://{conf.host}:{conf.port}/ ({what})")
        server.run(app, conf)

    def say(line: str) -> None:
        click.echo(line, err=True)

    supervise(engine, settings, role, None if role == "collector" else serve_web, say)
