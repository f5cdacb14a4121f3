"""What a network administrator does with a discovered device: adopt it or ignore it.

Adopting makes it a Device CI of its site (a "created" Change row names who adopted it and
from what); ignoring keeps the record with the reason, and its unregistered-device finding
goes away at the next evaluation (only records still "new" are judged). The caller owns the
transaction, as everywhere in cmdb.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cmdb.changes import record_event
from cmdb.models import DEVICE_KINDS, Device, DiscoveredDevice, Site

# What identification's device class suggests as the CI kind when adopting.
KIND_OF_CLASS = {
    "switch": "switch",
    "router": "router",
    "firewall": "firewall",
    "server": "server",
    "hypervisor": "server",
    "storage": "server",
}


class DiscoveryActionError(ValueError):
    """The action cannot be done; the message says why (shown to the user as is)."""


@dataclass(frozen=True)
class Adoption:
    hostname: str
    kind: str
    platform: str
    snmp_credential: str = ""


def _pending(session: Session, record_id: int) -> DiscoveredDevice:
    record = session.get(DiscoveredDevice, record_id)
    if record is None:
        raise DiscoveryActionError(f"no discovered device #{record_id}")
    if record.status != "new":
        raise DiscoveryActionError(f"{record.address} was already {record.status}")
    return record


def adopt(
    session: Session, record_id: int, adoption: Adoption, user: str, at: dt.datetime
) -> Device:
    """Make the discovered device a Device CI of its site, with its "created" Change."""
    record = _pending(session, record_id)
    hostname = adoption.hostname.strip()
    if not hostname:
        raise DiscoveryActionError("a host name is needed")
    if session.scalar(select(Device.id).where(Device.hostname == hostname)) is not None:
        raise DiscoveryActionError(f"host name {hostname!r} is already a device")
    if adoption.kind not in DEVICE_KINDS:
        raise DiscoveryActionError(f"kind {adoption.kind!r}: one of {', '.join(DEVICE_KINDS)}")
    device = Device(
        hostname=hostname,
        site_id=record.site_id,
        kind=adoption.kind,
        platform=adoption.platform or "other",
        address=record.address,
        snmp_credential=adoption.snmp_credential,
        vendor=record.vendor,
        serial=record.serial,
        os_name=record.os_name,
        os_version=record.os_version,
        sys_name=record.sys_name,
        sys_descr=record.sys_descr,
        sys_object_id=record.sys_object_id,
        first_seen=record.first_seen,
        last_seen=record.last_seen,
    )
    session.add(device)
    session.flush()
    source = f"discovery: adopted by {user} from {record.address}"
    record_event(session, device, "device", "created", None, hostname, source, at)
    record.status, record.device_id = "adopted", device.id
    record.decided_by, record.decided_at = user, at
    return device


def ignore(session: Session, record_id: int, reason: str, user: str, at: dt.datetime) -> None:
    """Keep the record, with why it needs no CI; its finding is no longer raised."""
    record = _pending(session, record_id)
    if not reason.strip():
        raise DiscoveryActionError("say why it is ignored (e.g. 'contractor's laptop, removed')")
    record.status, record.reason = "ignored", reason.strip()
    record.decided_by, record.decided_at = user, at


def suggested_kind(record: DiscoveredDevice) -> str:
    return KIND_OF_CLASS.get(record.device_class, "other")


def site_code(session: Session, record: DiscoveredDevice) -> str:
    site = session.get(Site, record.site_id)
    return site.code if site else "?"


def discovered_rows(
    session: Session, status: str | None = "new"
) -> list[tuple[DiscoveredDevice, str]]:
    """Discovered devices with their site code, newest sightings first (``status`` None: all)."""
    query = select(DiscoveredDevice, Site.code).join(Site, DiscoveredDevice.site_id == Site.id)
    if status:
        query = query.where(DiscoveredDevice.status == status)
    rows = session.execute(query.order_by(Site.code, DiscoveredDevice.address))
    return [(record, code) for record, code in rows]


def discovered_counts(session: Session) -> dict[tuple[int, str], int]:
    """(site id, status) -> discovered devices, for /metrics."""
    rows = session.execute(
        select(DiscoveredDevice.site_id, DiscoveredDevice.status, func.count()).group_by(
            DiscoveredDevice.site_id, DiscoveredDevice.status
        )
    )
    return {(site_id, status): count for site_id, status, count in rows}
