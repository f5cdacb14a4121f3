"""What was observed of the configuration items and what changed: configuration snapshots,
the change trail, outages, link samples, and the collection runs and leases.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cmdb.models.base import Base, utcnow


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
