"""The collection loops on a schedule, held in the CMDB per poller group.

Jobs live in the group's own table (APScheduler's SQLAlchemyJobStore on the CMDB engine), so a
restarted collector resumes at the stored next run time instead of polling at once. A late run
is coalesced into one and a loop never overlaps itself in one process; across processes of one
group, each run first takes the group's lease (atalaya/jobs/leases.py).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass, field

from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine, Float, String, column, delete, inspect, select, table
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from atalaya.jobs import leases
from atalaya.jobs.collection import LOOP_NAMES, intervals, open_spool, run_loop
from atalaya.jobs.groups import check_group, job_table
from atalaya.settings import Settings
from cmdb import db
from cmdb.models import PollRun

log = logging.getLogger(__name__)


@dataclass
class _Process:
    """What a job needs and cannot carry: jobs live pickled in the database, an engine can't."""

    engine: Engine
    settings: Settings
    holder: str
    # One run of a loop at a time in this process, scheduled or offline (see offline_loop).
    running: dict[str, threading.Lock] = field(
        default_factory=lambda: {loop: threading.Lock() for loop in LOOP_NAMES}
    )


_PROCESS: dict[str, _Process] = {}


def build_scheduler(engine: Engine, settings: Settings) -> BackgroundScheduler:
    """The loops of this process's poller group on their intervals, held in the CMDB."""
    group = check_group(settings.collect.poller_group)
    table_name = job_table(group)
    _PROCESS[group] = _Process(engine, settings, leases.holder_name())
    store = SQLAlchemyJobStore(engine=engine, tablename=table_name)
    _create_job_table(engine, store)
    scheduler = BackgroundScheduler(
        timezone=dt.UTC,
        # "offline" in memory: APScheduler skips a job store it cannot read and still fires
        # the others, so these keep polling while the CMDB (and the default store) is away.
        jobstores={"default": store, "offline": MemoryJobStore()},
        executors={"default": {"type": "threadpool", "max_workers": len(LOOP_NAMES)}},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
    )
    now = dt.datetime.now(dt.UTC)
    stored = stored_next_runs(engine, table_name)
    every = intervals(settings.collect)
    _forget(engine, table_name, [f"collect-{loop}" for loop, s in every.items() if s <= 0])
    for loop, seconds in every.items():
        if seconds > 0:
            _add_loop(scheduler, engine, group, loop, seconds, stored.get(f"collect-{loop}"), now)
            scheduler.add_job(
                offline_loop, "interval", seconds=seconds, args=(group, loop),
                id=f"offline-{loop}", jobstore="offline",
            )  # fmt: skip
    return scheduler


def _add_loop(
    scheduler: BackgroundScheduler,
    engine: Engine,
    group: str,
    loop: str,
    seconds: int,
    resumed: dt.datetime | None,
    now: dt.datetime,
) -> None:
    job_id = f"collect-{loop}"
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
    seconds = intervals(process.settings.collect)[loop] if process else 0
    if process is None or seconds <= 0:
        log.warning("job %s of group %r is not this process's: skipped", loop, group)
        return
    # A scheduled job that raises would only be logged by APScheduler; say which loop failed.
    try:
        with leases.held(process.engine, group, loop, process.holder, seconds) as taken:
            if not taken:
                log.info("loop %s: another process of group %r has it; skipped", loop, group)
                return
            _run_alone(process, loop)
    except Exception:
        log.exception("collection loop %s failed", loop)


def offline_loop(group: str, loop: str) -> None:
    """While the CMDB cannot be reached, its job store fires no job and no lease can be taken:
    this in-memory job keeps the loop polling on its interval, into the spool. It does nothing
    while the database answers (the scheduled job runs the loop then), nor without a spool.
    Two processes of one group both poll during an outage: each run is stored on return."""
    process = _PROCESS.get(group)
    if process is None or open_spool(process.settings) is None or db.reachable(process.engine):
        return
    try:
        _run_alone(process, loop)
    except Exception:
        log.exception("collection loop %s (offline) failed", loop)


def _run_alone(process: _Process, loop: str) -> None:
    lock = process.running[loop]
    if not lock.acquire(blocking=False):
        log.info("loop %s: still running in this process; skipped", loop)
        return
    try:
        run_loop(process.engine, process.settings, loop)
    finally:
        lock.release()
