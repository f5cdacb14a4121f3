"""Poller groups: one name per collector deployment, each pinned to a set of regions.

A group's name picks its job table and its leases; its regions are written on each PollRun,
so a starting collector can see that another group already polls some of its regions.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from atalaya.settings import SettingsError
from cmdb.models import PollRun

# A group name becomes part of a table name: keep it to what every engine accepts unquoted.
GROUP_NAME = re.compile(r"[a-z0-9_]{1,40}")
# How far back another group's runs count as "it polls these regions now".
RECENT = dt.timedelta(hours=24)


def check_group(name: str) -> str:
    """The group name, or SettingsError saying what a valid one looks like ("" = no group)."""
    if name and not GROUP_NAME.fullmatch(name):
        raise SettingsError(
            f"[collect] poller_group = {name!r}: use 1 to 40 lower-case letters, digits or _"
        )
    return name


def regions_key(regions: Sequence[str] | None) -> str:
    """How a run's regions are stored on PollRun: sorted, upper case, comma-separated."""
    return ",".join(sorted({r.strip().upper() for r in regions or () if r.strip()}))


def job_table(group: str) -> str:
    """APScheduler's job table of a group: one per group, since SQLAlchemyJobStore runs every
    job of its table and cannot be told to skip another group's."""
    return f"apscheduler_jobs_{group}" if group else "apscheduler_jobs"


def overlapping_groups(
    session: Session, group: str, regions: Sequence[str] | None, now: dt.datetime
) -> list[str]:
    """One line per other group whose recent runs covered some of `regions` (empty: all)."""
    mine = set(regions_key(regions).split(",")) - {""}
    since = now - RECENT
    query = (
        select(PollRun.poller_group, PollRun.regions)
        .where(PollRun.poller_group != group, PollRun.started_at >= since)
        .distinct()
    )
    found: dict[str, set[str]] = {}
    for other, covered in session.execute(query):
        theirs = set(covered.split(",")) - {""}
        # An empty set is every region: it shares all of the other side's regions.
        shared = mine & theirs if mine and theirs else (mine or theirs or {"every region"})
        if shared:
            found.setdefault(other, set()).update(shared)
    return [
        f"poller group {other or '(none)'!r} polled {', '.join(sorted(shared))} in the last "
        f"{RECENT.total_seconds() / 3600:.0f} h, as group {group or '(none)'!r} will: each "
        "region should belong to one group, or its devices are polled twice"
        for other, shared in sorted(found.items())
    ]
