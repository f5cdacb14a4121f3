"""What a discovery run found, merged into the CMDB: discovered records and neighbour links.

An address is *known* when a Device holds it; anything else that answered the sweep, or that a
known device names as an LLDP/CDP neighbour or in its ARP table, becomes (or refreshes) a
`DiscoveredDevice` of that site. Neighbours that are known devices become `NeighbourLink`s; a
link that no successful report of this run saw, while one of its ends did report, is gone:
``gone_at`` set and a Change row on both devices. The caller owns the transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from cmdb.changes import record_event
from cmdb.ingest_values import naive_utc
from cmdb.models import Device, DiscoveredDevice, NeighbourLink, Site
from collectors.base import NeighbourReport, Sighting

SOURCE = "discovery"
Ends = tuple[int, str, int, str]


@dataclass
class _Known:
    by_address: dict[str, Device]
    by_name: dict[str, Device]
    sites: dict[str, Site]

    @classmethod
    def load(cls, session: Session) -> _Known:
        devices = list(session.scalars(select(Device)))
        names = {d.hostname.lower(): d for d in devices}
        names |= {d.sys_name.lower(): d for d in devices if d.sys_name}
        return cls(
            {d.address: d for d in devices},
            names,
            {s.code: s for s in session.scalars(select(Site))},
        )

    def device(self, name: str, address: str) -> Device | None:
        short = name.lower().split(".")[0]  # CDP device ids often carry the domain
        return self.by_address.get(address) or self.by_name.get(name.lower()) or \
            self.by_name.get(short)  # fmt: skip


@dataclass
class DiscoverySummary:
    discovered: int = 0
    links_new: int = 0
    links_gone: int = 0
    seen_links: set[Ends] = field(default_factory=set)


def store_discovery(
    session: Session, results: Sequence[object], at: dt.datetime
) -> DiscoverySummary:
    """Merge sightings and neighbour reports of one run (``at``: when it ended)."""
    when = naive_utc(at)
    known = _Known.load(session)
    records = {(r.site_id, r.address): r for r in session.scalars(select(DiscoveredDevice))}
    summary = DiscoverySummary()
    reporters: set[int] = set()
    for item in results:
        if isinstance(item, Sighting) and item.responded:
            _sighting(session, known, records, item, when, summary)
        elif isinstance(item, NeighbourReport) and item.error is None:
            device = known.by_name.get(item.hostname.lower())
            if device is not None:
                reporters.add(device.id)
                _report(session, known, records, device, item, when, summary)
    _close_gone(session, known, reporters, summary, when)
    return summary


def _record(
    session: Session,
    records: dict[tuple[int, str], DiscoveredDevice],
    site: Site,
    address: str,
    when: dt.datetime,
    summary: DiscoverySummary,
) -> DiscoveredDevice:
    record = records.get((site.id, address))
    if record is None:
        record = DiscoveredDevice(
            site_id=site.id, address=address, first_seen=when, last_seen=when, seen_by=[]
        )
        session.add(record)
        records[(site.id, address)] = record
        summary.discovered += 1
    record.last_seen = when
    return record


def _seen(record: DiscoveredDevice, means: str) -> None:
    if means not in (record.seen_by or []):
        record.seen_by = [*(record.seen_by or []), means]  # a new list: JSON columns compare


def _sighting(
    session: Session,
    known: _Known,
    records: dict[tuple[int, str], DiscoveredDevice],
    item: Sighting,
    when: dt.datetime,
    summary: DiscoverySummary,
) -> None:
    site = known.sites.get(item.site)
    if site is None or item.address in known.by_address:
        return
    record = _record(session, records, site, item.address, when, summary)
    _seen(record, "icmp")
    facts = item.snmp
    if facts is None:
        return
    _seen(record, f"snmp ({item.credential})")
    record.sys_name = facts.sys_name or ""
    record.sys_descr = facts.sys_descr or ""
    record.sys_object_id = facts.sys_object_id or ""
    record.serial = facts.serial or record.serial
    record.vendor = facts.vendor or ""
    record.os_name = facts.os_name or ""
    record.os_version = facts.os_version or ""
    record.device_class = facts.device_class or ""


def _report(
    session: Session,
    known: _Known,
    records: dict[tuple[int, str], DiscoveredDevice],
    device: Device,
    item: NeighbourReport,
    when: dt.datetime,
    summary: DiscoverySummary,
) -> None:
    site = known.sites[item.site]
    for neighbour in item.neighbours:
        peer = known.device(neighbour.remote_name, neighbour.remote_address)
        if peer is not None:
            _link(session, device, neighbour.local_port, peer, neighbour.remote_port,
                  neighbour.protocol, when, summary)  # fmt: skip
        elif neighbour.remote_address:
            record = _record(session, records, site, neighbour.remote_address, when, summary)
            _seen(record, f"{neighbour.protocol}: {device.hostname} {neighbour.local_port}")
            record.sys_name = record.sys_name or neighbour.remote_name
    for address, mac in item.arp:
        if address in known.by_address:
            continue
        record = _record(session, records, site, address, when, summary)
        _seen(record, f"arp: {device.hostname}")
        record.mac = mac


def _link(
    session: Session,
    device: Device,
    port: str,
    peer: Device,
    peer_port: str,
    protocol: str,
    when: dt.datetime,
    summary: DiscoverySummary,
) -> None:
    ends: Ends = (device.id, port, peer.id, peer_port)
    if peer.id < device.id:
        ends = (peer.id, peer_port, device.id, port)
    a_id, a_port, b_id, b_port = ends
    link = session.scalar(
        select(NeighbourLink).where(
            NeighbourLink.device_id == a_id,
            NeighbourLink.port == a_port,
            NeighbourLink.peer_device_id == b_id,
            NeighbourLink.peer_port == b_port,
        )
    )
    if link is None:
        link = NeighbourLink(device_id=a_id, port=a_port, peer_device_id=b_id, peer_port=b_port,
                             protocol=protocol, first_seen=when, last_seen=when)  # fmt: skip
        session.add(link)
        summary.links_new += 1
        _link_change(session, device, peer, ends, None, "connected", when)
    elif link.gone_at is not None:
        link.gone_at = None
        _link_change(session, device, peer, ends, "disconnected", "connected", when)
    if protocol not in link.protocol.split("+"):
        link.protocol = "+".join(sorted({*link.protocol.split("+"), protocol}))
    link.last_seen = when
    summary.seen_links.add(ends)


def _describe(session: Session, ends: Ends) -> str:
    a, b = session.get(Device, ends[0]), session.get(Device, ends[2])
    return f"{a.hostname if a else ends[0]} {ends[1]} <-> {b.hostname if b else ends[2]} {ends[3]}"


def _link_change(
    session: Session,
    device: Device,
    peer: Device,
    ends: Ends,
    old: str | None,
    new: str,
    when: dt.datetime,
) -> None:
    """A neighbour link appeared or went: one Change row on each end's device."""
    text = _describe(session, ends)
    for ci in (device, peer):
        record_event(session, ci, "device", f"link {text}", old, new, SOURCE, when)


def _close_gone(
    session: Session,
    known: _Known,
    reporters: set[int],
    summary: DiscoverySummary,
    when: dt.datetime,
) -> None:
    open_links = session.scalars(select(NeighbourLink).where(NeighbourLink.gone_at.is_(None)))
    for link in open_links:
        ends: Ends = (link.device_id, link.port, link.peer_device_id, link.peer_port)
        if ends in summary.seen_links:
            continue
        if link.device_id not in reporters and link.peer_device_id not in reporters:
            continue  # neither end answered this run: nothing says the cable went
        link.gone_at = when
        summary.links_gone += 1
        device, peer = session.get(Device, link.device_id), session.get(Device, link.peer_device_id)
        if device is not None and peer is not None:
            _link_change(session, device, peer, ends, "connected", "disconnected", when)
