"""Collection loops: one table of loops, and a run of one loop (or all) now.

Each loop run is one PollRun: start it, load the targets, collect (no database session is
open while the network is polled), ingest, finish it with counts and each failure's reason.
A loop is an entry of `LOOPS` naming its targets, its collection and its ingest, as nornir
registers tasks: adding a protocol adds an entry, no branch elsewhere.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from atalaya.jobs.groups import regions_key
from atalaya.jobs.metrics import store_metrics
from atalaya.settings import CollectSettings, Settings
from cmdb.ingest import finish_run, ingest_device_facts, ingest_probe_samples, start_run
from cmdb.models import PollRun
from cmdb.targets import SecretResolver, load_link_probes, load_targets
from collectors.base import BadResponse, DeviceFacts, ProbeSample, Target
from collectors.reachability import ReachabilityCollector
from collectors.snmp import INVENTORY_PARTS, SOFTWARE_PARTS, SnmpCollector
from collectors.ssh import SshCollector

log = logging.getLogger(__name__)

SSH_PLATFORMS = ("cisco_ios", "linux")
# ICMP probes share one raw socket and cost ~20 µs of CPU each: the reachability loop can
# afford many more in flight than the SNMP loop (one UDP socket per device).
REACHABILITY_FANOUT = 8
# The software pass walks hundreds of hrSWInstalledTable rows: give it twice the deadline.
SOFTWARE_DEADLINE_FACTOR = 2.0

Result = DeviceFacts | ProbeSample
# progress(loop, done, total): called with done=0 when the loop's targets are known
Progress = Callable[[str, int, int], None]
Advance = Callable[[Result], None]


@dataclass(frozen=True)
class Scope:
    """Which part of the network a run covers (empty: all of it)."""

    regions: Sequence[str] | None = None
    sites: Sequence[str] | None = None


@dataclass(frozen=True)
class Loop:
    """One collection loop: where its targets come from, how it polls, how it stores."""

    name: str
    targets: Callable[[Session, Scope, SecretResolver], list[Target]]
    collect: Callable[[CollectSettings, list[Target], Advance], list[Result]]
    ingest: Callable[[Session, list[Result], dt.datetime], list[Result]]


# -- targets -----------------------------------------------------------------------------
def _reachability_targets(s: Session, scope: Scope, secret: SecretResolver) -> list[Target]:
    devices = load_targets(s, secret, scope.regions, scope.sites)
    return devices + load_link_probes(s, scope.regions, scope.sites)


def _snmp_targets(s: Session, scope: Scope, secret: SecretResolver) -> list[Target]:
    targets = load_targets(s, secret, scope.regions, scope.sites)
    return [t for t in targets if t.snmp is not None or t.credential_error]


def _ssh_targets(s: Session, scope: Scope, secret: SecretResolver) -> list[Target]:
    targets = load_targets(s, secret, scope.regions, scope.sites, SSH_PLATFORMS)
    return [t for t in targets if t.ssh is not None or t.credential_error]


# -- collection --------------------------------------------------------------------------
def _probe(conf: CollectSettings, targets: list[Target], advance: Advance) -> list[Result]:
    prober = ReachabilityCollector(
        count=conf.ping_count,
        timeout_s=conf.ping_timeout_s,
        concurrency=conf.concurrency * REACHABILITY_FANOUT,
    )
    return list(prober.probe(targets, conf.device_deadline_s, advance))


def _snmp(conf: CollectSettings) -> SnmpCollector:
    return SnmpCollector(
        timeout_s=conf.snmp_timeout_s,
        retries=conf.snmp_retries,
        max_repetitions=conf.snmp_max_repetitions,
        concurrency=conf.concurrency,
    )


def _poll_inventory(conf: CollectSettings, targets: list[Target], advance: Advance) -> list[Result]:
    return list(_snmp(conf).collect(targets, conf.device_deadline_s, INVENTORY_PARTS, advance))


def _poll_software(conf: CollectSettings, targets: list[Target], advance: Advance) -> list[Result]:
    deadline = conf.device_deadline_s * SOFTWARE_DEADLINE_FACTOR
    return list(_snmp(conf).collect(targets, deadline, SOFTWARE_PARTS, advance))


def _read_configs(conf: CollectSettings, targets: list[Target], advance: Advance) -> list[Result]:
    ssh = SshCollector(concurrency=conf.ssh_concurrency)
    return list(ssh.collect(targets, conf.device_deadline_s, advance))


# -- ingest ------------------------------------------------------------------------------
def _store_samples(session: Session, results: list[Result], at: dt.datetime) -> list[Result]:
    ingest_probe_samples(session, [r for r in results if isinstance(r, ProbeSample)], at)
    return results


def _store_facts(session: Session, results: list[Result], _at: dt.datetime) -> list[Result]:
    """Ingest each device in its own savepoint; a device whose facts cannot be stored becomes a
    failure of the run, recorded on the PollRun and on the device, never only a log line."""
    kept: list[Result] = []
    for item in results:
        if not isinstance(item, DeviceFacts):
            kept.append(item)
            continue
        try:
            # A savepoint per device: one device's bad data must not undo the others' ingest.
            with session.begin_nested():
                ingest_device_facts(session, item)
        except OperationalError:
            raise  # the database itself (locked, gone): not this device's fault, see run_loop
        except Exception as exc:
            log.exception("ingest of %s from %s failed", item.hostname, item.source)
            error = BadResponse(f"could not store what the device answered: {_short(exc)}")
            item = DeviceFacts(item.hostname, item.source, item.collected_at, error=error)
            # The savepoint is gone; this write is in the run's transaction, so it stays.
            with session.begin_nested():
                ingest_device_facts(session, item)
        kept.append(item)
    return kept


LOOPS: dict[str, Loop] = {
    loop.name: loop
    for loop in (
        Loop("reachability", _reachability_targets, _probe, _store_samples),
        Loop("snmp", _snmp_targets, _poll_inventory, _store_facts),
        Loop("software", _snmp_targets, _poll_software, _store_facts),
        Loop("ssh", _ssh_targets, _read_configs, _store_facts),
    )
}
LOOP_NAMES = tuple(LOOPS)
# Each loop has its interval setting ([collect] <loop>_interval_s), and nothing else does.
assert set(LOOPS) == set(CollectSettings().loop_intervals()), "a loop without its interval"


@dataclass
class LoopSummary:
    loop: str
    run_id: int
    total: int = 0
    ok: int = 0
    failed: int = 0
    by_reason: dict[str, int] = field(default_factory=dict)
    duration_s: float = 0.0
    error: str = ""  # why the loop's results could not be stored (the database), if so


@dataclass
class CycleSummary:
    loops: list[LoopSummary] = field(default_factory=list)
    duration_s: float = 0.0

    @property
    def failed(self) -> int:
        return sum(loop.failed for loop in self.loops)

    def to_dict(self) -> dict[str, Any]:
        return {"duration_s": round(self.duration_s, 3), "loops": [asdict(x) for x in self.loops]}


def intervals(conf: CollectSettings) -> dict[str, int]:
    """Each loop's interval in seconds; 0 or less turns the loop off in this process."""
    return conf.loop_intervals()


