"""The real advisory documents of tests/compliance/fixtures/advisories, loaded and parsed."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from compliance.advisories import Advisory, AdvisoryIndex, parse_document

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "advisories"


def document(name: str) -> dict[str, Any]:
    """A fresh copy of one fixture ("csaf/FG-IR-26-154.json"): tests may change it."""
    return copy.deepcopy(_cached(name))


_LOADED: dict[str, dict[str, Any]] = {}


def _cached(name: str) -> dict[str, Any]:
    if name not in _LOADED:
        _LOADED[name] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return _LOADED[name]


def advisory(name: str) -> Advisory:
    [found] = parse_document(document(name))
    return found


def fixture_names() -> list[str]:
    return sorted(str(p.relative_to(FIXTURES)) for p in FIXTURES.glob("*/*.json"))


@pytest.fixture(scope="module")
def index() -> AdvisoryIndex:
    """Every real document of the fixtures, indexed."""
    return AdvisoryIndex(a for name in fixture_names() for a in parse_document(document(name)))
