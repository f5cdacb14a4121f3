"""Known vulnerabilities as the page, the API, the report and /metrics show them.

One source for all four: the stored findings of the VULN:<advisory> rules (status fail, and
waived shown apart) joined with their device, site, region and advisory. `vulnerability_view`
folds them per advisory (affected devices by region and site) and per device (its advisories),
so "how many devices does CVE-X affect in region NOR" has one answer everywhere.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from cmdb.models import Advisory, Device, Finding, Region, Site

PREFIX = "VULN:"
SEVERITY_ORDER = ("critical", "high", "medium", "low")
STATUSES = ("fail", "waived")  # a waived vulnerability is accepted risk: listed, not counted


@dataclass(frozen=True)
class Exposed:
    """One device affected by one advisory (a VULN finding that failed or was waived)."""

    advisory_id: str
    device_id: int
    hostname: str
    site: str
    region: str
    status: str  # fail | waived
    severity: str
    evidence: str


@dataclass
class AdvisoryExposure:
    advisory_id: str
    title: str
    source_format: str
    cve_ids: list[str]
    cvss_score: float | None
    cvss_vector: str | None
    severity: str
    devices: int = 0  # affected (fail), waived apart
    waived: int = 0
    regions: dict[str, int] = field(default_factory=dict)
    sites: dict[str, int] = field(default_factory=dict)
    exposed: list[Exposed] = field(default_factory=list)


@dataclass
class DeviceExposure:
    device_id: int
    hostname: str
    site: str
    region: str
    worst: str  # the highest severity among its unwaived advisories ("" if all waived)
    advisories: list[Exposed] = field(default_factory=list)


@dataclass
class VulnerabilityView:
    advisories: list[AdvisoryExposure]
    devices: list[DeviceExposure]
    imported: int  # advisories in the CMDB

    def totals(self) -> dict[str, object]:
        affected = [d for d in self.devices if d.worst]
        return {
            "advisories_imported": self.imported,
            "advisories_affecting": sum(1 for a in self.advisories if a.devices),
            "vulnerable_devices": len(affected),
            "by_severity": dict(Counter(d.worst for d in affected)),
        }


def exposed_rows(
    session: Session,
    region: str | None = None,
    site: str | None = None,
    device_id: int | None = None,
) -> list[Exposed]:
    query = (
        select(Finding, Device.hostname, Site.code, Region.code)
        .join(Device, (Finding.ci_type == "device") & (Finding.ci_id == Device.id))
        .join(Site, Device.site_id == Site.id)
        .join(Region, Site.region_id == Region.id)
        .where(Finding.rule_id.startswith(PREFIX), Finding.status.in_(STATUSES))
        .order_by(Finding.rule_id, Region.code, Site.code, Device.hostname)
    )
    if region:
        query = query.where(Region.code == region)
    if site:
        query = query.where(Site.code == site)
    if device_id is not None:
        query = query.where(Device.id == device_id)
    return [
        Exposed(f.rule_id.removeprefix(PREFIX), f.ci_id, host, site_code, region_code,
                f.status, f.severity, f.evidence)
        for f, host, site_code, region_code in session.execute(query)
    ]


def vulnerability_view(
    session: Session,
    region: str | None = None,
    site: str | None = None,
    severity: str | None = None,
    device_id: int | None = None,
) -> VulnerabilityView:
    """Per advisory and per device, filtered by region, site, severity or one device."""
    rows = [
        r for r in exposed_rows(session, region, site, device_id)
        if not severity or r.severity == severity
    ]
    stored = {a.advisory_id: a for a in session.scalars(select(Advisory))}
    per_advisory: dict[str, AdvisoryExposure] = {}
    per_device: dict[int, DeviceExposure] = {}
    for row in rows:
        entry = per_advisory.get(row.advisory_id)
        if entry is None:
            entry = per_advisory[row.advisory_id] = _advisory(row, stored.get(row.advisory_id))
        entry.exposed.append(row)
        device = per_device.setdefault(
            row.device_id, DeviceExposure(row.device_id, row.hostname, row.site, row.region, "")
        )
        device.advisories.append(row)
        if row.status == "waived":
            entry.waived += 1
            continue
        entry.devices += 1
        entry.regions[row.region] = entry.regions.get(row.region, 0) + 1
        entry.sites[row.site] = entry.sites.get(row.site, 0) + 1
        device.worst = _worse(device.worst, row.severity)
    advisories = sorted(per_advisory.values(), key=lambda a: (
        _rank(a.severity), -(a.cvss_score or 0.0), -a.devices, a.advisory_id))
    devices = sorted(per_device.values(), key=lambda d: (
        _rank(d.worst), -len(d.advisories), d.region, d.site, d.hostname))
    return VulnerabilityView(advisories, devices, len(stored))


def _advisory(row: Exposed, stored: Advisory | None) -> AdvisoryExposure:
    if stored is None:  # removed from the CMDB since the evaluation: still shown, unnamed
        return AdvisoryExposure(row.advisory_id, "", "", [], None, None, row.severity)
    return AdvisoryExposure(
        row.advisory_id, stored.title, stored.source_format, list(stored.cve_ids or []),
        stored.cvss_score, stored.cvss_vector, row.severity,
    )


def _rank(severity: str) -> int:
    return SEVERITY_ORDER.index(severity) if severity in SEVERITY_ORDER else len(SEVERITY_ORDER)


def _worse(a: str, b: str) -> str:
    return b if not a or _rank(b) < _rank(a) else a


def vulnerable_devices(session: Session) -> dict[tuple[str, str], int]:
    """(worst severity, region) -> devices with at least one unwaived vulnerability."""
    worst: dict[int, tuple[str, str]] = {}
    for row in exposed_rows(session):
        if row.status != "fail":
            continue
        known = worst.get(row.device_id)
        worst[row.device_id] = (_worse(known[0] if known else "", row.severity), row.region)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for severity, region in worst.values():
        counts[(severity, region)] += 1
    return dict(counts)


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{key} {n}" for key, n in sorted(counts.items()))


def advisory_rows(view: VulnerabilityView) -> list[dict[str, object]]:
    """One flat row per advisory (the report's table, CSV and JSON)."""
    return [
        {
            "advisory": a.advisory_id,
            "severity": a.severity,
            "cvss": a.cvss_score,
            "cves": ", ".join(a.cve_ids),
            "affected_devices": a.devices,
            "waived": a.waived,
            "regions": _counts(a.regions),
            "title": a.title,
        }
        for a in view.advisories
    ]


def device_rows(view: VulnerabilityView) -> list[dict[str, object]]:
    """One flat row per affected device."""
    return [
        {
            "device": d.hostname,
            "site": d.site,
            "region": d.region,
            "worst": d.worst or "waived",
            "advisories": len([e for e in d.advisories if e.status == "fail"]),
            "waived": len([e for e in d.advisories if e.status == "waived"]),
            "ids": ", ".join(e.advisory_id for e in d.advisories),
        }
        for d in view.devices
    ]


def vulnerability_rule_ids(session: Session) -> list[str]:
    """The VULN:<advisory> rules that have stored findings (for control filters)."""
    query = select(Finding.rule_id).where(Finding.rule_id.startswith(PREFIX)).distinct()
    return sorted(session.scalars(query))
