"""pytest plugin: the simulated network for tests that poll something real.

Enable it with ``pytest_plugins = ["tests.fixtures_lab"]`` in a conftest.py, then::

    def test_switch_answers(lab_network):
        device = next(d for d in lab_network.truth["devices"] if d["kind"] == "switch")
        ...  # poll device["address"] with the credentials of lab_network.inventory_path

``lab_network`` (session scope) starts one lab at ``--scale 0.15`` (every one of the 79 sites,
about 3 devices each: core switch, VPN gateway, one server; ~250 devices, a few seconds) in a
temporary state directory, on a free lab instance octet (addresses ``127.<net>.<site>.<device>``
with ``net`` in 100..159, so parallel test sessions and a developer's ``lab up`` on net 20 do not
collide), and stops it by PID at the end. It yields a `LabNetwork`:

- ``state_dir``, ``inventory_path`` (docs/inventory-format.md), ``secrets_dir`` (one file per
  secret name, mode 0600: set ``[secrets] dir`` or read them directly);
- ``truth``: parsed truth.json at start (schema in lab/README.md); ``reload_truth()`` re-reads it;
- ``fail(site)``, ``restore(site=None)``, ``degrade(site, loss)``, ``slow(site, seconds)``;
- ``edit(hostname, add_lines=…, remove_lines=…, os_version=…, install={name: version},
  uninstall=[names], serial=…)``: the next SNMP/SSH poll sees the change.

Faults persist for the session: use ``lab_site_fault`` (function scope) for a fault that is
undone after the test, e.g. ``lab_site_fault.fail("NOR-EP-01")``.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest

from lab.runtime import Lab

TEST_SCALE = 0.15
TEST_SEED = 7


class LabNetwork:
    """A running lab, as the fixture yields it."""

    def __init__(self, lab: Lab, net: int) -> None:
        self.lab = lab
        self.net = net
        self.state_dir = lab.state_dir
        self.inventory_path = lab.inventory_path
        self.secrets_dir = lab.secrets_dir
        self.truth: dict[str, Any] = lab.truth()

    def reload_truth(self) -> dict[str, Any]:
        self.truth = self.lab.truth()
        return self.truth

    def secret(self, name: str) -> str:
        return (self.secrets_dir / name).read_text().strip()

    def device(self, hostname: str) -> dict[str, Any]:
        return next(d for d in self.truth["devices"] if d["hostname"] == hostname)

    def fail(self, site: str) -> str:
        return self.lab.fail(site)

    def restore(self, site: str | None = None) -> str:
        return self.lab.restore(site)

    def degrade(self, site: str, loss: int) -> str:
        return self.lab.degrade(site, loss)

    def slow(self, site: str, seconds: float) -> str:
        return self.lab.slow(site, seconds)

    def edit(self, hostname: str, **change: Any) -> dict[str, Any]:
        self.lab.edit(hostname, **change)
        return self.reload_truth()


def _free_net() -> tuple[int, IO[str]]:
    """A lab instance octet no other test session holds (lock file) and nothing listens on."""
    for net in range(100, 160):
        lock = open(Path(tempfile.gettempdir()) / f"atalaya-lab-net-{net}.lock", "w")  # noqa: SIM115
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock.close()
            continue
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        port = 161 if os.geteuid() == 0 else 16161
        try:
            probe.bind((f"127.{net}.1.1", port))
        except OSError:
            lock.close()
            continue
        finally:
            probe.close()
        return net, lock
    raise RuntimeError("no free lab instance octet in 127.100-159")


@pytest.fixture(scope="session")
def lab_network() -> Iterator[LabNetwork]:
    net, lock = _free_net()
    with tempfile.TemporaryDirectory(prefix="atalaya-lab-") as tmp:
        lab = Lab(Path(tmp) / "lab", Path(tmp) / "secrets")
        try:
            lab.up(seed=TEST_SEED, scale=TEST_SCALE, net=net)
            yield LabNetwork(lab, net)
        finally:
            lab.down()
            lock.close()


@pytest.fixture
def lab_site_fault(lab_network: LabNetwork) -> Iterator[LabNetwork]:
    """The session lab; every fault made through it is restored after the test."""
    try:
        yield lab_network
    finally:
        with contextlib.suppress(Exception):
            lab_network.restore()
