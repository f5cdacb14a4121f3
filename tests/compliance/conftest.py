"""Shared fixtures: the shipped policies and recorded device cases (one folder per case)."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Any

import pytest

from compliance.facts import CiFacts, IkeSa, SoftwareItem
from compliance.policy import PolicySet, load_policies

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TODAY = dt.date(2026, 3, 1)


@pytest.fixture(scope="session")
def policies() -> PolicySet:
    return load_policies(ROOT / "policies")


def case_data(name: str) -> dict[str, Any]:
    return tomllib.loads((FIXTURES / name / "facts.toml").read_text(encoding="utf-8"))


def load_case(name: str, ci_id: int = 1, **changes: Any) -> CiFacts:
    """Build the engine's input from a recorded case: facts.toml plus running-config.txt if any."""
    data = case_data(name)
    data.pop("entitlements", None)
    config = FIXTURES / name / "running-config.txt"
    software = data.pop("software", None)
    sas = data.pop("ike_sas", None)
    values: dict[str, Any] = {
        "ci_type": "device",
        "ci_id": ci_id,
        "name": name,
        "site_code": "NOR-EP-01",
        "region_code": "NOR",
        "running_config": config.read_text() if config.exists() else None,
        "software": None if software is None else tuple(SoftwareItem(**s) for s in software),
        "ike_sas": None if sas is None else tuple(IkeSa(**s) for s in sas),
        **data,
    }
    values.update(changes)
    return CiFacts(**values)


def case_entitlements(name: str) -> list[str]:
    return list(case_data(name).get("entitlements", []))
