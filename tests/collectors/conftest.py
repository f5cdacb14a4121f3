"""Shared peers for the collector tests: a real snmpd, and the lab when it is there."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
# The repository root and tests/ must be importable when pytest runs without an install.
for path in (HERE.parent.parent, HERE.parent, HERE):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from snmpd_peer import Snmpd, start_snmpd  # noqa: E402

try:  # the lab engineer's fixture; absent until lab/ lands
    from fixtures_lab import lab_network
except ImportError:  # pragma: no cover - depends on the checkout

    @pytest.fixture(scope="session")
    def lab_network() -> Iterator[None]:
        pytest.skip("lab fixture tests/fixtures_lab.py not available yet")
        yield None


@pytest.fixture(scope="session")
def snmpd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Snmpd]:
    """One snmpd on two loopback addresses: .1 for v2c tests, .2 for v3 tests."""
    peer = start_snmpd(tmp_path_factory.mktemp("snmpd"), ["127.200.0.1", "127.200.0.2"])
    yield peer
    peer.stop()
