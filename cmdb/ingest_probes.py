"""Reachability samples into the CMDB: device and link state, link history, outage intervals.

Takes the caller's session and never commits (see cmdb.ingest)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from cmdb.ingest_values import naive_utc
from cmdb.models import Device, Link, LinkSample, Outage
from collectors.base import ProbeSample


def ingest_probe_samples(session: Session, samples: Sequence[ProbeSample], at: dt.datetime) -> None:
    """Reachability samples → device/link state, link RTT history, outage intervals."""
    at = naive_utc(at)
    devices = {d.hostname: d for d in session.scalars(select(Device))}
    links = {link.site.code: link for link in session.scalars(select(Link).join(Link.site))}
    open_outages = {
        (o.target_type, o.target_id): o
        for o in session.scalars(select(Outage).where(Outage.end.is_(None)))
    }
    for sample in samples:
        when = naive_utc(sample.at)
        if sample.target.startswith("link:"):
            link = links.get(sample.target[5:])
            if link is None:
                continue
            link.up, link.last_probe = sample.up, when
            link.rtt_ms, link.loss_ratio = sample.rtt_avg_ms, sample.loss_ratio
            session.add(
                LinkSample(
                    link_id=link.id,
                    at=when,
                    up=sample.up,
                    rtt_ms=sample.rtt_avg_ms,
                    loss_ratio=sample.loss_ratio,
                )
            )
            _track_outage(session, open_outages, "link", link.id, link.site_id, sample, when)
            continue
        device = devices.get(sample.target)
        if device is None:
            continue
        device.reachable = sample.up
        if sample.up:
            device.last_seen = when
            device.first_seen = device.first_seen or when
        _track_outage(session, open_outages, "device", device.id, device.site_id, sample, when)


def _track_outage(
    session: Session,
    open_outages: dict[tuple[str, int], Outage],
    target_type: str,
    target_id: int,
    site_id: int,
    sample: ProbeSample,
    when: dt.datetime,
) -> None:
    current = open_outages.get((target_type, target_id))
    if not sample.up and current is None:
        outage = Outage(
            target_type=target_type,
            target_id=target_id,
            site_id=site_id,
            start=when,
            reason=sample.error or f"no answer to {sample.sent} probes",
        )
        session.add(outage)
        open_outages[(target_type, target_id)] = outage
    elif sample.up and current is not None:
        current.end = when
        del open_outages[(target_type, target_id)]
