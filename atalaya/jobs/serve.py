"""The `serve` supervisor: collection loops and periodic evaluation in the background of one
process, by role, around whatever runs in the foreground (the web server, or a wait).

The web side is handed in as a callable by the command: jobs never import the web layer.
"""

from __future__ import annotations

import datetime as dt
import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from types import FrameType

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from atalaya.jobs.groups import check_group, overlapping_groups, regions_key
from atalaya.jobs.periodic import start_evaluation
from atalaya.jobs.schedule import build_scheduler
from atalaya.settings import Settings, SettingsError
from cmdb.models import Region

log = logging.getLogger(__name__)
ROLES = ("all", "web", "collector")
Say = Callable[[str], None]  # a line for the operator (the command prints it to stderr)


@dataclass
class Background:
    """What runs behind the foreground: stopped in reverse order of start."""

    collection: BackgroundScheduler | None = None
    evaluation: BackgroundScheduler | None = None
    said: list[str] = field(default_factory=list)

    def stop(self, say: Say) -> None:
        if self.evaluation is not None:
            self.evaluation.shutdown(wait=True)
        if self.collection is not None:
            say("stopping: waiting for running loops to finish")
            self.collection.shutdown(wait=True)


def start_background(engine: Engine, settings: Settings, role: str, say: Say) -> Background:
    """Start the collection loops (roles all, collector) and the evaluation (all, web)."""
    background = Background()
    if role != "web":
        background.collection = start_collection(engine, settings, say)
    if role != "collector":
        background.evaluation = start_evaluation(engine, settings)
    return background


def start_collection(engine: Engine, settings: Settings, say: Say) -> BackgroundScheduler:
    """The poller group's loops on their schedule, after checking its regions."""
    conf = settings.collect
    check_group(conf.poller_group)
    with Session(engine) as session:
        known = set(session.scalars(select(Region.code)))
        unknown = {r.strip().upper() for r in conf.regions} - known
        if unknown:
            raise SettingsError(
                f"[collect] regions: unknown region {', '.join(sorted(unknown))} "
                f"(known: {', '.join(sorted(known))})"
            )
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        for warning in overlapping_groups(session, conf.poller_group, conf.regions, now):
            log.warning(warning)
            say(f"atalaya: warning: {warning}")
    scheduler = build_scheduler(engine, settings)
    scheduler.start()
    say(
        f"collecting for poller group {conf.poller_group or '(none)'!r}, regions "
        f"{regions_key(conf.regions) or 'all'}"
    )
    return scheduler


def supervise(
    engine: Engine,
    settings: Settings,
    role: str,
    foreground: Callable[[], None] | None,
    say: Say,
) -> None:
    """Run `foreground` (None: wait for a signal) with the role's background jobs around it;
    SIGTERM and Ctrl-C stop it, and the running loops finish before the process ends."""
    if role not in ROLES:
        raise SettingsError(f"serve role {role!r}: one of {', '.join(ROLES)}")
    configure_logging(settings)
    stop_on_sigterm()
    background = start_background(engine, settings, role, say)
    try:
        (foreground or wait_for_signal)()
    except KeyboardInterrupt:
        pass
    finally:
        background.stop(say)


def stop_on_sigterm() -> None:
    # SIGTERM (systemd, docker, kill) ends the process like Ctrl-C: the finally blocks run, so
    # the scheduler finishes the loop it is in and its job table keeps the next run time.
    def interrupt(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def wait_for_signal() -> None:
    # A collector has no server loop: the scheduler's threads poll, this one only waits.
    idle = threading.Event()
    while not idle.wait(3600):
        pass


def configure_logging(settings: Settings) -> None:
    level = settings.logging.level.upper()
    if not isinstance(logging.getLevelName(level), int):
        raise SettingsError(f"[logging] level = {settings.logging.level!r}: not a log level")
    logging.basicConfig(
        level=level,
        filename=settings.logging.file or None,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
