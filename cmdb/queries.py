"""Read-side queries shared by the CLI, the web and the metrics."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cmdb.models import SITE_KINDS, Device, Link, Region, Site


@dataclass
class RegionStatus:
    code: str
    name: str
    sites: dict[str, int] = field(default_factory=dict)  # by site kind
    devices: int = 0
    devices_reachable: int = 0
    devices_unreachable: int = 0
    links_down: int = 0


def status_by_region(session: Session) -> list[RegionStatus]:
    """Counts per region: sites by kind, devices and how many answer, links down."""
    regions = {
        r.id: RegionStatus(r.code, r.name)
        for r in session.scalars(select(Region).order_by(Region.code))
    }
    for region_id, kind, count in session.execute(
        select(Site.region_id, Site.kind, func.count()).group_by(Site.region_id, Site.kind)
    ):
        regions[region_id].sites[kind] = count
    rows = session.execute(
        select(Site.region_id, Device.reachable, func.count())
        .join(Device, Device.site_id == Site.id)
        .group_by(Site.region_id, Device.reachable)
    )
    for region_id, reachable, count in rows:
        status = regions[region_id]
        status.devices += count
        if reachable is True:
            status.devices_reachable += count
        elif reachable is False:
            status.devices_unreachable += count
    for region_id, count in session.execute(
        select(Site.region_id, func.count())
        .join(Link, Link.site_id == Site.id)
        .where(Link.up.is_(False))
        .group_by(Site.region_id)
    ):
        regions[region_id].links_down = count
    return list(regions.values())


def site_kind_totals(statuses: list[RegionStatus]) -> dict[str, int]:
    return {kind: sum(s.sites.get(kind, 0) for s in statuses) for kind in SITE_KINDS}
