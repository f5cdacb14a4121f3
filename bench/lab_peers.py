"""The peers `bench_lab.py` measures beside Atalaya's collectors, in the same run: fping, a plain
asyncio TCP connect sweep, net-snmp's snmpbulkwalk and a plain netmiko loop. Each returns its
wall time, its CPU and what it got (devices up, values read, configurations complete).
"""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import subprocess
import time
from typing import Any

from bench.peers import children_cpu_s, self_cpu_s


def peer_fping(addresses: list[str]) -> dict[str, float]:
    cpu0, wall0 = children_cpu_s(), time.perf_counter()
    # fping's own 10 ms between targets, as monitoring systems run it (Nagios' check_fping,
    # Smokeping's FPing probe leave it): "-i 1" measured fping's pacing more than its work.
    # 3 packets 20 ms apart per target, as the collector sends them.
    done = subprocess.run(
        ["fping", "-q", "-c", "3", "-p", "20", "-t", "1000", *addresses],
        capture_output=True,
        text=True,
        check=False,
    )
    up = sum(1 for line in done.stderr.splitlines() if "/0%" not in line and "xmt/rcv" in line)
    return {"wall": time.perf_counter() - wall0, "cpu": children_cpu_s() - cpu0, "ok": up}


def peer_tcp_sweep(addresses: list[tuple[str, int]]) -> dict[str, float]:
    async def one(host: str, port: int, gate: asyncio.Semaphore) -> bool:
        async with gate:
            try:
                async with asyncio.timeout(1.0):
                    _, writer = await asyncio.open_connection(host, port)
            except (OSError, TimeoutError):
                return False
            writer.close()
            return True

    async def sweep() -> int:
        gate = asyncio.Semaphore(512)
        return sum(await asyncio.gather(*(one(h, p, gate) for h, p in addresses)))

    cpu0, wall0 = self_cpu_s(), time.perf_counter()
    ok = asyncio.run(sweep())
    return {"wall": time.perf_counter() - wall0, "cpu": self_cpu_s() - cpu0, "ok": ok}


SNMP_TREES = (
    "1.3.6.1.2.1.1",
    "1.3.6.1.2.1.2.2.1",
    "1.3.6.1.2.1.31.1.1.1",
    "1.3.6.1.2.1.47.1.1.1.1",
)


def peer_bulkwalk(targets: list[Any]) -> dict[str, float]:
    """snmpbulkwalk of the system group, ifTable, ifXTable and entPhysicalTable, 4 at once."""

    def walk(target: Any, tree: str) -> int:
        assert target.snmp is not None
        args = ["snmpbulkwalk", "-v2c", "-c", target.snmp.community, "-On", "-Cr25", "-t", "2"]
        address = f"udp:{target.address}:{target.snmp_port}"
        done = subprocess.run([*args, address, tree], capture_output=True, text=True, check=False)
        return done.stdout.count("\n")

    cpu0, wall0 = children_cpu_s(), time.perf_counter()
    with cf.ThreadPoolExecutor(4) as pool:
        values = sum(
            pool.map(lambda job: walk(*job), [(t, o) for t in targets for o in SNMP_TREES])
        )
    return {"wall": time.perf_counter() - wall0, "cpu": children_cpu_s() - cpu0, "values": values}


def peer_netmiko(targets: list[Any], threads: int) -> dict[str, float]:
    """A plain netmiko loop, defaults only: what an operator's script would do."""
    from netmiko import ConnectHandler
    from netmiko.exceptions import (
        NetmikoAuthenticationException,
        NetmikoBaseException,
        NetmikoTimeoutException,
    )

    def poll(target: Any) -> bool:
        try:
            return attempt(target)
        except (
            NetmikoBaseException,
            NetmikoTimeoutException,
            NetmikoAuthenticationException,
            OSError,
        ):
            return False  # counted as not complete (the row shows ok/total), as for Atalaya

    def attempt(target: Any) -> bool:
        cred = target.ssh
        with ConnectHandler(
            device_type="cisco_ios",
            host=target.address,
            port=target.ssh_port,
            username=cred.username,
            password=cred.password,
            secret=cred.enable_secret,
        ) as conn:
            conn.enable()
            outputs = [conn.send_command(c) for c in ("show version", "show running-config")]
            outputs.append(conn.send_command("show inventory"))
        return str(outputs[1]).rstrip().endswith("end")

    cpu0, wall0 = self_cpu_s(), time.perf_counter()
    with cf.ThreadPoolExecutor(threads) as pool:
        ok = sum(pool.map(poll, targets))
    return {"wall": time.perf_counter() - wall0, "cpu": self_cpu_s() - cpu0, "ok": ok}
