"""The CMDB away for three cycles (issue 17, done when): PostgreSQL is stopped while a lab site
fails and recovers, then restarted. The collector keeps polling into its spool; when the database
returns every run arrives once, in order, with its own times, and the site's outage has its true
start and end, although it began and ended while nothing could be written."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import flask
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from atalaya.jobs.collection import LoopSummary, open_spool, run_loop
from atalaya.jobs.schedule import build_scheduler
from atalaya.settings import Settings, load_settings
from cmdb import db
from cmdb.inventory import apply_inventory, read_toml
from cmdb.models import Link, LinkSample, Outage, PollRun, Site
from tests.faults.test_database_faults import _start_again
from tests.postgres import PostgresServer
from web.metrics import register_metrics

pytestmark = [pytest.mark.lab, pytest.mark.slow]
LOOPS = ("reachability", "snmp")  # the fast loop that sees outages, and one that stores facts


@pytest.fixture
def outage_lab(
    lab_site_fault: Any, postgres_server: PostgresServer, tmp_path: Path
) -> Iterator[tuple[Engine, Settings, list[str]]]:
    settings = load_settings(
        environ={
            "ATALAYA_DATA_DIR": str(tmp_path),
            "ATALAYA_SECRETS_DIR": str(lab_site_fault.secrets_dir),
            "ATALAYA_COLLECT_DEVICE_DEADLINE_S": "4",
            "ATALAYA_COLLECT_SNMP_TIMEOUT_S": "1.0",
            "ATALAYA_DATABASE_URL": postgres_server.create_database(f"spool_{int(time.time())}"),
        }
    )
    engine = db.make_engine(settings.database_url)
    db.upgrade(engine)
    with Session(engine) as session, session.begin():
        apply_inventory(
            session, read_toml(Path(lab_site_fault.inventory_path)), dt.datetime.now(dt.UTC)
        )
        linked = set(session.scalars(select(Site.code).join(Link, Link.site_id == Site.id)))
    sites = [
        s["code"]
        for s in lab_site_fault.truth["sites"]
        if s["kind"] == "establishment" and not s["unreachable"] and s["code"] in linked
    ][:3]
    try:
        yield engine, settings, sites
    finally:
        engine.dispose()
        if postgres_server.process is None or postgres_server.process.poll() is not None:
            _start_again(postgres_server)  # the server is shared by the session: leave it up


def _cycle(engine: Engine, settings: Settings, sites: list[str]) -> list[LoopSummary]:
    return [run_loop(engine, settings, loop, sites=sites) for loop in LOOPS]


def _spool_series(settings: Settings, engine: Engine) -> dict[str, float]:
    app = flask.Flask("spool-outage")
    app.config.update(ATALAYA_SETTINGS=settings, ATALAYA_ENGINE=engine)
    register_metrics(app)
    response = app.test_client().get("/metrics")
    assert response.status_code == 200, response.text  # with the CMDB down, too
    return {
        s.name: s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
        if s.name.startswith("atalaya_spool_")
    }


def test_three_cycles_without_the_database_arrive_once_with_the_true_outage(
    lab_site_fault: Any,
    postgres_server: PostgresServer,
    outage_lab: tuple[Engine, Settings, list[str]],
) -> None:
    engine, settings, sites = outage_lab
    failing = sites[0]
    before = _cycle(engine, settings, sites)  # the database is there: targets read and kept
    assert all(s.run_id and not s.spooled for s in before), before

    postgres_server.stop()
    gap: list[list[LoopSummary]] = []
    marks: list[dt.datetime] = []
    for fault in ("fail", "hold", "restore"):
        if fault == "fail":
            lab_site_fault.fail(failing)
        elif fault == "restore":
            lab_site_fault.restore(failing)
        marks.append(dt.datetime.now(dt.UTC).replace(tzinfo=None))
        gap.append(_cycle(engine, settings, sites))
    marks.append(dt.datetime.now(dt.UTC).replace(tzinfo=None))
    # polled, not lost: each run kept with what it saw (the failing site's link down twice)
    assert all(s.spooled and s.total > 0 for cycle in gap for s in cycle), gap
    reach = [cycle[0] for cycle in gap]
    assert [s.by_reason.get("unreachable", 0) > 0 for s in reach] == [True, True, False]
    series = _spool_series(settings, engine)  # visible while the CMDB is down
    assert series["atalaya_spool_runs"] == 3 * len(LOOPS)
    assert series["atalaya_spool_dropped_total"] == 0
    assert series["atalaya_spool_oldest_age_seconds"] > 0

    _start_again(postgres_server)
    after = _cycle(engine, settings, sites)  # replays the spool first, then stores its own
    assert all(s.run_id and not s.spooled and not s.error for s in after), after
    spool = open_spool(settings)
    assert spool is not None and spool.is_empty()

    with Session(engine) as session:
        for loop in LOOPS:
            runs = session.scalars(
                select(PollRun).where(PollRun.loop == loop).order_by(PollRun.started_at)
            ).all()
            # every run once: before, the three of the gap, after; each finished, none aborted
            assert len(runs) == 5, [(r.id, r.started_at) for r in runs]
            assert all(r.ended_at and not _aborted(r) for r in runs)
            gap_starts = [r.started_at for r in runs[1:4]]
            assert all(marks[i] <= gap_starts[i] <= marks[i + 1] for i in range(3)), gap_starts
        link = session.scalars(
            select(Link).join(Site, Link.site_id == Site.id).where(Site.code == failing)
        ).one()
        outages = session.scalars(
            select(Outage).where(Outage.target_type == "link", Outage.target_id == link.id)
        ).all()
        assert len(outages) == 1, [(o.start, o.end) for o in outages]
        outage = outages[0]
        # its true start (polled in the first cycle of the gap) and end (the third)
        assert marks[0] <= outage.start <= marks[1], (outage.start, marks)
        assert outage.end is not None and marks[2] <= outage.end <= marks[3], (outage.end, marks)
        samples = session.scalar(select(func.count()).where(LinkSample.link_id == link.id))
        assert samples == 5  # one per reachability run: nothing stored twice


def _aborted(run: PollRun) -> bool:
    return any(error.get("reason") == "aborted" for error in run.errors or [])


def _wait(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {seconds} s: {what}")
        time.sleep(0.5)


def _ended_runs(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(
            select(func.count()).select_from(PollRun).where(PollRun.ended_at.is_not(None))
        ) or 0


def test_the_schedule_keeps_polling_into_the_spool_while_the_database_is_away(
    postgres_server: PostgresServer, outage_lab: tuple[Engine, Settings, list[str]]
) -> None:
    """Under `serve` the schedule lives in the CMDB, which fires nothing while it is away: the
    in-memory offline jobs keep the loop going, and the scheduled runs replay on return."""
    engine, settings, _ = outage_lab
    settings.collect.reachability_interval_s = 3
    for loop in ("snmp", "software", "ssh"):
        setattr(settings.collect, f"{loop}_interval_s", 0)
    spool = open_spool(settings)
    assert spool is not None
    scheduler = build_scheduler(engine, settings)
    scheduler.start()
    try:
        _wait(lambda: _ended_runs(engine) >= 1, 60, "a first scheduled run")
        postgres_server.stop()
        stopped = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        _wait(lambda: spool.state().runs >= 2, 60, "two runs spooled by the offline job")
        _start_again(postgres_server)
        restarted = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        _wait(spool.is_empty, 90, "the spool replayed by a scheduled run")
    finally:
        scheduler.shutdown(wait=True)
    with Session(engine) as session:
        runs = session.scalars(select(PollRun).where(PollRun.loop == "reachability")).all()
    starts = [r.started_at for r in runs]
    assert len(starts) == len(set(starts))  # nothing twice
    during = [r for r in runs if stopped <= r.started_at <= restarted]
    assert len(during) >= 2 and all(r.ended_at and not _aborted(r) for r in during), during
