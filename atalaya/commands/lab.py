"""`atalaya lab …`: the simulated network from a shell.

The simulated network is an extra (`pip install 'atalaya[lab]'`): without it, every other command
works and `atalaya lab` says what to install. Exit status: 0 done, 1 the lab is not (fully)
running (status), 2 bad usage.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from atalaya.settings import Settings, load_settings
from lab.procs import LabError  # standard library only: importable without the extra

if TYPE_CHECKING:
    from lab.runtime import Lab


def _settings(ctx: click.Context) -> Settings:
    found = ctx.find_object(Settings)
    if found is not None:
        return found
    # atalaya's main group keeps an AppContext (with .settings) in ctx.obj
    settings = getattr(ctx.find_root().obj, "settings", None)
    return settings if isinstance(settings, Settings) else load_settings()


def _lab(ctx: click.Context, state_dir: str | None) -> Lab:
    try:
        from lab.runtime import Lab
    except ImportError as exc:
        _fail(LabError(f"the simulated network needs the lab extra ({exc.name} is missing): "
                       "pip install 'atalaya[lab]'"))
        raise  # unreachable: _fail exits
    settings = _settings(ctx)
    return Lab(Path(state_dir) if state_dir else settings.lab_dir, settings.secrets_dir)


def _fail(exc: Exception) -> None:
    click.echo(f"lab: {exc}", err=True)
    sys.exit(2)


state_option = click.option("--state-dir", type=click.Path(file_okay=False), default=None,
                            help="Lab state directory (default: settings lab_dir, ./var/lab).")


@click.group("lab")
def lab() -> None:
    """The simulated national network: real SNMP, SSH and ICMP on 127.x addresses."""


@lab.command()
@click.option("--seed", type=int, default=None, help="Random seed (default: settings lab.seed).")
@click.option("--scale", type=float, default=None, help="Share of devices per site, 0-1.")
@click.option("--net", type=click.IntRange(1, 199), default=20, show_default=True,
              help="Second octet of the lab's addresses (127.NET.SITE.DEVICE).")
@click.option("--failed", "failed", multiple=True, metavar="SITE",
              help="Start with this site unreachable (repeatable).")
@state_option
@click.pass_context
def up(ctx: click.Context, seed: int | None, scale: float | None, net: int,
       failed: tuple[str, ...], state_dir: str | None) -> None:
    """Generate the network and start its agents in the background."""
    settings = _settings(ctx)
    started = time.monotonic()
    try:
        status = _lab(ctx, state_dir).up(
            seed=settings.lab.seed if seed is None else seed,
            scale=settings.lab.scale if scale is None else scale, net=net, failed=failed)
    except (LabError, ValueError) as exc:
        _fail(exc)
        return
    click.echo(f"lab up: {status['devices']} devices in {time.monotonic() - started:.1f} s; "
               f"inventory {status['inventory']}; secrets in {status['secrets_dir']}")


@lab.command()
@state_option
@click.pass_context
def down(ctx: click.Context, state_dir: str | None) -> None:
    """Stop every process the lab started and remove its nftables table."""
    left = _lab(ctx, state_dir).down()
    if left:
        _fail(LabError(f"processes would not stop: {left}"))
    click.echo("lab down")


@lab.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@state_option
@click.pass_context
def status(ctx: click.Context, fmt: str, state_dir: str | None) -> None:
    """What runs, and which sites are failed, degraded or slow."""
    info = _lab(ctx, state_dir).status()
    if fmt == "json":
        click.echo(json.dumps(info, indent=1))
    else:
        click.echo(f"lab {'running' if info['running'] else 'stopped'}: {info['devices']} devices,"
                   f" seed {info['seed']}, scale {info['scale']}, state {info['state_dir']}")
        for name, proc in info["processes"].items():
            click.echo(f"  {name:8} pid {proc['pid']:>7}  {'alive' if proc['alive'] else 'gone'}")
        f = info["faults"]
        click.echo(f"  faults ({f['mode']}): failed {f['failed'] or '-'}, "
                   f"degraded {f['degraded'] or '-'}, slow {f['slow'] or '-'}")
    sys.exit(0 if info["running"] else 1)


def _fault(ctx: click.Context, state_dir: str | None, action: str, *args: Any) -> None:
    the_lab = _lab(ctx, state_dir)
    try:
        mode = getattr(the_lab, action)(*args)
    except LabError as exc:
        _fail(exc)
        return
    if mode == "agents":
        reason = the_lab.status()["faults"].get("refused", "")
        click.echo(f"nftables refused ({reason}): the site's agents drop requests instead",
                   err=True)
    click.echo(f"{action} {' '.join(str(a) for a in args if a is not None) or 'all'}: done")


@lab.command()
@click.argument("site")
@state_option
@click.pass_context
def fail(ctx: click.Context, site: str, state_dir: str | None) -> None:
    """Make SITE stop answering ICMP, TCP, SNMP and SSH."""
    _fault(ctx, state_dir, "fail", site)


@lab.command()
@click.argument("site")
@click.option("--loss", type=click.IntRange(1, 100), required=True, help="Percent lost.")
@state_option
@click.pass_context
def degrade(ctx: click.Context, site: str, loss: int, state_dir: str | None) -> None:
    """Random packet loss on everything to and from SITE."""
    _fault(ctx, state_dir, "degrade", site, loss)


@lab.command()
@click.argument("site")
@click.option("--seconds", type=click.FloatRange(0, 60), required=True)
@state_option
@click.pass_context
def slow(ctx: click.Context, site: str, seconds: float, state_dir: str | None) -> None:
    """SITE's devices answer SNMP and SSH late."""
    _fault(ctx, state_dir, "slow", site, seconds)


