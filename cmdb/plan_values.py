"""The plan indicators' side of the CMDB: the units they count over, and their values over time.

`load_units` reads sites, their devices and link state in three queries; `store_values` writes one
IndicatorValue per indicator per evaluation; `period_values` gives, per indicator, the last value
stored in a follow-up period, and `previous_period` the period before it that has values.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cmdb.factset import EVALUATED_STATUSES
from cmdb.models import Device, Evaluation, IndicatorValue, Link, Region, Site
from compliance.facts import Unit, UnitDevice
from compliance.outcome import IndicatorResult


def load_units(session: Session) -> list[Unit]:
    """Every site as the indicators read it: declared flags, link state, devices in service."""
    devices: dict[int, list[UnitDevice]] = defaultdict(list)
    for device in session.scalars(
        select(Device).where(Device.lifecycle_status.in_(EVALUATED_STATUSES)).order_by(Device.id)
    ):
        devices[device.site_id].append(
            UnitDevice(device.id, device.hostname, device.kind, device.reachable)
        )
    codes = {site_id: code for site_id, code in session.execute(select(Site.id, Site.code))}
    links = {link.site_id: link for link in session.scalars(select(Link))}
    units = []
    rows = session.execute(
        select(Site, Region.code).join(Region, Site.region_id == Region.id).order_by(Site.code)
    )
    for site, region in rows:
        link = links.get(site.id)
        uplink = None
        if link is not None and link.peer_site_id is not None:
            uplink = codes.get(link.peer_site_id)
        units.append(
            Unit(
                code=site.code,
                name=site.name,
                kind=site.kind,
                region=region,
                has_lan=bool(site.has_lan),
                in_continuity_plan=bool(site.in_continuity_plan),
                uplink=uplink,
                link_up=None if link is None else link.up,
                devices=tuple(devices.get(site.id, ())),
            )
        )
    return units


def store_values(
    session: Session, results: Iterable[IndicatorResult], at: dt.datetime, period: str
) -> list[IndicatorValue]:
    """One row per indicator for this evaluation (`at`: naive UTC), in follow-up `period`."""
    rows = [
        IndicatorValue(
            indicator_id=r.indicator_id,
            at=at,
            period=period,
            value=r.value,
            numerator=r.numerator,
            denominator=r.denominator,
            breakdown=asdict(r)["breakdown"],
            missing=list(r.missing),
        )
        for r in results
    ]
    session.add_all(rows)
    session.flush()
    return rows


def period_values(session: Session, period: str) -> dict[str, IndicatorValue]:
    """The latest value of each indicator stored in `period`."""
    latest = (
        select(func.max(IndicatorValue.id))
        .where(IndicatorValue.period == period)
        .group_by(IndicatorValue.indicator_id)
    )
    rows = session.scalars(select(IndicatorValue).where(IndicatorValue.id.in_(latest)))
    return {row.indicator_id: row for row in rows}


def previous_period(session: Session, period: str) -> str | None:
    """The latest period before `period` with stored values ("2026-H1" sorts before "2026-H2")."""
    return session.scalar(
        select(func.max(IndicatorValue.period)).where(IndicatorValue.period < period)
    )


def latest_period(session: Session) -> str | None:
    return session.scalar(select(func.max(IndicatorValue.period)))


def history(
    session: Session, indicator_ids: Sequence[str], until_period: str, points: int = 12
) -> dict[str, list[float]]:
    """The last `points` stored values of each indicator up to `until_period`, oldest first:
    what a sparkline draws."""
    result: dict[str, list[float]] = {i: [] for i in indicator_ids}
    rows = session.execute(
        select(IndicatorValue.indicator_id, IndicatorValue.value)
        .where(IndicatorValue.period <= until_period)
        .order_by(IndicatorValue.at, IndicatorValue.id)
    )
    for indicator_id, value in rows:
        if indicator_id in result:
            result[indicator_id].append(value)
    return {i: values[-points:] for i, values in result.items()}


def latest_scores(session: Session) -> dict[str, Any]:
    """The scores of the last stored evaluation ({} before the first one)."""
    scores = session.scalar(select(Evaluation.scores).order_by(Evaluation.id.desc()).limit(1))
    return dict(scores or {})


@dataclass(frozen=True)
class StoredPlan:
    """What the follow-up report of a period reads from the CMDB (compliance.plan_report
    turns it into the report)."""

    period: str
    previous_period: str | None
    values: dict[str, IndicatorValue]
    previous_values: dict[str, IndicatorValue]
    scores: dict[str, Any]
    history: dict[str, list[float]]


def stored_plan(
    session: Session, indicator_ids: Sequence[str], period: str | None, default_period: str
) -> StoredPlan:
    """The stored values of `period` (default: the latest with values, else `default_period`)
    and of the period before it, the latest scores and each indicator's history."""
    chosen = period or latest_period(session) or default_period
    before = previous_period(session, chosen)
    return StoredPlan(
        period=chosen,
        previous_period=before,
        values=period_values(session, chosen),
        previous_values=period_values(session, before) if before else {},
        scores=latest_scores(session),
        history=history(session, indicator_ids, chosen),
    )
