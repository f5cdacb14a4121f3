"""Which part of the network a run covers, shared by every loop's target loader."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    """Which part of the network a run covers (empty: all of it)."""

    regions: Sequence[str] | None = None
    sites: Sequence[str] | None = None
