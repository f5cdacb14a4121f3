"""Link load as the pages, the engine and /metrics read it: daily 95th percentiles and the last
utilisation of each site link (samples are written by `cmdb.linkload_ingest`)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cmdb.models import Link, LinkLoadSample, Site


def percentile(values: Sequence[float], share: float = 0.95) -> float | None:
    """Nearest-rank percentile (what carriers bill on): the value below which ``share`` lie."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def daily_p95(session: Session, days: int, until: dt.date) -> dict[int, tuple[float | None, ...]]:
    """link id -> the 95th percentile of max(in, out) utilisation of each of the ``days`` days
    up to ``until`` (oldest first; None for a day without samples). One query for all links.
    Days are UTC days, as samples are stored."""
    start = dt.datetime.combine(until - dt.timedelta(days=days - 1), dt.time())
    rows = session.execute(
        select(
            LinkLoadSample.link_id, LinkLoadSample.at, LinkLoadSample.in_ratio,
            LinkLoadSample.out_ratio,
        ).where(LinkLoadSample.at >= start, LinkLoadSample.in_ratio.is_not(None))
    )  # fmt: skip
    per_day: dict[int, dict[dt.date, list[float]]] = {}
    for link_id, at, in_ratio, out_ratio in rows:
        day = per_day.setdefault(link_id, {}).setdefault(at.date(), [])
        day.append(max(in_ratio or 0.0, out_ratio or 0.0))
    return {
        link_id: tuple(
            percentile(by_day.get(until - dt.timedelta(days=n), []))
            for n in range(days - 1, -1, -1)
        )
        for link_id, by_day in per_day.items()
    }


def latest_utilisation(session: Session) -> dict[str, tuple[float, float]]:
    """site code -> (in, out) utilisation of the last sample with a rate, for /metrics."""
    latest = (
        select(func.max(LinkLoadSample.id))
        .where(LinkLoadSample.in_ratio.is_not(None))
        .group_by(LinkLoadSample.link_id)
        .scalar_subquery()
    )
    rows = session.execute(
        select(Site.code, LinkLoadSample.in_ratio, LinkLoadSample.out_ratio)
        .join(Link, LinkLoadSample.link_id == Link.id)
        .join(Site, Link.site_id == Site.id)
        .where(LinkLoadSample.id.in_(latest))
    )
    return {code: (in_ratio or 0.0, out_ratio or 0.0) for code, in_ratio, out_ratio in rows}
