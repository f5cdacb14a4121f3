"""Configuration items: regions, sites, devices with their interfaces and installed
software, site links, login credentials (by secret name) and licence entitlements.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cmdb.models.base import Base, utcnow
from cmdb.models.liveness import DeviceLiveness


class Region(Base):
    __tablename__ = "region"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    seat: Mapped[str] = mapped_column(String(120), default="")
    sites: Mapped[list[Site]] = relationship(back_populates="region")


class Site(Base):
    __tablename__ = "site"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    city: Mapped[str] = mapped_column(String(120), default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    timezone: Mapped[str] = mapped_column(String(64), default="America/Lima")
    has_lan: Mapped[bool] = mapped_column(Boolean, default=True)
    in_continuity_plan: Mapped[bool] = mapped_column(Boolean, default=False)
    edit_revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # the prefixes discovery sweeps, space-separated ("10.12.3.0/26 10.12.4.0/27")
    management_prefixes: Mapped[str] = mapped_column(String(400), default="")
    region: Mapped[Region] = relationship(back_populates="sites")
    devices: Mapped[list[Device]] = relationship(back_populates="site")


class Device(Base):
    __tablename__ = "device"
    id: Mapped[int] = mapped_column(primary_key=True)
    hostname: Mapped[str] = mapped_column(String(120), unique=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    platform: Mapped[str] = mapped_column(String(32))
    # Optimistic locking of web edits: an edit names the revision it read and bumps it in one
    # UPDATE ... WHERE edit_revision = seen, so of two edits of one CI only the first lands.
    # Collections do not bump it: a poll must not make an open form stale.
    edit_revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    address: Mapped[str] = mapped_column(String(64))
    snmp_port: Mapped[int] = mapped_column(Integer, default=161)
    ssh_port: Mapped[int] = mapped_column(Integer, default=22)
    snmp_credential: Mapped[str] = mapped_column(String(64), default="")  # reference by name
    ssh_credential: Mapped[str] = mapped_column(String(64), default="")  # reference by name
    vendor: Mapped[str] = mapped_column(String(64), default="")
    model: Mapped[str] = mapped_column(String(120), default="")
    serial: Mapped[str] = mapped_column(String(120), default="")
    os_name: Mapped[str] = mapped_column(String(120), default="")
    os_version: Mapped[str] = mapped_column(String(120), default="")
    sys_name: Mapped[str] = mapped_column(String(255), default="")
    sys_descr: Mapped[str] = mapped_column(Text, default="")
    sys_object_id: Mapped[str] = mapped_column(String(120), default="")
    owner: Mapped[str] = mapped_column(String(120), default="")
    purchase_date: Mapped[dt.date | None] = mapped_column(Date)
    lifecycle_status: Mapped[str] = mapped_column(String(16), default="active")
    reachable: Mapped[bool | None] = mapped_column(Boolean)
    first_seen: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    # SSH facts of Linux hosts and other host state, as last observed
    sshd: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    host_state: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    ike_sas: Mapped[list[Any] | None] = mapped_column(JSON)
    site: Mapped[Site] = relationship(back_populates="devices")
    interfaces: Mapped[list[Interface]] = relationship(
        back_populates="device", cascade="all, delete-orphan", order_by="Interface.index"
    )
    software: Mapped[list[InstalledSoftware]] = relationship(
        back_populates="device", cascade="all, delete-orphan"
    )
    # Loaded with the device (one LEFT JOIN): pages and facts read last_seen of every device.
    liveness: Mapped[DeviceLiveness | None] = relationship(
        lazy="joined", cascade="all, delete-orphan", passive_deletes=True
    )

    def _live(self) -> DeviceLiveness:
        if self.liveness is None:
            self.liveness = DeviceLiveness()
        return self.liveness

    # What moves on every poll lives in device_liveness (cmdb/models/liveness.py: why).
    @property
    def last_seen(self) -> dt.datetime | None:
        return self.liveness.last_seen if self.liveness else None

    @last_seen.setter
    def last_seen(self, value: dt.datetime | None) -> None:
        self._live().last_seen = value

    @property
    def last_polled(self) -> dt.datetime | None:
        return self.liveness.last_polled if self.liveness else None

    @last_polled.setter
    def last_polled(self, value: dt.datetime | None) -> None:
        self._live().last_polled = value

    @property
    def uptime_s(self) -> int | None:
        return self.liveness.uptime_s if self.liveness else None

    @uptime_s.setter
    def uptime_s(self, value: int | None) -> None:
        self._live().uptime_s = value


class Interface(Base):
    __tablename__ = "interface"
    __table_args__ = (UniqueConstraint("device_id", "index", name="uq_interface_device_index"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("device.id", ondelete="CASCADE"))
    index: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(String(255), default="")
    alias: Mapped[str] = mapped_column(String(255), default="")
    kind: Mapped[int | None] = mapped_column(Integer)
    admin_up: Mapped[bool | None] = mapped_column(Boolean)
    oper_up: Mapped[bool | None] = mapped_column(Boolean)
    speed_bps: Mapped[int | None] = mapped_column(Numeric(20, 0))
    mac: Mapped[str] = mapped_column(String(32), default="")
    mtu: Mapped[int | None] = mapped_column(Integer)
    device: Mapped[Device] = relationship(back_populates="interfaces")


class InstalledSoftware(Base):
    __tablename__ = "installed_software"
    __table_args__ = (
        UniqueConstraint("device_id", "name", "version", name="uq_installed_software_item"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("device.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    version: Mapped[str] = mapped_column(String(120), default="")
    vendor: Mapped[str] = mapped_column(String(120), default="")
    first_seen: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    device: Mapped[Device] = relationship(back_populates="software")


class Link(Base):
    """A site's VPN/WAN link to its regional office or headquarters."""

    __tablename__ = "link"
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), unique=True)
    peer_site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id"))
    kind: Mapped[str] = mapped_column(String(32), default="vpn")
    probe_address: Mapped[str] = mapped_column(String(64))
    provider: Mapped[str] = mapped_column(String(120), default="")
    bandwidth_mbps: Mapped[float | None] = mapped_column(Float)
    up: Mapped[bool | None] = mapped_column(Boolean)
    rtt_ms: Mapped[float | None] = mapped_column(Float)
    loss_ratio: Mapped[float | None] = mapped_column(Float)
    last_probe: Mapped[dt.datetime | None] = mapped_column(DateTime)
    edit_revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    site: Mapped[Site] = relationship(foreign_keys=[site_id])
    peer_site: Mapped[Site | None] = relationship(foreign_keys=[peer_site_id])


