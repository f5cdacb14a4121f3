"""Running the collection loops: one loop (or all) now, each run one PollRun.

Start the run's PollRun and load its targets, collect (no database session is open while the
network is polled), then ingest and finish the PollRun in one transaction (atalaya/jobs/
replay.py). When the CMDB cannot be written the run goes to the spool instead and is replayed,
in order, before a later run's ingest. The loops themselves are the `LOOPS` table of
atalaya/jobs/loops.py.
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
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from atalaya.jobs.groups import regions_key
from atalaya.jobs.loops import LOOP_NAMES, LOOPS, SPOOLED, Loop, short_error
from atalaya.jobs.metrics import store_metrics
from atalaya.jobs.replay import RunRecord, database_unavailable, replay_spool, store_run
from atalaya.jobs.scope import Result, Scope, Work
from atalaya.jobs.spool import Spool, spool_path
from atalaya.settings import CollectSettings, Settings
from cmdb.ingest import start_run
from collectors.base import DeviceFacts, ProbeSample

log = logging.getLogger(__name__)

# The targets each (loop, regions, sites) read last, kept for runs while the CMDB is away.
_KNOWN_TARGETS: dict[tuple[str, tuple[str, ...], tuple[str, ...]], list[Work]] = {}
INGESTERS = {name: loop.ingest for name, loop in LOOPS.items()}
# progress(loop, done, total): called with done=0 when the loop's targets are known
Progress = Callable[[str, int, int], None]
__all__ = ["LOOPS", "LOOP_NAMES", "Scope", "run_cycle", "run_loop"]  # the CLI and tests


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
    spooled: bool = False  # kept in the spool, to be stored when the database returns


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
    """Run one loop now. A database that cannot be written sends the results to the spool
    (atalaya/jobs/spool.py), replayed before a later run's; without a spool, or with a database
    that refuses them for good, the loop ends with the reason."""
    if loop not in LOOPS:
        raise ValueError(f"unknown loop {loop!r}: one of {', '.join(LOOP_NAMES)}")
    started = time.monotonic()
    scope = Scope(regions or settings.collect.regions or None, sites)
    try:
        summary = _run_and_store(engine, settings, LOOPS[loop], scope, progress)
    except DBAPIError as error:
        # Nothing could keep the results: the next start marks an open PollRun aborted, and
        # the cycle goes on with its other loops instead of stopping here.
        reason = short_error(error)
        log.error("loop %s: results not stored: %s", loop, reason)
        summary = LoopSummary(loop, 0, by_reason={"database": 1}, error=reason)
    summary.duration_s = time.monotonic() - started
    log.info(
        "loop %s: %d ok, %d failed in %.1f s", loop, summary.ok, summary.failed, summary.duration_s
    )
    return summary


def open_spool(settings: Settings) -> Spool | None:
    """The poller group's spool under the data directory; None when spool_max_mb is 0."""
    conf = settings.collect
    if conf.spool_max_mb <= 0:
        return None
    path = spool_path(settings.data_path, conf.poller_group)
    return Spool(path, conf.poller_group, int(conf.spool_max_mb * 1024 * 1024))


def _run_and_store(
    engine: Engine, settings: Settings, loop: Loop, scope: Scope, progress: Progress | None
) -> LoopSummary:
    spool = open_spool(settings)
    began = dt.datetime.now(dt.UTC)
    run_id, targets = _start(engine, settings, loop, scope, spool, began)
    results = _collect(settings.collect, loop, targets, progress)
    record = RunRecord(
        loop.name, settings.collect.poller_group, regions_key(scope.regions), run_id,
        began, dt.datetime.now(dt.UTC), results,
    )  # fmt: skip
    try:
        replay_spool(engine, spool, INGESTERS)  # the runs before this one go in first
        stored = store_run(engine, loop.ingest, record)
    except DBAPIError as error:
        if spool is None or loop.name not in SPOOLED or not database_unavailable(error):
            raise
        seq = spool.append(
            loop.name, record.regions, run_id, began, record.ended_at, results
        )  # fmt: skip
        log.warning("loop %s: CMDB unavailable, run kept in %s as %d", loop.name, spool.path, seq)
        return _unstored(loop.name, run_id, results, f"spooled: {short_error(error)}")
    assert stored is not None  # its PollRun is this run's own, opened above and still open
    _store_metrics(engine, settings)
    return LoopSummary(
        loop.name, stored.run_id, stored.total, stored.ok, stored.failed,
        by_reason=dict(Counter(stored.reasons)),
    )  # fmt: skip


def _store_metrics(engine: Engine, settings: Settings) -> None:
    """Render /metrics now that the run is stored (a scrape then serves it without a rebuild);
    a failure here costs a slower scrape, never the run."""
    try:
        with Session(engine) as session, session.begin():
            store_metrics(session, settings)
    except Exception:
        log.exception("metrics not rendered after the run; the next scrape builds them")


def _start(
    engine: Engine, settings: Settings, loop: Loop, scope: Scope, spool: Spool | None,
    began: dt.datetime,
) -> tuple[int | None, list[Work]]:  # fmt: skip
    """Open the run's PollRun and read its targets; with the database away, keep polling the
    targets this process read last for the same loop and scope (memory only: they hold
    resolved secrets, which never go to the spool)."""
    key = (loop.name, tuple(scope.regions or ()), tuple(scope.sites or ()))
    try:
        replay_spool(engine, spool, INGESTERS)  # the database is back: what it missed first
        with Session(engine) as session, session.begin():
            run = start_run(session, loop.name, settings.collect.poller_group, at=began)
            run.regions = regions_key(scope.regions)
            run_id = run.id
            targets = loop.targets(session, scope, settings.secret, settings.collect)
    except DBAPIError as error:
        if spool is None or key not in _KNOWN_TARGETS or not database_unavailable(error):
            raise
        log.warning(
            "loop %s: CMDB unavailable (%s): polling the %d targets of its last run into the "
            "spool", loop.name, short_error(error), len(_KNOWN_TARGETS[key]),
        )  # fmt: skip
        return None, _KNOWN_TARGETS[key]
    _KNOWN_TARGETS[key] = targets
    return run_id, targets


def _unstored(loop: str, run_id: int | None, results: list[Result], error: str) -> LoopSummary:
    """A run's summary from its results alone (spooled: the CMDB could not count them)."""
    reasons = [r.error.reason for r in results if isinstance(r, DeviceFacts) and r.error]
    reasons += ["unreachable" for r in results if isinstance(r, ProbeSample) and not r.up]
    return LoopSummary(
        loop, run_id or 0, len(results), len(results) - len(reasons), len(reasons),
        by_reason=dict(Counter(reasons)), error=error, spooled=True,
    )  # fmt: skip


def _collect(
    conf: CollectSettings, loop: Loop, targets: list[Work], progress: Progress | None
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
