"""Availability of site links from the CMDB's outage intervals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable


def availability(
    outages: Iterable[tuple[dt.datetime, dt.datetime | None]],
    window_start: dt.datetime,
    now: dt.datetime,
) -> float | None:
    """Share of [window_start, now] not covered by outages (``end`` None: still down).

    Overlapping outages are merged so a period is never counted twice. None for an empty window.
    """
    span = (now - window_start).total_seconds()
    if span <= 0:
        return None
    clipped = sorted(
        (max(start, window_start), min(end or now, now))
        for start, end in outages
        if (end or now) > window_start and start < now
    )
    down = 0.0
    current_start: dt.datetime | None = None
    current_end: dt.datetime | None = None
    for start, end in clipped:
        if current_end is None or start > current_end:
            if current_start is not None and current_end is not None:
                down += (current_end - current_start).total_seconds()
            current_start, current_end = start, end
        elif end > current_end:
            current_end = end
    if current_start is not None and current_end is not None:
        down += (current_end - current_start).total_seconds()
    return max(0.0, 1.0 - down / span)