@lab.command()
@click.argument("site", required=False)
@state_option
@click.pass_context
def restore(ctx: click.Context, site: str | None, state_dir: str | None) -> None:
    """Undo fail/degrade/slow for SITE, or for every site."""
    _fault(ctx, state_dir, "restore", site)


def _live_edit(lab_: Lab, device: str, unplug: str | None, restart: bool,
               wrap_in: float | None) -> None:
    """Cabling and traffic edits: they change what the agents serve, not the device's record."""
    try:
        if unplug:
            cable = lab_.unplug(device, unplug)
            click.echo(f"unplugged {cable.a} {cable.a_port} <-> {cable.b} {cable.b_port}")
        if restart:
            lab_.restart(device)
            click.echo(f"restarted {device}")
        if wrap_in is not None:
            lab_.wrap_soon(device, wrap_in)
            click.echo(f"{device}: WAN counters wrap in {wrap_in:g} s")
    except LabError as exc:
        _fail(exc)


@lab.command()
@click.argument("device")
@click.option("--add-line", multiple=True, help="Add a running-config line (cisco_ios).")
@click.option("--remove-line", multiple=True, help="Remove a running-config line (cisco_ios).")
@click.option("--os-version", default=None, help="Report this OS version from now on.")
@click.option("--install", multiple=True, metavar="NAME=VERSION", help="Install a product.")
@click.option("--uninstall", multiple=True, metavar="NAME", help="Remove a product.")
@click.option("--serial", default=None, help="Report this serial number (hardware swap).")
@click.option("--unplug", default=None, metavar="PORT",
              help="Remove the cable on DEVICE's PORT (both ends lose the neighbour).")
@click.option("--restart", is_flag=True, help="Reboot a VPN gateway (uptime, counters to 0).")
@click.option("--wrap-in", type=float, default=None, metavar="SECONDS",
              help="Make a VPN gateway's WAN octet counters pass 2^64 in SECONDS.")
@state_option
@click.pass_context
def edit(ctx: click.Context, device: str, add_line: tuple[str, ...],
         remove_line: tuple[str, ...], os_version: str | None, install: tuple[str, ...],
         uninstall: tuple[str, ...], serial: str | None, unplug: str | None, restart: bool,
         wrap_in: float | None, state_dir: str | None) -> None:
    """Change DEVICE so that the next collection sees it (change detection)."""
    if unplug or restart or wrap_in is not None:
        _live_edit(_lab(ctx, state_dir), device, unplug, restart, wrap_in)
        return
    bad = [item for item in install if "=" not in item]
    if bad:
        _fail(LabError(f"--install {bad[0]!r}: expected NAME=VERSION"))
    change = {"add_lines": list(add_line), "remove_lines": list(remove_line),
              "os_version": os_version, "serial": serial, "uninstall": list(uninstall),
              "install": dict(item.split("=", 1) for item in install)}
    try:
        _lab(ctx, state_dir).edit(device, **{k: v for k, v in change.items() if v})
    except LabError as exc:
        _fail(exc)
    click.echo(f"edited {device}")
