"""Read queries behind the web pages and the JSON API: a few queries per page, never one per row.

Every list is paginated (`Page`); every function takes the caller's session and `now` (naive UTC)
where time matters, so pages and tests agree on what "the last 24 hours" means. The sites
board and one site's devices and outages are `cmdb.sitequeries`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from cmdb.listcounts import total as list_total
from cmdb.models import Change, ConfigSnapshot, Device, Finding, PollRun, Region, Site

T = TypeVar("T")
MAX_PER_PAGE = 500


@dataclass
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def paginate(session: Session, query: Select[Any], page: int, per_page: int) -> Page[Any]:
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    page = max(1, page)
    total = list_total(session, query)  # counted once per change of the data (why: there)
    rows = session.execute(query.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(list(rows), total, page, per_page)


def device_query(
    region: str | None = None,
    site: str | None = None,
    kind: str | None = None,
    platform: str | None = None,
    search: str | None = None,
) -> Select[Any]:
    query: Any = (
        select(Device, Site.code, Region.code)
        .join(Site, Device.site_id == Site.id)
        .join(Region, Site.region_id == Region.id)
        .order_by(Region.code, Site.code, Device.hostname)
    )
    if region:
        query = query.where(Region.code == region)
    if site:
        query = query.where(Site.code == site)
    if kind:
        query = query.where(Device.kind == kind)
    if platform:
        query = query.where(Device.platform == platform)
    if search:
        like = f"%{search}%"
        query = query.where(
            or_(
                Device.hostname.ilike(like),
                Device.model.ilike(like),
                Device.address.like(like),
                Device.serial.ilike(like),
            )
        )
    return query


def device_by_id(session: Session, device_id: int) -> tuple[Device, Site, Region] | None:
    row = session.execute(
        select(Device, Site, Region)
        .join(Site, Device.site_id == Site.id)
        .join(Region, Site.region_id == Region.id)
        .where(Device.id == device_id)
    ).first()
    return None if row is None else (row[0], row[1], row[2])


def config_history(session: Session, device_id: int, limit: int = 50) -> list[ConfigSnapshot]:
    """Snapshots newest first; each carries its diff against the one before."""
    return list(
        session.scalars(
            select(ConfigSnapshot)
            .where(ConfigSnapshot.device_id == device_id)
            .order_by(ConfigSnapshot.taken_at.desc(), ConfigSnapshot.id.desc())
            .limit(limit)
        )
    )


def snapshot_count(session: Session, device_id: int) -> int:
    return session.scalar(select(func.count()).where(ConfigSnapshot.device_id == device_id)) or 0


def change_query(
    ci_type: str | None = None,
    ci_id: int | None = None,
    name: str | None = None,
    field_name: str | None = None,
    source: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> Select[Any]:
    query = select(Change).order_by(Change.at.desc(), Change.id.desc())
    if ci_type:
        query = query.where(Change.ci_type == ci_type)
    if ci_id is not None:
        query = query.where(Change.ci_id == ci_id)
    if name:
        query = query.where(Change.ci_name.ilike(f"%{name}%"))
    if field_name:
        query = query.where(Change.field == field_name)
    if source:
        query = query.where(Change.source.ilike(f"{source}%"))
    if since:
        query = query.where(Change.at >= since)
    if until:
        query = query.where(Change.at < until)
    return query


def finding_query(
    severity: str | None = None,
    status: str | None = None,
    rule_ids: Sequence[str] | None = None,
    region: str | None = None,
    site: str | None = None,
    platform: str | None = None,
    changed_since: dt.datetime | None = None,
    ci_type: str | None = None,
    ci_id: int | None = None,
) -> Select[Any]:
    """Findings with the name of their CI, site and region (devices by hostname, links by site)."""
    query: Any = (
        select(Finding, Device.hostname, Device.platform, Site.code, Region.code)
        .outerjoin(Device, (Finding.ci_type == "device") & (Finding.ci_id == Device.id))
        .outerjoin(Site, Finding.site_id == Site.id)
        .outerjoin(Region, Site.region_id == Region.id)
        .order_by(Finding.last_changed.desc(), Finding.id)
    )
    if severity:
        query = query.where(Finding.severity == severity)
    if status:
        query = query.where(Finding.status == status)
    if rule_ids is not None:
        query = query.where(Finding.rule_id.in_(list(rule_ids)))
    if region:
        query = query.where(Region.code == region)
    if site:
        query = query.where(Site.code == site)
    if platform:
        query = query.where(Device.platform == platform)
    if changed_since:
        query = query.where(Finding.last_changed >= changed_since)
    if ci_type:
        query = query.where(Finding.ci_type == ci_type)
    if ci_id is not None:
        query = query.where(Finding.ci_id == ci_id)
    return query


def finding_counts(session: Session) -> list[tuple[str, int | None, str, str, str, int]]:
    """(rule, site id, region code, status, severity, count): what every score is made of."""
    rows = session.execute(
        select(
            Finding.rule_id,
            Finding.site_id,
            Region.code,
            Finding.status,
            Finding.severity,
            func.count(),
        )
        .outerjoin(Site, Finding.site_id == Site.id)
        .outerjoin(Region, Site.region_id == Region.id)
        .group_by(Finding.rule_id, Finding.site_id, Region.code, Finding.status, Finding.severity)
    )
    return [(r, s, g or "", st, sev, n) for r, s, g, st, sev, n in rows]


def recent_poll_runs(session: Session, limit: int = 8) -> list[PollRun]:
    return list(
        session.scalars(
            select(PollRun).order_by(PollRun.started_at.desc(), PollRun.id.desc()).limit(limit)
        )
    )


def regions(session: Session) -> list[Region]:
    return list(session.scalars(select(Region).order_by(Region.code)))


def site_names(session: Session) -> dict[int, tuple[str, str]]:
    """Site id -> (code, region code), for labelling scores."""
    rows = session.execute(select(Site.id, Site.code, Region.code).join(Region))
    return {site_id: (code, region) for site_id, code, region in rows}


def platforms(session: Session) -> list[str]:
    return list(session.scalars(select(Device.platform).distinct().order_by(Device.platform)))


def failing_by_site(session: Session, rule_ids: Sequence[str]) -> list[tuple[str, str, int]]:
    """(region code, site code, failing findings) of these rules: counts, not rows."""
    rows = session.execute(
        select(Region.code, Site.code, func.count())
        .select_from(Finding)
        .outerjoin(Site, Finding.site_id == Site.id)
        .outerjoin(Region, Site.region_id == Region.id)
        .where(Finding.rule_id.in_(list(rule_ids)), Finding.status == "fail")
        .group_by(Region.code, Site.code)
    )
    return [(region or "—", site or "—", count) for region, site, count in rows]
