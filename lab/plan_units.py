"""What a reduced lab (`--scale` below 1) keeps beyond the first devices of each site's plan.

The e-government plan's indicators count IP telephony (1.7.2) and videoconference (1.1.6) per
site, so a test lab without voice gateways and video endpoints would measure those indicators
at zero and prove nothing. They stay at any scale; their addresses are their place in the full
plan, as for every other device.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

PLAN_ROLES = ("voice", "video")


class _Slot(Protocol):
    @property
    def role(self) -> str: ...


SlotT = TypeVar("SlotT", bound=_Slot)


def kept_slots(plan: Sequence[SlotT], keep: int) -> list[SlotT]:
    """The first `keep` slots of the plan, plus every later voice or video slot."""
    return [*plan[:keep], *(slot for slot in plan[keep:] if slot.role in PLAN_ROLES)]
