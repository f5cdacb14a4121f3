"""Which part of the network a run covers and what a loop's collection yields, shared by the
loops' modules (`collection`, `discovery`, `linkload`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from collectors.base import (
    DeviceFacts,
    LinkCounters,
    NeighbourReport,
    ProbeSample,
    Sighting,
    SweepTarget,
    Target,
)

Result = DeviceFacts | ProbeSample | Sighting | NeighbourReport | LinkCounters
Work = Target | SweepTarget
Advance = Callable[[Result], None]


@dataclass(frozen=True)
class Scope:
    """Which part of the network a run covers (empty: all of it)."""

    regions: Sequence[str] | None = None
    sites: Sequence[str] | None = None
