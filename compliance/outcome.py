"""The verdict vocabulary shared by the engine and its condition types."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Status = Literal["pass", "fail", "not_applicable", "unknown", "waived"]
STATUSES: tuple[Status, ...] = ("pass", "fail", "not_applicable", "unknown", "waived")


@dataclass(frozen=True)
class Outcome:
    status: Status
    evidence: str


def passed(evidence: str) -> Outcome:
    return Outcome("pass", evidence)


def failed(evidence: str) -> Outcome:
    return Outcome("fail", evidence)


def unknown(evidence: str) -> Outcome:
    return Outcome("unknown", evidence)


def not_applicable(evidence: str) -> Outcome:
    return Outcome("not_applicable", evidence)
