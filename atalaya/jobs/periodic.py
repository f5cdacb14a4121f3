"""The periodic evaluation of a serving process: findings, scores and plan indicators stay
current without anyone running `atalaya evaluate`.

It runs in the web side (`serve --role all` or `--role web`), never in a collector: at scale
there are several collectors and one evaluation is enough. Several web processes share it
through the same lease the collectors use (group "", loop "evaluate"), so each interval is
evaluated once.
"""

from __future__ import annotations

import datetime as dt
import logging

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from atalaya.jobs import leases
from atalaya.jobs.plan import evaluate_plan
from atalaya.settings import Settings
from cmdb.models import Evaluation

log = logging.getLogger(__name__)
LEASE_GROUP, LEASE_LOOP = "", "evaluate"
STARTUP_DELAY_S = 60


def evaluate_once(engine: Engine, settings: Settings, holder: str) -> bool:
    """Evaluate now if no other process did within the interval; True when it ran."""
    interval = settings.compliance.evaluate_interval_s
    try:
        with leases.held(engine, LEASE_GROUP, LEASE_LOOP, holder, interval) as taken:
            if not taken:
                return False
            with Session(engine) as session, session.begin():
                done = evaluate_plan(settings, session)
            log.info(
                "evaluation: %d findings, indicators for %s", len(done.run.findings), done.period
            )
            return True
    except Exception:  # a bad policy file or a database hiccup: the next interval retries
        log.exception("periodic evaluation failed")
        return False


def first_run(engine: Engine, interval_s: int, now: dt.datetime) -> dt.datetime:
    """One interval after the last stored evaluation (e.g. the one `make demo` just ran), or a
    minute after start when there is none: start-up and shutdown stay quick either way."""
    with Session(engine) as session:
        last = session.scalar(select(func.max(Evaluation.at)))
    if last is None:
        return now + dt.timedelta(seconds=min(interval_s, STARTUP_DELAY_S))
    return max(now, last.replace(tzinfo=dt.UTC) + dt.timedelta(seconds=interval_s))


def start_evaluation(engine: Engine, settings: Settings) -> BackgroundScheduler | None:
    """Evaluate every `[compliance] evaluate_interval_s` (0: never)."""
    interval = settings.compliance.evaluate_interval_s
    if interval <= 0:
        return None
    now = dt.datetime.now(dt.UTC)
    scheduler = BackgroundScheduler(timezone=dt.UTC)
    scheduler.add_job(
        evaluate_once,
        "interval",
        seconds=interval,
        args=(engine, settings, leases.holder_name()),
        id="evaluate",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=None,
        next_run_time=first_run(engine, interval, now),
    )
    scheduler.start()
    return scheduler
