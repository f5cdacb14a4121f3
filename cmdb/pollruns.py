"""PollRun bookkeeping: one row per collector run, started, finished with each failure's
reason, and marked aborted when a later run of its loop finds it never finished."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from cmdb.ingest_values import naive_utc
from cmdb.models import PollRun
from collectors.base import DeviceFacts, LinkCounters, NeighbourReport, ProbeSample, Sighting


def start_run(
    session: Session, loop: str, poller_group: str = "", at: dt.datetime | None = None
) -> PollRun:
    started = naive_utc(at or dt.datetime.now(dt.UTC))
    _mark_abandoned(session, loop, poller_group, started)
    run = PollRun(loop=loop, poller_group=poller_group, started_at=started, errors=[])
    session.add(run)
    session.flush()
    return run


def _mark_abandoned(session: Session, loop: str, poller_group: str, now: dt.datetime) -> None:
    """Earlier runs of this loop and poller group that never finished (the process was killed
    or crashed mid-cycle) get an ``aborted`` error, so `status` and the PollRun list say why
    they have no end. ended_at stays empty: when they stopped is unknown, and /metrics counts
    only ended runs as completed cycles. A run still alive in another process of the same
    group (a misconfiguration) overwrites the mark with its real errors when it finishes."""
    for run in session.scalars(
        select(PollRun).where(
            PollRun.loop == loop,
            PollRun.poller_group == poller_group,
            PollRun.ended_at.is_(None),
        )
    ):
        if any(error.get("reason") == "aborted" for error in run.errors or []):
            continue
        run.errors = [
            *(run.errors or []),
            {
                "device": "",
                "reason": "aborted",
                "message": f"run never finished (process killed or crashed); noticed at "
                f"{now:%Y-%m-%d %H:%M:%S} UTC when the next {loop} run started",
            },
        ]


def finish_run(
    session: Session,
    run: PollRun,
    facts: Sequence[DeviceFacts | ProbeSample | Sighting | NeighbourReport | LinkCounters],
    at: dt.datetime,
) -> None:
    """Close a run with its counts and each failure's reason (failures are data). A swept
    address that stays silent is no failure: most of a prefix is empty."""
    errors: list[dict[str, str]] = []
    for item in facts:
        if isinstance(item, DeviceFacts | NeighbourReport | LinkCounters) and item.error:
            errors.append(
                {
                    "device": item.hostname,
                    "reason": item.error.reason,
                    "message": item.error.message,
                }
            )
        elif isinstance(item, ProbeSample) and not item.up:
            errors.append(
                {
                    "device": item.target,
                    "reason": "unreachable",
                    "message": item.error or f"no answer from {item.address}",
                }
            )
    run.devices_total = len(facts)
    run.devices_failed = len(errors)
    run.devices_ok = len(facts) - len(errors)
    run.errors = errors
    run.ended_at = naive_utc(at)
