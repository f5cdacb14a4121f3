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

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine, Float, String, column, delete, inspect, select, table
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from atalaya.settings import Settings
from cmdb.ingest import finish_run, ingest_device_facts, ingest_probe_samples, start_run
from cmdb.models import PollRun
from cmdb.targets import load_link_probes, load_targets
from collectors import leases
from collectors.base import BadResponse, DeviceFacts, ProbeSample, Target
from collectors.groups import check_group, job_table, regions_key
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
    try:
        summary = _run_and_store(engine, settings, loop, regions, sites, progress)
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
    engine: Engine,
    settings: Settings,
    loop: str,
    regions: Sequence[str] | None,
    sites: Sequence[str] | None,
    progress: Progress | None,
) -> LoopSummary:
    with Session(engine) as session, session.begin():
        started_run = start_run(session, loop, settings.collect.poller_group)
        started_run.regions = regions_key(regions)
        run_id = started_run.id
        targets = _targets(session, settings, loop, regions, sites)
    results = _collect(settings, loop, targets, progress)
    at = dt.datetime.now(dt.UTC)
    with Session(engine) as session, session.begin():
        if loop == "reachability":
            ingest_probe_samples(session, [r for r in results if isinstance(r, ProbeSample)], at)
        else:
            results = _ingest_facts(session, results)
        run = session.get(PollRun, run_id)
        assert run is not None  # created above in this process
        finish_run(session, run, results, at)
        by_reason = Counter(error["reason"] for error in run.errors)
        summary = LoopSummary(loop, run_id, run.devices_total, run.devices_ok, run.devices_failed)
    summary.by_reason = dict(by_reason)
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


def _ingest_facts(
    session: Session, results: Sequence[DeviceFacts | ProbeSample]
) -> list[DeviceFacts | ProbeSample]:
    """Ingest each device in its own savepoint; a device whose facts cannot be stored becomes a
    failure of the run, recorded on the PollRun and on the device, never only a log line."""
    kept: list[DeviceFacts | ProbeSample] = []
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


def _short(exc: Exception) -> str:
    text = (
        str(getattr(exc, "orig", None) or exc).splitlines()[0] if str(exc) else type(exc).__name__
    )
    return text[:200]


def intervals(settings: Settings) -> dict[str, int]:
    """Each loop's interval in seconds; 0 or less turns the loop off in this process."""
    conf = settings.collect
    return {
        "reachability": conf.reachability_interval_s,
        "snmp": conf.snmp_interval_s,
        "software": conf.software_interval_s,
        "ssh": conf.ssh_interval_s,
    }


@dataclass
class _Process:
    """What a job needs and cannot carry: jobs live pickled in the database, an engine can't."""

    engine: Engine
    settings: Settings
    holder: str


_PROCESS: dict[str, _Process] = {}


def build_scheduler(engine: Engine, settings: Settings) -> BackgroundScheduler:
    """The loops of this process's poller group on their intervals, held in the CMDB.

    Jobs live in the group's own table (APScheduler's SQLAlchemyJobStore on the CMDB engine),
    so a restarted collector resumes at the stored next run time instead of polling at once.
    A late run is coalesced into one and a loop never overlaps itself in one process; across
    processes of one group, each run first takes the group's lease (collectors/leases.py)."""
    group = check_group(settings.collect.poller_group)
    table_name = job_table(group)
    _PROCESS[group] = _Process(engine, settings, leases.holder_name())
    store = SQLAlchemyJobStore(engine=engine, tablename=table_name)
    _create_job_table(engine, store)
    scheduler = BackgroundScheduler(
        timezone=dt.UTC,
        jobstores={"default": store},
        executors={"default": {"type": "threadpool", "max_workers": len(LOOPS)}},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
    )
    now = dt.datetime.now(dt.UTC)
    stored = stored_next_runs(engine, table_name)
    off = [f"collect-{loop}" for loop, seconds in intervals(settings).items() if seconds <= 0]
    _forget(engine, table_name, off)
    for loop, seconds in intervals(settings).items():
        if seconds <= 0:
            continue
        job_id = f"collect-{loop}"
        resumed = stored.get(job_id)
        # The stored time, unless the interval was shortened below what is left of it.
        if resumed:
            next_run = min(resumed, now + dt.timedelta(seconds=seconds))
        else:
            next_run = _after_last_run(engine, group, loop, seconds, now)
        log.info(
            "%s: next run %s (%s)",
            job_id,
            next_run.isoformat(timespec="seconds"),
            "resumed" if resumed else "new",
        )
        scheduler.add_job(
            scheduled_loop,
            "interval",
            seconds=seconds,
            args=(group, loop),
            id=job_id,
            name=f"collect {loop}" + (f" ({group})" if group else ""),
            next_run_time=next_run,
            replace_existing=True,
        )
    return scheduler


