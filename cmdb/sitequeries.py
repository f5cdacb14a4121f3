"""Read queries behind the sites board (web page, JSON API, overview): each site's state,
link figures and availability, and one site's devices and outages. A few queries per board,
never one per site; `now` is naive UTC so pages and tests agree on "the last 24 hours".
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from cmdb.availability import availability
from cmdb.models import Device, Link, LinkSample, Outage, Region, Site

WINDOWS = {"24h": dt.timedelta(hours=24), "7d": dt.timedelta(days=7), "30d": dt.timedelta(days=30)}
# A link that answers but loses this share of packets, or answers this slowly, is degraded.
DEGRADED_LOSS = 0.2
DEGRADED_RTT_MS = 300.0

Span = tuple[dt.datetime, dt.datetime | None]


@dataclass
class SiteStatus:
    id: int
    code: str
    name: str
    kind: str
    region_code: str
    region_name: str
    state: str  # up | degraded | down | unknown
    down_since: dt.datetime | None = None
    rtt_ms: float | None = None
    loss_ratio: float | None = None
    last_probe: dt.datetime | None = None
    devices: int = 0
    devices_down: int = 0
    availability: dict[str, float | None] = field(default_factory=dict)


def _state(
    link_up: bool | None, loss: float | None, rtt: float | None, total: int, down: int, known: int
) -> str:
    if link_up is False or (total and down == total):
        return "down"
    if link_up is None and known == 0:
        return "unknown"
    if down or (loss or 0) >= DEGRADED_LOSS or (rtt or 0) >= DEGRADED_RTT_MS:
        return "degraded"
    return "up"


def sites_board(
    session: Session,
    now: dt.datetime,
    region: str | None = None,
    kind: str | None = None,
    site_code: str | None = None,
) -> list[SiteStatus]:
    """Every site (or those of one region/kind) with its state, link figures and availability."""
    rows = session.execute(_board_query(region, kind, site_code)).all()
    site_ids = [row[0].id for row in rows]
    counts = _device_counts(session, site_ids)
    outages, device_down_since = _outages(session, site_ids, now - WINDOWS["30d"])
    result = []
    for site, r_code, r_name, link_id, up, rtt, loss, last_probe, first in rows:
        c = counts.get(site.id, {})
        total, down = sum(c.values()), c.get(False, 0)
        status = SiteStatus(
            site.id,
            site.code,
            site.name,
            site.kind,
            r_code,
            r_name,
            _state(up, loss, rtt, total, down, total - c.get(None, 0)),
            rtt_ms=rtt,
            loss_ratio=loss,
            last_probe=last_probe,
            devices=total,
            devices_down=down,
        )
        link_outages = outages.get(link_id, []) if link_id is not None else []
        open_starts = [s for s, e in link_outages if e is None]
        if status.state == "down":
            status.down_since = min(open_starts) if open_starts else device_down_since.get(site.id)
        for name, span in WINDOWS.items():
            start = now - span
            if first is None:
                status.availability[name] = None  # never probed: unknown, not 100 %
            else:
                status.availability[name] = availability(link_outages, max(start, first), now)
        result.append(status)
    return result


def _board_query(region: str | None, kind: str | None, site_code: str | None) -> Select[Any]:
    """Site, region code and name, link id, up, rtt, loss, last probe, first sample: one row
    per site and link."""
    first_sample = (
        select(func.min(LinkSample.at)).where(LinkSample.link_id == Link.id).scalar_subquery()
    )
    query: Any = (
        select(
            Site,
            Region.code,
            Region.name,
            Link.id,
            Link.up,
            Link.rtt_ms,
            Link.loss_ratio,
            Link.last_probe,
            first_sample,
        )
        .join(Region, Site.region_id == Region.id)
        .outerjoin(Link, Link.site_id == Site.id)
        .order_by(Region.code, Site.kind, Site.code)
    )
    if region:
        query = query.where(Region.code == region)
    if kind:
        query = query.where(Site.kind == kind)
    if site_code:
        query = query.where(Site.code == site_code)
    return query


def _device_counts(session: Session, site_ids: list[int]) -> dict[int, dict[bool | None, int]]:
    """Site id -> reachable (True, False, None: never polled) -> devices not retired."""
    counts: dict[int, dict[bool | None, int]] = defaultdict(dict)
    for site_id, reachable, count in session.execute(
        select(Device.site_id, Device.reachable, func.count())
        .where(Device.site_id.in_(site_ids), Device.lifecycle_status != "retired")
        .group_by(Device.site_id, Device.reachable)
    ):
        counts[site_id][reachable] = count
    return counts


def _outages(
    session: Session, site_ids: list[int], since: dt.datetime
) -> tuple[dict[int, list[Span]], dict[int, dt.datetime]]:
    """Link id -> outage spans since `since`, and site id -> start of its oldest open device
    outage."""
    outages: dict[int, list[Span]] = defaultdict(list)
    device_down_since: dict[int, dt.datetime] = {}
    for target_type, target_id, site_id, start, end in session.execute(
        select(
            Outage.target_type, Outage.target_id, Outage.site_id, Outage.start, Outage.end
        ).where(Outage.site_id.in_(site_ids), or_(Outage.end.is_(None), Outage.end > since))
    ):
        if target_type == "link":
            outages[target_id].append((start, end))
        elif end is None:
            device_down_since[site_id] = min(start, device_down_since.get(site_id, start))
    return outages, device_down_since


def site_outages(session: Session, site_id: int, since: dt.datetime) -> list[Outage]:
    return list(
        session.scalars(
            select(Outage)
            .where(Outage.site_id == site_id, or_(Outage.end.is_(None), Outage.end > since))
            .order_by(Outage.start.desc())
            .limit(200)
        )
    )


def site_devices(session: Session, site_id: int) -> list[Device]:
    return list(
        session.scalars(
            select(Device).where(Device.site_id == site_id).order_by(Device.kind, Device.hostname)
        )
    )
