"""Link load's write path: counter readings in, samples with rates and utilisation out.

The rate between two readings is the octet delta over the *uptime* delta (both read in one GET),
so the poller's own delays do not bend it. A reading whose uptime went back is a restart: no
rate for that interval (the counters started again from zero, a delta would be nonsense). A
counter lower than before with the uptime still going forward wrapped at 2^64: the delta adds
2^64. A rate above the interface can carry is reported as implausible and not stored as load.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from cmdb.ingest_values import naive_utc
from cmdb.models import Device, Link, LinkLoadSample
from collectors.base import LinkCounters

WRAP = 2**64
# A rate this far above the declared bandwidth is a counter reset, not traffic (a WAN line
# may burst somewhat above its contracted rate).
IMPLAUSIBLE = 3.0


@dataclass(frozen=True)
class Rate:
    in_bps: float | None
    out_bps: float | None
    note: str


def rate(previous: LinkLoadSample | None, reading: LinkCounters, bandwidth_bps: float) -> Rate:
    """The rate since ``previous``; None with a note where there is none to tell."""
    assert reading.uptime_ticks is not None
    assert reading.in_octets is not None and reading.out_octets is not None
    if previous is None:
        return Rate(None, None, "first")
    elapsed_s = (reading.uptime_ticks - previous.uptime_ticks) / 100.0
    if elapsed_s <= 0:
        return Rate(None, None, "restart")
    note = ""
    rates = []
    for now, before in (
        (reading.in_octets, int(previous.in_octets)),
        (reading.out_octets, int(previous.out_octets)),
    ):
        delta = now - before
        if delta < 0:
            delta += WRAP
            note = "wrap"
        rates.append(delta * 8 / elapsed_s)
    if bandwidth_bps and max(rates) > IMPLAUSIBLE * bandwidth_bps:
        return Rate(None, None, "implausible")
    return Rate(rates[0], rates[1], note)


def store_link_load(session: Session, readings: Sequence[object], at: dt.datetime) -> int:
    """One sample per reading of a site's gateway (its site's link); returns samples stored."""
    links = {link.site_id: link for link in session.scalars(select(Link))}
    stored = 0
    for reading in readings:
        if not isinstance(reading, LinkCounters) or reading.error is not None:
            continue
        device = session.scalar(select(Device).where(Device.hostname == reading.hostname))
        link = links.get(device.site_id) if device is not None else None
        if link is None:
            continue
        previous = session.scalars(
            select(LinkLoadSample)
            .where(LinkLoadSample.link_id == link.id)
            .order_by(LinkLoadSample.at.desc(), LinkLoadSample.id.desc())
            .limit(1)
        ).first()
        bandwidth = (link.bandwidth_mbps or 0) * 1_000_000
        found = rate(previous, reading, bandwidth)
        session.add(
            LinkLoadSample(
                link_id=link.id, at=naive_utc(reading.at), interface=reading.interface,
                uptime_ticks=reading.uptime_ticks, in_octets=str(reading.in_octets),
                out_octets=str(reading.out_octets), in_bps=found.in_bps, out_bps=found.out_bps,
                in_ratio=_ratio(found.in_bps, bandwidth),
                out_ratio=_ratio(found.out_bps, bandwidth),
                note=found.note,
            )
        )  # fmt: skip
        session.flush()
        stored += 1
    return stored


def _ratio(bps: float | None, bandwidth_bps: float) -> float | None:
    return bps / bandwidth_bps if bps is not None and bandwidth_bps else None