def _after_last_run(
    engine: Engine, group: str, loop: str, seconds: int, now: dt.datetime
) -> dt.datetime:
    """A loop with no stored schedule starts one interval after its group's last finished run
    (e.g. the `atalaya collect` that `make demo` just ran), or now if there was none."""
    with Session(engine) as session:
        ended = session.scalar(
            select(PollRun.ended_at)
            .where(
                PollRun.loop == loop, PollRun.poller_group == group, PollRun.ended_at.is_not(None)
            )
            .order_by(PollRun.ended_at.desc())
            .limit(1)
        )
    if ended is None:
        return now
    return max(now, ended.replace(tzinfo=dt.UTC) + dt.timedelta(seconds=seconds))


def _create_job_table(engine: Engine, store: SQLAlchemyJobStore) -> None:
    """Create the group's job table, tolerating a second process of the group doing the same.

    APScheduler creates it with checkfirst, which races: two processes starting together both
    see no table and the second CREATE fails (PostgreSQL: duplicate type/table). Losing that race
    is fine, the table is there; only a table still missing afterwards is an error."""
    try:
        store.jobs_t.create(engine, checkfirst=True)
    except DBAPIError:
        if not inspect(engine).has_table(store.jobs_t.name):
            raise
        log.info("job table %s created by another process of the group", store.jobs_t.name)


def stored_next_runs(engine: Engine, table_name: str) -> dict[str, dt.datetime]:
    """Next run times the group's job table holds (empty before its first start)."""
    if not inspect(engine).has_table(table_name):
        return {}
    jobs = table(table_name, column("id", String), column("next_run_time", Float))
    with engine.connect() as connection:
        rows = connection.execute(select(jobs.c.id, jobs.c.next_run_time)).all()
    return {
        job_id: dt.datetime.fromtimestamp(stamp, dt.UTC)
        for job_id, stamp in rows
        if stamp is not None
    }


def _forget(engine: Engine, table_name: str, job_ids: list[str]) -> None:
    # A loop turned off since the last start must not fire from its stored job.
    if not job_ids or not inspect(engine).has_table(table_name):
        return
    jobs = table(table_name, column("id", String))
    with engine.begin() as connection:
        connection.execute(delete(jobs).where(jobs.c.id.in_(job_ids)))


def scheduled_loop(group: str, loop: str) -> None:
    """One scheduled run: only if this process takes the group's lease for the loop."""
    process = _PROCESS.get(group)
    seconds = intervals(process.settings)[loop] if process else 0
    if process is None or seconds <= 0:
        log.warning("job %s of group %r is not this process's: skipped", loop, group)
        return
    # A scheduled job that raises would only be logged by APScheduler; say which loop failed.
    try:
        with leases.held(process.engine, group, loop, process.holder, seconds) as taken:
            if not taken:
                log.info("loop %s: another process of group %r has it; skipped", loop, group)
                return
            run_loop(process.engine, process.settings, loop)
    except Exception:
        log.exception("collection loop %s failed", loop)
