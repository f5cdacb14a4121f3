"""The SNMP collector's pace (AIMD on devices in flight), against a real agent that slows
down under load: a UDP responder that relays to snmpd after a delay growing with the number
of requests it holds, as a saturated agent process does."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from collectors.base import SnmpCredential, Target, Timeout
from collectors.snmp import INVENTORY_PARTS, SnmpCollector
from collectors.snmp_pace import Pace
from tests.collectors.snmpd_peer import COMMUNITY, Snmpd

V2C = SnmpCredential("snmp-test", "2c", community=COMMUNITY)
ADDRESSES = [f"127.200.1.{n}" for n in range(1, 41)]


def test_pace_halves_on_slow_answers_and_grows_back_one_per_window() -> None:
    pace = Pace(64, floor=4)
    for _ in range(10):
        pace.observe(0.001)  # fast: the limit stays at its ceiling
    assert pace.limit == 64 and pace.cuts == 0
    pace.observe(0.2)  # 200x the fastest, and above the 50 ms floor: queues are building
    assert pace.limit == 32 and pace.cuts == 1
    pace.observe(0.2)  # the same queue seen again at once: not a second cut
    assert pace.limit == 32
    for _ in range(32):
        pace.observe(0.001)
    assert 32.9 < pace.limit < 33.1  # one more device per window of normal answers


@pytest.fixture
def busy_relay(snmpd: Snmpd) -> Iterator[int]:
    """One port on 40 addresses that forwards to snmpd and answers 30 ms late per request it
    already holds: 40 at once wait over a second, a few at a time stay fast."""
    socks = []
    port = 0
    for address in ADDRESSES:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind((address, port))
        port = sock.getsockname()[1]
        socks.append(sock)
    held = [0]
    lock = threading.Lock()
    stop = threading.Event()

    def relay(sock: socket.socket, data: bytes, peer: tuple[str, int]) -> None:
        with lock:
            held[0] += 1
            delay = 0.03 * held[0]
        time.sleep(delay)
        up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        up.settimeout(2)
        try:
            up.sendto(data, (snmpd.addresses[0], snmpd.port))
            sock.sendto(up.recv(65535), peer)
        except OSError:
            pass
        finally:
            up.close()
            with lock:
                held[0] -= 1

    def serve(sock: socket.socket) -> None:
        sock.settimeout(0.2)
        while not stop.is_set():
            try:
                data, peer = sock.recvfrom(65535)
            except OSError:
                continue
            threading.Thread(target=relay, args=(sock, data, peer), daemon=True).start()

    threads = [threading.Thread(target=serve, args=(s,), daemon=True) for s in socks]
    for thread in threads:
        thread.start()
    yield port
    stop.set()
    for thread in threads:
        thread.join(timeout=2)
    for sock in socks:
        sock.close()


def test_a_slowing_agent_is_paced_and_no_device_times_out(busy_relay: int) -> None:
    targets = [Target(a, a, "linux", "S", snmp=V2C, snmp_port=busy_relay) for a in ADDRESSES]
    collector = SnmpCollector(timeout_s=1.0, retries=1, concurrency=40)
    facts = asyncio.run(collector.collect_async(targets, 30, INVENTORY_PARTS))
    timeouts = [f for f in facts if isinstance(f.error, Timeout)]
    assert collector._pace.cuts > 0 or collector._note  # it did see answers slow down
    assert timeouts == [], [f.error.message for f in timeouts if f.error][:3]
    assert all(f.ok and f.interfaces for f in facts)
