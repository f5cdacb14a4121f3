"""What discovery saw that the inventory lacks, how known devices are cabled, and how full the
site links are (link load samples).

A `DiscoveredDevice` is an address that answered inside a site's declared management prefix
(or that a known device reported as a neighbour) and is not a device of the CMDB: what was
seen, by which means, first and last, and what identification made of it. A network
administrator adopts it (it becomes a Device, with a Change row) or ignores it with a reason
(its unregistered-device finding goes away).

A `NeighbourLink` is a CI relationship: device A's port X is cabled to device B's port Y, as
LLDP or CDP on either end reported it, with when it was first and last seen; ``gone_at`` is set
when a discovery run no longer sees it (and a Change row says so).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cmdb.models.base import Base

DISCOVERY_STATUSES = ("new", "adopted", "ignored")


class DiscoveredDevice(Base):
    __tablename__ = "discovered_device"
    __table_args__ = (UniqueConstraint("site_id", "address", name="uq_discovered_site_address"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    address: Mapped[str] = mapped_column(String(64))
    first_seen: Mapped[dt.datetime] = mapped_column(DateTime)
    last_seen: Mapped[dt.datetime] = mapped_column(DateTime)
    # how it was seen, one entry per means: "icmp", "snmp", "lldp: cs01 Gi1/0/5", "arp: cs01"
    seen_by: Mapped[list[Any]] = mapped_column(JSON, default=list)
    mac: Mapped[str] = mapped_column(String(32), default="")
    sys_name: Mapped[str] = mapped_column(String(255), default="")
    sys_descr: Mapped[str] = mapped_column(Text, default="")
    sys_object_id: Mapped[str] = mapped_column(String(120), default="")
    serial: Mapped[str] = mapped_column(String(120), default="")
    vendor: Mapped[str] = mapped_column(String(120), default="")
    os_name: Mapped[str] = mapped_column(String(120), default="")
    os_version: Mapped[str] = mapped_column(String(120), default="")
    device_class: Mapped[str] = mapped_column(String(32), default="")
    identity_rule: Mapped[str] = mapped_column(String(64), default="")
    identity_evidence: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="new")
    reason: Mapped[str] = mapped_column(Text, default="")  # why it was ignored
    decided_by: Mapped[str] = mapped_column(String(120), default="")
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("device.id", ondelete="SET NULL"))


class NeighbourLink(Base):
    __tablename__ = "neighbour_link"
    __table_args__ = (
        UniqueConstraint(
            "device_id", "port", "peer_device_id", "peer_port", name="uq_neighbour_link_ends"
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    # the end with the smaller device id is `device`: one row per cable, whichever end spoke
    device_id: Mapped[int] = mapped_column(ForeignKey("device.id", ondelete="CASCADE"), index=True)
    port: Mapped[str] = mapped_column(String(120))
    peer_device_id: Mapped[int] = mapped_column(
        ForeignKey("device.id", ondelete="CASCADE"), index=True
    )
    peer_port: Mapped[str] = mapped_column(String(120))
    protocol: Mapped[str] = mapped_column(String(16))  # lldp | cdp | lldp+cdp
    first_seen: Mapped[dt.datetime] = mapped_column(DateTime)
    last_seen: Mapped[dt.datetime] = mapped_column(DateTime)
    gone_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class LinkLoadSample(Base):
    """One reading of a site link's WAN interface counters, with the rate since the previous one.

    Counters are 64-bit unsigned: kept as text (SQLite and PostgreSQL integers stop at 2^63).
    ``in_bps``/``out_bps`` are empty for the first reading and after a restart; ``note`` says
    why ("restart", "wrap", "first", "implausible")."""

    __tablename__ = "link_load_sample"
    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("link.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    interface: Mapped[str] = mapped_column(String(120), default="")
    uptime_ticks: Mapped[int] = mapped_column(Integer)
    in_octets: Mapped[str] = mapped_column(String(20))
    out_octets: Mapped[str] = mapped_column(String(20))
    in_bps: Mapped[float | None] = mapped_column(Float)
    out_bps: Mapped[float | None] = mapped_column(Float)
    in_ratio: Mapped[float | None] = mapped_column(Float)  # of the link's declared bandwidth
    out_ratio: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str] = mapped_column(String(16), default="")