class Credential(Base):
    """How to log in to a device, by reference: secret fields hold secret NAMES, never values."""

    __tablename__ = "credential"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    type: Mapped[str] = mapped_column(String(8))  # snmp | ssh
    version: Mapped[str] = mapped_column(String(4), default="")
    community: Mapped[str] = mapped_column(String(120), default="")  # secret name
    user: Mapped[str] = mapped_column(String(120), default="")
    auth_protocol: Mapped[str] = mapped_column(String(16), default="sha")
    auth_key: Mapped[str] = mapped_column(String(120), default="")  # secret name
    priv_protocol: Mapped[str] = mapped_column(String(16), default="aes")
    priv_key: Mapped[str] = mapped_column(String(120), default="")  # secret name
    username: Mapped[str] = mapped_column(String(120), default="")
    password: Mapped[str] = mapped_column(String(120), default="")  # secret name
    key_file: Mapped[str] = mapped_column(String(255), default="")
    enable_secret: Mapped[str] = mapped_column(String(120), default="")  # secret name


class LicenseEntitlement(Base):
    __tablename__ = "license_entitlement"
    id: Mapped[int] = mapped_column(primary_key=True)
    product: Mapped[str] = mapped_column(String(200), unique=True)
    seats: Mapped[int] = mapped_column(Integer)
    contract: Mapped[str] = mapped_column(String(200), default="")
    expires: Mapped[dt.date | None] = mapped_column(Date)
