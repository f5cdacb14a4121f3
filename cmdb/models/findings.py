"""What the compliance engine decided and what it rests on: findings and their status
changes, waivers, evaluations with their scores, and plan indicator values.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from cmdb.models.base import Base, utcnow


class Finding(Base):
    """The current verdict of one rule on one CI, with the evidence that decided it."""

    __tablename__ = "finding"
    __table_args__ = (
        UniqueConstraint("rule_id", "ci_type", "ci_id", name="uq_finding_rule_ci"),
        # /findings and its API list newest first, 50 a page: the index hands the first page
        # over without sorting all ~30,000 findings of the full lab; the status one serves
        # the usual "fail" filter, the CI one a device's page.
        Index("ix_finding_last_changed", "last_changed", "id"),
        Index("ix_finding_status_last_changed", "status", "last_changed"),
        Index("ix_finding_ci", "ci_type", "ci_id"),
    )
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
