"""ICMP and TCP probes against loopback addresses; loss made real with an nftables drop rule."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator

import pytest

from collectors.base import Target
from collectors.reachability import ReachabilityCollector

TABLE = "atalaya_test_reachability"
DROPPED = "127.200.9.0/24"


@pytest.fixture
def dropped_subnet() -> Iterator[str]:
    """Make 127.200.9.0/24 silent (as `lab fail` does to a site), in a table of our own."""
    rules = (
        f"table inet {TABLE} {{\n"
        "  chain out {\n"
        "    type filter hook output priority 0;\n"
        f"    ip daddr {DROPPED} drop\n"
        "  }\n"
        "}\n"
    )
    done = subprocess.run(["nft", "-f", "-"], input=rules, text=True, capture_output=True)
    # make test installs nftables and runs as root: a refusal here is a broken set-up, not a skip
    assert done.returncode == 0, f"nftables refused the rule: {done.stderr.strip()}"
    yield DROPPED
    subprocess.run(["nft", "delete", "table", "inet", TABLE], check=False)


@pytest.fixture
def listener() -> Iterator[tuple[str, int]]:
    with socket.socket() as sock:
        sock.bind(("127.200.8.1", 0))
        sock.listen(16)
        yield sock.getsockname()


def device(name: str, address: str, port: int = 9) -> Target:
    return Target(name, address, "linux", "TST", tcp_port=port)


def test_up_device_answers_every_packet_and_tcp(listener: tuple[str, int]) -> None:
    address, port = listener
    [sample] = ReachabilityCollector(count=4).probe([device("up", address, port)], 5)
    assert (sample.sent, sample.received, sample.tcp_ok, sample.error) == (4, 4, True, "")
    assert sample.rtt_min_ms is not None and sample.rtt_max_ms is not None
    assert 0 <= sample.rtt_min_ms <= (sample.rtt_avg_ms or 0) <= sample.rtt_max_ms < 1000
    assert sample.up and sample.loss_ratio == 0.0


def test_closed_port_fails_tcp_but_icmp_still_answers() -> None:
    [sample] = ReachabilityCollector(count=2).probe([device("closed", "127.200.8.2", 1)], 5)
    assert sample.received == 2 and sample.tcp_ok is False


def test_dropped_site_is_total_loss_with_a_reason(dropped_subnet: str) -> None:
    collector = ReachabilityCollector(count=3, timeout_s=0.3, interval_s=0.0)
    down, up = collector.probe(
        [device("down", "127.200.9.7", 22), device("up", "127.200.8.3")], deadline_s=5
    )
    assert (down.sent, down.received, down.tcp_ok) == (3, 0, False)
    assert not down.up and down.loss_ratio == 1.0 and down.rtt_avg_ms is None
    assert "no echo reply from 127.200.9.7" in down.error
    assert up.received == 3  # the silent site does not affect the others


def test_sweep_of_many_devices_returns_one_sample_each_in_order() -> None:
    targets = [device(f"d{i}", f"127.200.10.{i}") for i in range(1, 201)]
    samples = ReachabilityCollector(count=3, tcp=False).probe(targets, 5)
    assert [s.target for s in samples] == [t.hostname for t in targets]
    assert sum(s.received for s in samples) == 600
