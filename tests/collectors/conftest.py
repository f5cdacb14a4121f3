"""Shared peers for the collector tests: a real snmpd, and the lab when it is there."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.collectors.snmpd_peer import Snmpd, start_snmpd


@pytest.fixture(scope="session")
def snmpd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Snmpd]:
    """One snmpd on two loopback addresses: .1 for v2c tests, .2 for v3 tests."""
    peer = start_snmpd(tmp_path_factory.mktemp("snmpd"), ["127.200.0.1", "127.200.0.2"])
    yield peer
    peer.stop()


@pytest.fixture(scope="session")
def lab(request: pytest.FixtureRequest) -> Any:
    """The simulated network (tests/fixtures_lab.py's `lab_network`)."""
    return request.getfixturevalue("lab_network")