def run_cycle(
    engine: Engine,
    settings: Settings,
    only: str | None = None,
    regions: Sequence[str] | None = None,
    sites: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> CycleSummary:
    """Run each loop (or only one) once, now, over the devices in scope."""
    started = time.monotonic()
    summary = CycleSummary()
    for loop in (only,) if only else LOOP_NAMES:
        summary.loops.append(run_loop(engine, settings, loop, regions, sites, progress))
    summary.duration_s = time.monotonic() - started
    return summary


def run_loop(
    engine: Engine,
    settings: Settings,
    loop: str,
    regions: Sequence[str] | None = None,
    sites: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> LoopSummary:
    """Run one loop now; a database that refuses the results ends it with the reason."""
    if loop not in LOOPS:
        raise ValueError(f"unknown loop {loop!r}: one of {', '.join(LOOP_NAMES)}")
    started = time.monotonic()
    scope = Scope(regions or settings.collect.regions or None, sites)
    try:
        summary = _run_and_store(engine, settings, LOOPS[loop], scope, progress)
    except DBAPIError as error:
        # The database refused or went away (locked past the busy timeout, restarted): this
        # loop's results are lost, the next start marks its open PollRun aborted, and the
        # cycle goes on with its other loops instead of stopping here.
        reason = str(error.orig or error).splitlines()[0][:200]
        log.error("loop %s: results not stored: %s", loop, reason)
        summary = LoopSummary(loop, 0, by_reason={"database": 1}, error=reason)
    summary.duration_s = time.monotonic() - started
    log.info(
        "loop %s: %d ok, %d failed in %.1f s", loop, summary.ok, summary.failed, summary.duration_s
    )
    return summary


def _run_and_store(
    engine: Engine, settings: Settings, loop: Loop, scope: Scope, progress: Progress | None
) -> LoopSummary:
    with Session(engine) as session, session.begin():
        started_run = start_run(session, loop.name, settings.collect.poller_group)
        started_run.regions = regions_key(scope.regions)
        run_id = started_run.id
        targets = loop.targets(session, scope, settings.secret)
    results = _collect(settings.collect, loop, targets, progress)
    at = dt.datetime.now(dt.UTC)
    with Session(engine) as session, session.begin():
        results = loop.ingest(session, results, at)
        run = session.get(PollRun, run_id)
        assert run is not None  # created above in this process
        finish_run(session, run, results, at)
        store_metrics(session, settings)
        summary = LoopSummary(
            loop.name, run_id, run.devices_total, run.devices_ok, run.devices_failed,
            by_reason=dict(Counter(error["reason"] for error in run.errors)),
        )  # fmt: skip
    return summary


def _collect(
    conf: CollectSettings, loop: Loop, targets: list[Target], progress: Progress | None
) -> list[Result]:
    done = 0

    def advance(_: Result) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(loop.name, done, len(targets))

    if progress is not None:
        progress(loop.name, 0, len(targets))
    return loop.collect(conf, targets, advance)


def _short(exc: Exception) -> str:
    text = (
        str(getattr(exc, "orig", None) or exc).splitlines()[0] if str(exc) else type(exc).__name__
    )
    return text[:200]
