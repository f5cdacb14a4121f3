"""What `/metrics` shows, read from the CMDB in a handful of grouped queries: the last completed
cycle (times of the latest finished poll run, compliance of the latest Evaluation row), so two
scrapes between cycles see the same numbers; `snapshot_key` tells cheaply if anything changed."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cmdb.availability import availability
from cmdb.metricsites import add_site_extras
from cmdb.models import (
    Change,
    Device,
    DiscoveredDevice,
    Evaluation,
    Finding,
    Link,
    LinkSample,
    Outage,
    PollRun,
    Region,
    Site,
    utcnow,
)
from cmdb.vulnqueries import vulnerable_devices

WINDOWS = {"24h": dt.timedelta(hours=24), "7d": dt.timedelta(days=7), "30d": dt.timedelta(days=30)}
HORIZONS = {"90d": 90, "365d": 365}  # days from the snapshot; "past": already unsupported
COMPONENTS = ("hardware", "os")
NOT_POLLED = ("planned", "retired")  # lifecycle statuses not expected to answer


# (platform, model, os_name, os_version) -> (hardware end of support, OS end of support)
EndOfSupport = Callable[[str, str, str, str], tuple[dt.date | None, dt.date | None]]


@dataclass(frozen=True)
class PolicyView:
    """What the snapshot needs of the policies, given by the caller (compliance decides it)."""

    end_of_support: EndOfSupport
    nonstandard_rules: Sequence[str]  # rules whose failure means non-standard software


@dataclass
class SiteState:
    code: str
    region: str
    kind: str
    up: bool | None = None
    rtt_seconds: float | None = None
    loss_ratio: float | None = None
    devices: dict[str, int] = field(default_factory=lambda: {"up": 0, "down": 0, "unknown": 0})
    availability: dict[str, float | None] = field(default_factory=dict)
    outages: dict[str, int] = field(default_factory=lambda: {"link": 0, "device": 0})
    # (component, horizon) -> devices: horizon is "past" or a key of HORIZONS
    end_of_support: dict[tuple[str, str], int] = field(default_factory=dict)
    nonstandard_software_devices: int = 0
    discovered: dict[str, int] = field(default_factory=dict)  # discovery status -> devices
    utilisation: dict[str, float] = field(default_factory=dict)  # direction -> 0-1, last sample


@dataclass
class LoopState:
    loop: str
    poller_group: str
    runs: int
    last_duration_seconds: float
    last_end: dt.datetime
    devices_ok: int
    devices_failed: int
    errors: int
    last_success: dt.datetime | None


@dataclass
class MetricSnapshot:
    at: dt.datetime  # naive UTC: end of the latest completed poll run (or build time)
    sites: list[SiteState]
    loops: list[LoopState]
    findings: dict[tuple[str, str], int]  # (severity, status) -> count
    evaluation_at: dt.datetime | None = None
    scores: dict[str, Any] = field(default_factory=dict)  # Evaluation.scores as stored
    vulnerable_devices: dict[tuple[str, str], int] = field(default_factory=dict)  # (sev, region)

    def region_of(self) -> dict[str, str]:
        return {site.code: site.region for site in self.sites}


def snapshot_key(session: Session) -> tuple[object, ...]:
    """Ids that move whenever a cycle, an evaluation, an inventory edit or a decision on a
    discovered device (adopted or ignored on the web: it moves no other id) completes."""
    row = session.execute(
        select(
            select(func.max(PollRun.id)).where(PollRun.ended_at.is_not(None)).scalar_subquery(),
            select(func.max(Evaluation.id)).scalar_subquery(),
            select(func.max(Change.id)).scalar_subquery(),
            select(func.count(Site.id)).scalar_subquery(),
            select(func.count(Device.id)).scalar_subquery(),
            select(func.max(Outage.id)).scalar_subquery(),
            select(func.count(DiscoveredDevice.id)).scalar_subquery(),
            select(func.max(DiscoveredDevice.decided_at)).scalar_subquery(),
        )
    ).one()
    return tuple(row)


def build_snapshot(
    session: Session, policies: PolicyView | None = None, now: dt.datetime | None = None
) -> MetricSnapshot:
    """Read everything `/metrics` shows; `policies` adds lifecycle and software counts."""
    last_end = session.scalar(select(func.max(PollRun.ended_at)))
    at = now or last_end or utcnow()
    sites = _sites(session)
    _links(session, sites, at)
    _devices(session, sites, policies, at.date())
    if policies is not None:
        _nonstandard(session, sites, policies.nonstandard_rules)
    add_site_extras(session, sites)
    evaluation = session.scalars(select(Evaluation).order_by(Evaluation.id.desc()).limit(1)).first()
    findings = {
        (severity, status): count
        for severity, status, count in session.execute(
            select(Finding.severity, Finding.status, func.count()).group_by(
                Finding.severity, Finding.status
            )
        )
    }
    return MetricSnapshot(
        at=at,
        sites=list(sites.values()),
        loops=_loops(session),
        findings=findings,
        evaluation_at=evaluation.at if evaluation else None,
        scores=dict(evaluation.scores or {}) if evaluation else {},
        vulnerable_devices=vulnerable_devices(session),
    )


def _sites(session: Session) -> dict[int, SiteState]:
    rows = session.execute(
        select(Site.id, Site.code, Region.code, Site.kind)
        .join(Region, Site.region_id == Region.id)
        .order_by(Site.code)
    )
    return {sid: SiteState(code, region, kind) for sid, code, region, kind in rows}


def _links(session: Session, sites: dict[int, SiteState], at: dt.datetime) -> None:
    since = at - max(WINDOWS.values())
    # Correlated min(): one index seek per link on (link_id, at), where a GROUP BY would read
    # every sample (78 links x 1,440 a day x 30 days).
    first_sample = (
        select(func.min(LinkSample.at)).where(LinkSample.link_id == Link.id).scalar_subquery()
    )
    for site_id, target_type, count in session.execute(
        select(Outage.site_id, Outage.target_type, func.count()).group_by(
            Outage.site_id, Outage.target_type
        )
    ):
        sites[site_id].outages[target_type] = count
    intervals: dict[int, list[tuple[dt.datetime, dt.datetime | None]]] = defaultdict(list)
    for target_id, start, end in session.execute(
        select(Outage.target_id, Outage.start, Outage.end).where(
            Outage.target_type == "link", Outage.end.is_(None) | (Outage.end > since)
        )
    ):
        intervals[target_id].append((start, end))
    links = session.execute(
        select(
            Link.id,
            Link.site_id,
            Link.up,
            Link.rtt_ms,
            Link.loss_ratio,
            Link.last_probe,
            first_sample,
        )
    )
    for link_id, site_id, up, rtt_ms, loss, last_probe, first in links:
        site = sites[site_id]
        site.up = up
        site.rtt_seconds = None if rtt_ms is None else rtt_ms / 1000.0
        site.loss_ratio = loss
        starts = [t for t in (first, last_probe) if t is not None]
        starts += [start for start, _ in intervals[link_id]]
        if not starts:
            continue  # never probed: no availability rather than a made-up 100 %
        observed = min(starts)  # a link is judged only since it was first watched
        for window, span in WINDOWS.items():
            site.availability[window] = availability(
                intervals[link_id], max(at - span, observed), at
            )


def _devices(
    session: Session, sites: dict[int, SiteState], policies: PolicyView | None, today: dt.date
) -> None:
    rows = session.execute(
        select(
            Device.site_id,
            Device.reachable,
            Device.lifecycle_status,
            Device.platform,
            Device.model,
            Device.os_name,
            Device.os_version,
        )
    )
    # Devices share a handful of models and OS releases: look each combination up once.
    known: dict[tuple[str, str, str, str], tuple[dt.date | None, dt.date | None]] = {}
    for site_id, reachable, status, platform, model, os_name, os_version in rows:
        site = sites[site_id]
        if status in NOT_POLLED:
            continue
        state = "unknown" if reachable is None else ("up" if reachable else "down")
        site.devices[state] += 1
        if policies is None:
            continue
        combination = (platform, model, os_name, os_version)
        if combination not in known:
            known[combination] = policies.end_of_support(*combination)
        dates = known[combination]
        for component, end in zip(COMPONENTS, dates, strict=True):
            for horizon in _horizons(end, today):
                key = (component, horizon)
                site.end_of_support[key] = site.end_of_support.get(key, 0) + 1
    for site in sites.values():
        if site.up is None and site.devices["up"] + site.devices["down"] > 0:
            # A site without a probed link (the headquarters) is up when one device answers.
            site.up = site.devices["up"] > 0


def _horizons(end: dt.date | None, today: dt.date) -> list[str]:
    if end is None:
        return []
    if end < today:
        return ["past"]
    return [name for name, days in HORIZONS.items() if (end - today).days <= days]


def _nonstandard(session: Session, sites: dict[int, SiteState], rule_ids: Sequence[str]) -> None:
    if not rule_ids:
        return
    rows = session.execute(
        select(Finding.site_id, func.count(func.distinct(Finding.ci_id)))
        .where(
            Finding.rule_id.in_(rule_ids),
            Finding.status == "fail",
            Finding.ci_type == "device",
            Finding.site_id.is_not(None),
        )
        .group_by(Finding.site_id)
    )
    for site_id, count in rows:
        if site_id in sites:
            sites[site_id].nonstandard_software_devices = count


def _loops(session: Session) -> list[LoopState]:
    done = PollRun.ended_at.is_not(None)
    group = (PollRun.loop, PollRun.poller_group)
    counts = session.execute(
        select(*group, func.count(), func.max(PollRun.id)).where(done).group_by(*group)
    ).all()
    # Success: the run finished and at least one device answered (or there was nothing to poll);
    # a run where every device failed says the collector itself is broken.
    succeeded = (PollRun.devices_ok > 0) | (PollRun.devices_total == 0)
    last_success = {
        (loop, grp): at
        for loop, grp, at in session.execute(
            select(*group, func.max(PollRun.ended_at)).where(done, succeeded).group_by(*group)
        )
    }
    last_ids = [last_id for *_, last_id in counts]
    runs = {r.id: r for r in session.scalars(select(PollRun).where(PollRun.id.in_(last_ids)))}
    states = []
    for loop, grp, count, last_id in counts:
        run = runs[last_id]
        assert run.ended_at is not None  # selected among finished runs
        states.append(
            LoopState(
                loop=loop, poller_group=grp, runs=count,
                last_duration_seconds=(run.ended_at - run.started_at).total_seconds(),
                last_end=run.ended_at,
                devices_ok=run.devices_ok,
                devices_failed=run.devices_failed,
                errors=len(run.errors or []),
                last_success=last_success.get((loop, grp)),
            )
        )
    return sorted(states, key=lambda s: (s.loop, s.poller_group))
