"""The metric families of one `MetricSnapshot`, in the order of deploy/METRICS.md:
inventory, network, compliance, lifecycle, collectors. Pure: a snapshot in, families out;
`cmdb.metricstext` renders it at the end of a cycle; `web.metrics` serves the text.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from prometheus_client.metrics_core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    InfoMetricFamily,
    Metric,
)

from cmdb.metricsnapshot import COMPONENTS, HORIZONS, WINDOWS, MetricSnapshot


def families(
    snapshot: MetricSnapshot, version: str, intervals: dict[str, int] | None = None
) -> list[Metric]:
    """The metric families of one snapshot, in the order of deploy/METRICS.md."""
    return [
        *_inventory_families(snapshot, version),
        *_network_families(snapshot),
        *_discovery_families(snapshot),
        *_compliance_families(snapshot),
        *_lifecycle_families(snapshot),
        *_collector_families(snapshot, intervals or {}),
    ]


def _ts(at: dt.datetime) -> float:
    return at.replace(tzinfo=dt.UTC).timestamp()


def _inventory_families(snapshot: MetricSnapshot, version: str) -> list[Metric]:
    info = InfoMetricFamily("atalaya", "Atalaya build information.", labels=["version"])
    info.add_metric([version], {})
    at = GaugeMetricFamily(
        "atalaya_snapshot_timestamp_seconds",
        "End of the poll cycle these metrics reflect (Unix time).",
    )
    at.add_metric([], _ts(snapshot.at))
    sites = GaugeMetricFamily("atalaya_sites", "Sites in the inventory.", labels=["region", "kind"])
    counts = Counter((s.region, s.kind) for s in snapshot.sites)
    for (region, kind), count in sorted(counts.items()):
        sites.add_metric([region, kind], count)
    return [info, at, sites]


def _network_families(snapshot: MetricSnapshot) -> list[Metric]:
    site_labels = ["site", "region"]
    up = GaugeMetricFamily(
        "atalaya_site_up",
        "1 if the site answers (its link, or a device where it has no link), 0 if not; "
        "absent until first probed.",
        labels=["site", "region", "kind"],
    )
    devices = GaugeMetricFamily(
        "atalaya_site_devices",
        "Devices of the site by reachability state (up, down, unknown), retired excluded.",
        labels=[*site_labels, "state"],
    )
    rtt = GaugeMetricFamily(
        "atalaya_link_rtt_seconds", "Last round-trip time of the site link.", labels=site_labels
    )
    loss = GaugeMetricFamily(
        "atalaya_link_loss_ratio", "Last packet loss of the site link (0-1).", labels=site_labels
    )
    avail = GaugeMetricFamily(
        "atalaya_link_availability_ratio",
        "Share of the window the site link was up, from outage intervals (0-1).",
        labels=[*site_labels, "window"],
    )
    outages = CounterMetricFamily(
        "atalaya_outages",
        "Outage intervals recorded at the site, by target (link or device).",
        labels=[*site_labels, "target"],
    )
    for site in snapshot.sites:
        labels = [site.code, site.region]
        if site.up is not None:
            up.add_metric([*labels, site.kind], 1.0 if site.up else 0.0)
        for state, count in site.devices.items():
            devices.add_metric([*labels, state], count)
        if site.rtt_seconds is not None:
            rtt.add_metric(labels, site.rtt_seconds)
        if site.loss_ratio is not None:
            loss.add_metric(labels, site.loss_ratio)
        for window in WINDOWS:
            value = site.availability.get(window)
            if value is not None:
                avail.add_metric([*labels, window], value)
        for target in ("link", "device"):
            outages.add_metric([*labels, target], site.outages.get(target, 0))
    return [up, devices, rtt, loss, avail, outages]


def _discovery_families(snapshot: MetricSnapshot) -> list[Metric]:
    discovered = GaugeMetricFamily(
        "atalaya_discovered_devices",
        "Devices discovery found at the site that the inventory lacks, by decision "
        "(new: an unregistered-device finding; adopted; ignored).",
        labels=["site", "region", "decision"],
    )
    utilisation = GaugeMetricFamily(
        "atalaya_link_utilisation_ratio",
        "Utilisation of the site link's WAN interface at the last link load poll, by direction "
        "(in, out), as a share of the link's declared bandwidth.",
        labels=["site", "region", "direction"],
    )
    for site in snapshot.sites:
        for status, count in sorted(site.discovered.items()):
            discovered.add_metric([site.code, site.region, status], count)
        for direction, ratio in sorted(site.utilisation.items()):
            utilisation.add_metric([site.code, site.region, direction], ratio)
    return [discovered, utilisation]


def _score(entry: dict[str, Any]) -> float | None:
    score = entry.get("score")
    return None if score is None else float(score) / 100.0  # stored as a percentage


Scope = tuple[str, str, list[str], list[tuple[list[str], dict[str, Any]]]]


def _compliance_families(snapshot: MetricSnapshot) -> list[Metric]:
    result: list[Metric] = []
    for scope, what, labels, entries in _score_scopes(snapshot):
        score = GaugeMetricFamily(
            f"atalaya_compliance_{scope}_score_ratio",
            f"Severity-weighted share of passed findings for {what} (0-1); "
            "absent when nothing was judged.",
            labels=labels,
        )
        gaps = GaugeMetricFamily(
            f"atalaya_compliance_{scope}_evidence_gaps",
            f"Findings of {what} with no evidence (unknown), kept outside the score.",
            labels=labels,
        )
        for values, entry in entries:
            value = _score(entry)
            if value is not None:
                score.add_metric(values, value)
            gaps.add_metric(values, int(entry.get("unknown", 0)))
        result += [score, gaps]
    findings = GaugeMetricFamily(
        "atalaya_findings",
        "Current findings by severity and status.",
        labels=["severity", "status"],
    )
    for (severity, status), count in sorted(snapshot.findings.items()):
        findings.add_metric([severity, status], count)
    vulnerable = GaugeMetricFamily(
        "atalaya_vulnerable_devices",
        "Devices affected by at least one unwaived imported advisory, by the worst severity "
        "among them (from CVSS) and region.",
        labels=["severity", "region"],
    )
    for (severity, region), count in sorted(snapshot.vulnerable_devices.items()):
        vulnerable.add_metric([severity, region], count)
    evaluated = GaugeMetricFamily(
        "atalaya_compliance_last_evaluation_timestamp_seconds",
        "When the latest compliance evaluation ran (Unix time).",
    )
    if snapshot.evaluation_at is not None:
        evaluated.add_metric([], _ts(snapshot.evaluation_at))
    return [*result, findings, vulnerable, evaluated]


def _score_scopes(snapshot: MetricSnapshot) -> list[Scope]:
    """(scope, what it is in help text, label names, [(label values, score entry)]) for the
    organisation, each region, each site and each control of both standards."""
    scores = snapshot.scores
    regions = snapshot.region_of()
    return [
        ("organisation", "the whole organisation", [], [([], scores.get("organisation", {}))]),
        (
            "region",
            "a region",
            ["region"],
            [([code], e) for code, e in sorted(scores.get("regions", {}).items())],
        ),
        (
            "site",
            "a site",
            ["site", "region"],
            [
                ([code, regions.get(code, "")], e)
                for code, e in sorted(scores.get("sites", {}).items())
            ],
        ),
        (
            "control",
            "an ISO/IEC 27001 Annex A control (standard 2013 or 2022)",
            ["standard", "control"],
            [
                ([standard, control], e)
                for standard in ("2013", "2022")
                for control, e in sorted(scores.get(f"controls_{standard}", {}).items())
            ],
        ),
    ]


def _lifecycle_families(snapshot: MetricSnapshot) -> list[Metric]:
    eos = GaugeMetricFamily(
        "atalaya_devices_end_of_support",
        "Devices whose hardware or OS is past end of support (horizon=past) or reaches it "
        "within 90d / 365d.",
        labels=["site", "region", "component", "horizon"],
    )
    nonstandard = GaugeMetricFamily(
        "atalaya_software_nonstandard_devices",
        "Devices failing the base-software standard (unapproved product or version).",
        labels=["site", "region"],
    )
    for site in snapshot.sites:
        for component in COMPONENTS:
            for horizon in ("past", *HORIZONS):
                count = site.end_of_support.get((component, horizon), 0)
                eos.add_metric([site.code, site.region, component, horizon], count)
        nonstandard.add_metric([site.code, site.region], site.nonstandard_software_devices)
    return [eos, nonstandard]


def _collector_families(snapshot: MetricSnapshot, intervals: dict[str, int]) -> list[Metric]:
    labels = ["loop", "poller_group"]
    runs = CounterMetricFamily("atalaya_collector_runs", "Completed collector runs.", labels=labels)
    duration = GaugeMetricFamily(
        "atalaya_collector_last_run_duration_seconds",
        "Wall time of the latest completed run.",
        labels=labels,
    )
    devices = GaugeMetricFamily(
        "atalaya_collector_last_run_devices",
        "Targets of the latest completed run by result (ok, failed).",
        labels=[*labels, "result"],
    )
    errors = GaugeMetricFamily(
        "atalaya_collector_last_run_errors",
        "Errors recorded on the latest completed run.",
        labels=labels,
    )
    last_run = GaugeMetricFamily(
        "atalaya_collector_last_run_timestamp_seconds",
        "End of the latest completed run (Unix time).",
        labels=labels,
    )
    success = GaugeMetricFamily(
        "atalaya_collector_last_success_timestamp_seconds",
        "End of the latest run where at least one target answered (Unix time).",
        labels=labels,
    )
    interval = GaugeMetricFamily(
        "atalaya_collector_interval_seconds",
        "Configured interval between runs of the loop.",
        labels=["loop"],
    )
    for loop in snapshot.loops:
        values = [loop.loop, loop.poller_group]
        runs.add_metric(values, loop.runs)
        duration.add_metric(values, loop.last_duration_seconds)
        devices.add_metric([*values, "ok"], loop.devices_ok)
        devices.add_metric([*values, "failed"], loop.devices_failed)
        errors.add_metric(values, loop.errors)
        last_run.add_metric(values, _ts(loop.last_end))
        if loop.last_success is not None:
            success.add_metric(values, _ts(loop.last_success))
    for name, seconds in sorted(intervals.items()):
        interval.add_metric([name], seconds)
    return [runs, duration, devices, errors, last_run, success, interval]
