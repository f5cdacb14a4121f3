"""The CMDB schema: configuration items, their history, and what was observed of them.

Times are stored in UTC (naive `DateTime` columns holding UTC: SQLite has no zone type,
and one convention for both engines keeps comparisons exact).
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
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names so Alembic migrations are identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SITE_KINDS = ("headquarters", "data_centre", "regional_office", "establishment")
DEVICE_KINDS = (
    "switch",
    "router",
    "firewall",
    "vpn_gateway",
    "server",
    "ip_phone_gateway",
    "video_endpoint",
    "wireless_controller",
    "other",
)
LIFECYCLE_STATUSES = ("planned", "active", "maintenance", "retired")
FINDING_STATUSES = ("pass", "fail", "not_applicable", "unknown", "waived")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}  # noqa: RUF012


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
    region: Mapped[Region] = relationship(back_populates="sites")
    devices: Mapped[list[Device]] = relationship(back_populates="site")


class Device(Base):
    __tablename__ = "device"
    id: Mapped[int] = mapped_column(primary_key=True)
    hostname: Mapped[str] = mapped_column(String(120), unique=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    platform: Mapped[str] = mapped_column(String(32))
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
    uptime_s: Mapped[int | None] = mapped_column(Integer)
    reachable: Mapped[bool | None] = mapped_column(Boolean)
    first_seen: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_seen: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_polled: Mapped[dt.datetime | None] = mapped_column(DateTime)
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
    site: Mapped[Site] = relationship(foreign_keys=[site_id])
    peer_site: Mapped[Site | None] = relationship(foreign_keys=[peer_site_id])


class ConfigSnapshot(Base):
    """A redacted configuration, stored only when its hash differs from the previous one."""

    __tablename__ = "config_snapshot"
    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("device.id", ondelete="CASCADE"), index=True)
    taken_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    sha256: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    diff: Mapped[str] = mapped_column(Text, default="")  # unified diff against the previous one
    last_confirmed: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Change(Base):
    """Audit trail: one attribute of one CI changed from old to new."""

    __tablename__ = "change"
    __table_args__ = (Index("ix_change_ci", "ci_type", "ci_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    ci_type: Mapped[str] = mapped_column(String(32))  # device, site, region, link, …
    ci_id: Mapped[int] = mapped_column(Integer)
    ci_name: Mapped[str] = mapped_column(String(200))
    field: Mapped[str] = mapped_column(String(64))
    old: Mapped[str | None] = mapped_column(Text)
    new: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(64))  # snmp, ssh, inventory, user:<name>, …


class Outage(Base):
    """A down interval of a device or a site link; ``end`` is NULL while it lasts."""

    __tablename__ = "outage"
    __table_args__ = (Index("ix_outage_target", "target_type", "target_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[str] = mapped_column(String(16))  # device | link
    target_id: Mapped[int] = mapped_column(Integer)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    start: Mapped[dt.datetime] = mapped_column(DateTime)
    end: Mapped[dt.datetime | None] = mapped_column(DateTime)
    reason: Mapped[str] = mapped_column(String(255), default="")


class LinkSample(Base):
    """Reachability samples of site links, kept for RTT/loss history."""

    __tablename__ = "link_sample"
    __table_args__ = (Index("ix_link_sample_link_at", "link_id", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("link.id", ondelete="CASCADE"))
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    up: Mapped[bool] = mapped_column(Boolean)
    rtt_ms: Mapped[float | None] = mapped_column(Float)
    loss_ratio: Mapped[float] = mapped_column(Float)


class PollRun(Base):
    __tablename__ = "poll_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    loop: Mapped[str] = mapped_column(String(32), index=True)  # reachability, snmp, ssh
    poller_group: Mapped[str] = mapped_column(String(64), default="")
    # Regions the run covered, upper case, comma-separated; "" = every region. Lets a starting
    # collector see that another poller group already polls its regions.
    regions: Mapped[str] = mapped_column(String(400), default="")
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    devices_total: Mapped[int] = mapped_column(Integer, default=0)
    devices_ok: Mapped[int] = mapped_column(Integer, default=0)
    devices_failed: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [{device, reason, message}]


class PollLease(Base):
    """Who may run one collection loop of one poller group now (collectors/leases.py).

    Taken with a conditional UPDATE, so two collector processes of the same group never run
    the same loop at once, nor twice within one interval."""

    __tablename__ = "poll_lease"
    poller_group: Mapped[str] = mapped_column(String(64), primary_key=True)
    loop: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128), default="")
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # None: released
    last_started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Finding(Base):
    """The current verdict of one rule on one CI, with the evidence that decided it."""

    __tablename__ = "finding"
    __table_args__ = (UniqueConstraint("rule_id", "ci_type", "ci_id", name="uq_finding_rule_ci"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[str] = mapped_column(String(64), index=True)
    ci_type: Mapped[str] = mapped_column(String(16))  # device | site | link | organisation
    ci_id: Mapped[int] = mapped_column(Integer)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    severity: Mapped[str] = mapped_column(String(16))
    evidence: Mapped[str] = mapped_column(Text, default="")
    remediation: Mapped[str] = mapped_column(Text, default="")
    first_seen: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_changed: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_evaluated: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class FindingChange(Base):
    """When a finding moved from one status to another: answers "non-compliant since DATE"."""

    __tablename__ = "finding_change"
    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(
        ForeignKey("finding.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    old_status: Mapped[str | None] = mapped_column(String(16))
    new_status: Mapped[str] = mapped_column(String(16))


class Waiver(Base):
    __tablename__ = "waiver"
    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[str] = mapped_column(String(64), index=True)
    ci_type: Mapped[str] = mapped_column(String(16))
    ci_id: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    approver: Mapped[str] = mapped_column(String(120))
    created_by: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires: Mapped[dt.date] = mapped_column(Date)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


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


class Evaluation(Base):
    """One run of the compliance engine, with the scores it computed (for trends)."""

    __tablename__ = "evaluation"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    as_of: Mapped[dt.date] = mapped_column(Date)
    scores: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class IndicatorValue(Base):
    """A plan indicator's value computed at one evaluation (e-government plan follow-up)."""

    __tablename__ = "indicator_value"
    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[str] = mapped_column(String(32), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    period: Mapped[str] = mapped_column(String(16))
    value: Mapped[float] = mapped_column(Float)
    numerator: Mapped[int] = mapped_column(Integer)
    denominator: Mapped[int] = mapped_column(Integer)
    breakdown: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    missing: Mapped[list[Any]] = mapped_column(JSON, default=list)


class User(Base):
    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))  # admin, network_admin, security_officer, viewer
    locale: Mapped[str] = mapped_column(String(8), default="es")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
