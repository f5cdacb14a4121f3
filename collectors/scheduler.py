"""Collection loops: one cycle on demand (`run_cycle`) and the same loops on a schedule.

Each loop run is one PollRun: start it, load the targets, collect (no database session is
open while the network is polled), ingest, finish it with counts and each failure's reason.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from atalaya.settings import Settings
from cmdb.ingest import finish_run, ingest_device_facts, ingest_probe_samples, start_run
from cmdb.models import PollRun
from cmdb.targets import load_link_probes, load_targets
from collectors.base import DeviceFacts, ProbeSample, Target
from collectors.reachability import ReachabilityCollector
from collectors.snmp import INVENTORY_PARTS, SOFTWARE_PARTS, SnmpCollector
from collectors.ssh import SshCollector

log = logging.getLogger(__name__)

LOOPS = ("reachability", "snmp", "software", "ssh")
SSH_PLATFORMS = ("cisco_ios", "linux")
# ICMP probes share one raw socket and cost ~20 µs of CPU each: the reachability loop can
# afford many more in flight than the SNMP loop (one UDP socket per device).
REACHABILITY_FANOUT = 8
# The software pass walks hundreds of hrSWInstalledTable rows: give it twice the deadline.
SOFTWARE_DEADLINE_FACTOR = 2.0

# progress(loop, done, total): called with done=0 when the loop's targets are known
Progress = Callable[[str, int, int], None]
Result = DeviceFacts | ProbeSample


@dataclass
class LoopSummary:
    loop: str
    run_id: int
    total: int = 0
    ok: int = 0
    failed: int = 0
    by_reason: dict[str, int] = field(default_factory=dict)
    duration_s: float = 0.0


@dataclass
class CycleSummary:
    loops: list[LoopSummary] = field(default_factory=list)
    duration_s: float = 0.0

    @property
    def failed(self) -> int:
        return sum(loop.failed for loop in self.loops)

    def to_dict(self) -> dict[str, Any]:
        return {"duration_s": round(self.duration_s, 3), "loops": [asdict(x) for x in self.loops]}


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
    for loop in (only,) if only else LOOPS:
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
    if loop not in LOOPS:
        raise ValueError(f"unknown loop {loop!r}: one of {', '.join(LOOPS)}")
    started = time.monotonic()
    regions = regions or settings.collect.regions or None
    with Session(engine) as session, session.begin():
        run_id = start_run(session, loop, settings.collect.poller_group).id
        targets = _targets(session, settings, loop, regions, sites)
    results = _collect(settings, loop, targets, progress)
    at = dt.datetime.now(dt.UTC)
    with Session(engine) as session, session.begin():
        if loop == "reachability":
            ingest_probe_samples(session, [r for r in results if isinstance(r, ProbeSample)], at)
        else:
            _ingest_facts(session, [r for r in results if isinstance(r, DeviceFacts)])
        run = session.get(PollRun, run_id)
        assert run is not None  # created above in this process
        finish_run(session, run, results, at)
        by_reason = Counter(error["reason"] for error in run.errors)
        summary = LoopSummary(loop, run_id, run.devices_total, run.devices_ok, run.devices_failed)
    summary.by_reason = dict(by_reason)
    summary.duration_s = time.monotonic() - started
    log.info(
        "loop %s: %d ok, %d failed in %.1f s", loop, summary.ok, summary.failed, summary.duration_s
    )
    return summary


def _targets(
    session: Session,
    settings: Settings,
    loop: str,
    regions: Sequence[str] | None,
    sites: Sequence[str] | None,
) -> list[Target]:
    if loop == "reachability":
        return load_targets(session, settings, regions, sites) + load_link_probes(
            session, regions, sites
        )
    if loop == "ssh":
        targets = load_targets(session, settings, regions, sites, SSH_PLATFORMS)
        return [t for t in targets if t.ssh is not None or t.credential_error]
    targets = load_targets(session, settings, regions, sites)
    return [t for t in targets if t.snmp is not None or t.credential_error]


def _collect(
    settings: Settings, loop: str, targets: list[Target], progress: Progress | None
) -> list[Result]:
    conf = settings.collect
    done = 0

    def advance(_: Result) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(loop, done, len(targets))

    if progress is not None:
        progress(loop, 0, len(targets))
    if loop == "reachability":
        prober = ReachabilityCollector(
            count=conf.ping_count,
            timeout_s=conf.ping_timeout_s,
            concurrency=conf.concurrency * REACHABILITY_FANOUT,
        )
        return list(prober.probe(targets, conf.device_deadline_s, advance))
    if loop == "ssh":
        ssh = SshCollector(concurrency=conf.ssh_concurrency)
        return list(ssh.collect(targets, conf.device_deadline_s, advance))
    snmp = SnmpCollector(
        timeout_s=conf.snmp_timeout_s,
        retries=conf.snmp_retries,
        max_repetitions=conf.snmp_max_repetitions,
        concurrency=conf.concurrency,
    )
    if loop == "software":
        deadline = conf.device_deadline_s * SOFTWARE_DEADLINE_FACTOR
        return list(snmp.collect(targets, deadline, SOFTWARE_PARTS, advance))
    return list(snmp.collect(targets, conf.device_deadline_s, INVENTORY_PARTS, advance))


def _ingest_facts(session: Session, facts: Sequence[DeviceFacts]) -> None:
    for item in facts:
        # A savepoint per device: one device's bad data must not undo the others' ingest.
        try:
            with session.begin_nested():
                ingest_device_facts(session, item)
        except Exception:
            log.exception("ingest of %s from %s failed", item.hostname, item.source)


def build_scheduler(engine: Engine, settings: Settings) -> BackgroundScheduler:
    """The four loops on their intervals. A late run is coalesced into one, and a loop never
    overlaps itself; the loops run side by side in a pool of their own."""
    conf = settings.collect
    scheduler = BackgroundScheduler(
        timezone=dt.UTC,
        executors={"default": {"type": "threadpool", "max_workers": len(LOOPS)}},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
    )
    intervals = {
        "reachability": conf.reachability_interval_s,
        "snmp": conf.snmp_interval_s,
        "software": conf.software_interval_s,
        "ssh": conf.ssh_interval_s,
    }
    now = dt.datetime.now(dt.UTC)
    for loop, seconds in intervals.items():
        scheduler.add_job(
            _scheduled_loop,
            "interval",
            seconds=seconds,
            args=(engine, settings, loop),
            id=f"collect-{loop}",
            name=f"collect {loop}",
            next_run_time=now,
        )
    return scheduler


def _scheduled_loop(engine: Engine, settings: Settings, loop: str) -> None:
    # A scheduled job that raises would only be logged by APScheduler; say which loop failed.
    try:
        run_loop(engine, settings, loop)
    except Exception:
        log.exception("collection loop %s failed", loop)
