"""`atalaya collect`: run one collection cycle now, with a progress bar and a summary."""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import click
from tqdm import tqdm

from atalaya.jobs.collection import LOOP_NAMES, CycleSummary, run_cycle
from atalaya.jobs.context import AppContext
from atalaya.jobs.schedule import build_scheduler


@click.command()
@click.option("--only", type=click.Choice(LOOP_NAMES), help="Run one loop instead of all of them.")
@click.option("--region", "regions", multiple=True, help="Only this region (repeatable).")
@click.option("--site", "sites", multiple=True, help="Only this site (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.option("--forever", is_flag=True, help="Keep polling on the configured intervals.")
@click.pass_obj
def collect(
    app: AppContext,
    only: str | None,
    regions: tuple[str, ...],
    sites: tuple[str, ...],
    fmt: str,
    forever: bool,
) -> None:
    """Poll devices and site links now (reachability, SNMP inventory, SNMP software, SSH
    configuration) and store what was seen in the CMDB. Failed devices are reported, they do
    not stop the cycle: the exit status is 0 unless the command itself could not run."""
    if forever:
        _forever(app)
        return
    bars: dict[str, tqdm[Any]] = {}
    quiet = fmt == "json" or not sys.stderr.isatty()

    def progress(loop: str, done: int, total: int) -> None:
        if loop not in bars:
            bars[loop] = tqdm(
                total=total,
                desc=f"{loop:<12}",
                unit="dev",
                file=sys.stderr,
                disable=quiet,
                leave=True,
            )
        bars[loop].n = done
        bars[loop].refresh()

    try:
        summary = run_cycle(
            app.engine, app.settings, only, regions or None, sites or None, progress
        )
    finally:
        for bar in bars.values():
            bar.close()
    click.echo(json.dumps(summary.to_dict(), indent=2) if fmt == "json" else _table(summary))


def _table(summary: CycleSummary) -> str:
    lines = [f"{'loop':<13}{'devices':>8}{'ok':>7}{'failed':>8}{'seconds':>9}  failures by reason"]
    for loop in summary.loops:
        reasons = ", ".join(f"{reason} {count}" for reason, count in sorted(loop.by_reason.items()))
        if loop.error:
            # spooled: kept locally, stored when the database returns; otherwise lost
            reasons = loop.error if loop.spooled else f"not stored: {loop.error}"
        lines.append(
            f"{loop.loop:<13}{loop.total:>8}{loop.ok:>7}{loop.failed:>8}"
            f"{loop.duration_s:>9.1f}  {reasons or '-'}"
        )
    lines.append(
        f"cycle done in {summary.duration_s:.1f} s; details: atalaya status, PollRun errors"
    )
    return "\n".join(lines)


def _forever(app: AppContext) -> None:
    scheduler = build_scheduler(app.engine, app.settings)
    scheduler.start()
    click.echo("collecting on schedule; Ctrl-C to stop", err=True)
    try:
        while True:  # the scheduler's threads do the work; this one waits for Ctrl-C
            time.sleep(1)
    except KeyboardInterrupt:
        scheduler.shutdown(wait=True)
