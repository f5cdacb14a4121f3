"""Build the compliance engine's input (`CiFacts`) from the CMDB: read-only, a handful of queries.

One query per table (devices with their site and region, latest config snapshots, installed
software, links, link outages and first samples), never one per device.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cmdb.availability import availability
from cmdb.linkload import daily_p95
from cmdb.models import (
    ConfigSnapshot,
    Device,
    DiscoveredDevice,
    InstalledSoftware,
    LicenseEntitlement,
    Link,
    LinkSample,
    Outage,
    Region,
    Site,
    utcnow,
)
from compliance.facts import CiFacts, Entitlement, IkeSa, SoftwareItem

EVALUATED_STATUSES = ("active", "maintenance")  # planned and retired devices are not judged
WINDOW = dt.timedelta(days=30)
LOAD_DAYS = 7  # daily link load percentiles the engine sees (a rule reads its last N)
_SA_FIELDS = (
    "peer",
    "ike_version",
    "status",
    "encryption",
    "integrity",
    "dh_group",
    "lifetime_s",
    "pfs",
)


def _ike_sas(raw: list[Any] | None) -> tuple[IkeSa, ...] | None:
    """SAs as `cmdb.ingest` stores them (dataclasses.asdict of collectors' IkeSaFact)."""
    if raw is None:
        return None
    return tuple(
        IkeSa(
            peer=str(item.get("peer", "")),
            ike_version=item.get("ike_version"),
            status=str(item.get("status", "")),
            encryption=str(item.get("encryption") or ""),
            integrity=str(item.get("integrity") or ""),
            dh_group=item.get("dh_group"),
            lifetime_s=item.get("lifetime_s"),
            pfs=item.get("pfs"),
        )
        for item in raw
        if isinstance(item, Mapping)
    )


def _text_map(raw: dict[str, Any] | None) -> Mapping[str, str] | None:
    return (
        None if raw is None else {str(k).lower(): str(v) for k, v in raw.items() if v is not None}
    )


def _latest_configs(session: Session) -> dict[int, tuple[str, dt.datetime]]:
    latest = (
        select(func.max(ConfigSnapshot.id)).group_by(ConfigSnapshot.device_id).scalar_subquery()
    )
    rows = session.execute(
        select(ConfigSnapshot.device_id, ConfigSnapshot.text, ConfigSnapshot.last_confirmed).where(
            ConfigSnapshot.id.in_(latest)
        )
    )
    return {device_id: (text, confirmed) for device_id, text, confirmed in rows}


def _software(session: Session) -> dict[int, list[SoftwareItem]]:
    result: dict[int, list[SoftwareItem]] = defaultdict(list)
    rows = session.execute(
        select(
            InstalledSoftware.device_id,
            InstalledSoftware.name,
            InstalledSoftware.version,
            InstalledSoftware.vendor,
        )
    )
    for device_id, name, version, vendor in rows:
        result[device_id].append(SoftwareItem(name, version or "", vendor or ""))
    return result


def device_facts(session: Session) -> list[CiFacts]:
    configs = _latest_configs(session)
    software = _software(session)
    rows = session.execute(
        select(Device, Site.code, Region.code)
        .join(Site, Device.site_id == Site.id)
        .join(Region, Site.region_id == Region.id)
        .where(Device.lifecycle_status.in_(EVALUATED_STATUSES))
        .order_by(Device.id)
    )
    facts = []
    for device, site_code, region_code in rows:
        config = configs.get(device.id)
        installed = software.get(device.id)
        facts.append(
            CiFacts(
                ci_type="device",
                ci_id=device.id,
                name=device.hostname,
                site_code=site_code,
                region_code=region_code,
                kind=device.kind,
                platform=device.platform,
                site_id=device.site_id,
                vendor=device.vendor,
                model=device.model,
                serial=device.serial,
                owner=device.owner,
                os_name=device.os_name,
                os_version=device.os_version,
                purchase_date=device.purchase_date,
                last_seen=device.last_seen,
                running_config=config[0] if config else None,
                config_confirmed=config[1] if config else None,
                # no rows: never inventoried (a server always lists some software) -> unknown
                software=tuple(installed) if installed else None,
                sshd=_text_map(device.sshd),
                host_state=_text_map(device.host_state),
                ike_sas=_ike_sas(device.ike_sas),
                collection_notes=device.last_error or "",
            )
        )
    return facts


def link_availability(session: Session, now: dt.datetime) -> dict[int, float | None]:
    """Availability of every link over the last 30 days, or since it was first probed."""
    since = now - WINDOW
    first = dict(
        session.execute(
            select(LinkSample.link_id, func.min(LinkSample.at)).group_by(LinkSample.link_id)
        ).all()
    )
    outages: dict[int, list[tuple[dt.datetime, dt.datetime | None]]] = defaultdict(list)
    for target_id, start, end in session.execute(
        select(Outage.target_id, Outage.start, Outage.end).where(
            Outage.target_type == "link", (Outage.end.is_(None)) | (Outage.end > since)
        )
    ):
        outages[target_id].append((start, end))
    result: dict[int, float | None] = {}
    for link_id, last_probe in session.execute(select(Link.id, Link.last_probe)):
        starts = [
            t for t in (first.get(link_id), *(s for s, _ in outages[link_id])) if t is not None
        ]
        if last_probe is not None:
            starts.append(last_probe)
        if not starts:
            result[link_id] = None  # never probed: unknown, not available
            continue
        result[link_id] = availability(outages[link_id], max(since, min(starts)), now)
    return result


def link_facts(session: Session, now: dt.datetime) -> list[CiFacts]:
    values = link_availability(session, now)
    loads = daily_p95(session, LOAD_DAYS, now.date())
    rows = session.execute(
        select(Link.id, Link.kind, Site.id, Site.code, Region.code)
        .join(Site, Link.site_id == Site.id)
        .join(Region, Site.region_id == Region.id)
        .order_by(Link.id)
    )
    return [
        CiFacts(
            ci_type="link",
            ci_id=link_id,
            name=f"link:{site_code}",
            site_code=site_code,
            region_code=region_code,
            kind="link",
            platform=kind,
            site_id=site_id,
            link_availability_30d=values.get(link_id),
            link_p95_daily=loads.get(link_id),
        )
        for link_id, kind, site_id, site_code, region_code in rows
    ]


def discovered_facts(session: Session) -> list[CiFacts]:
    """Each discovered device still pending a decision: an asset nobody registered."""
    rows = session.execute(
        select(DiscoveredDevice, Site.code, Region.code)
        .join(Site, DiscoveredDevice.site_id == Site.id)
        .join(Region, Site.region_id == Region.id)
        .where(DiscoveredDevice.status == "new")
        .order_by(DiscoveredDevice.id)
    )
    facts = []
    for record, site_code, region_code in rows:
        what = " ".join(x for x in (record.vendor, record.os_name, record.os_version) if x)
        seen = f"absent: {record.address} seen by {', '.join(record.seen_by or [])}"
        seen += f" since {record.first_seen:%Y-%m-%d %H:%M} UTC"
        seen += f" ({what})" if what else ""
        facts.append(
            CiFacts(
                ci_type="discovered",
                ci_id=record.id,
                name=record.address,
                site_code=site_code,
                region_code=region_code,
                kind=record.device_class or "unknown",
                site_id=record.site_id,
                discovery=seen,
            )
        )
    return facts


def load_facts(session: Session, now: dt.datetime | None = None) -> list[CiFacts]:
    """Every device to judge, every site link and every pending discovered device, as the
    engine reads them (`now`: naive UTC)."""
    at = now or utcnow()
    return device_facts(session) + link_facts(session, at) + discovered_facts(session)


def entitlement_products(session: Session) -> list[Entitlement]:
    """The inventory's licence contracts, with seats and expiry, as the licence rules read them."""
    return [
        Entitlement(e.product, e.seats, e.expires, e.contract)
        for e in session.scalars(select(LicenseEntitlement).order_by(LicenseEntitlement.product))
    ]
