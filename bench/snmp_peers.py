"""The SNMP benchmark's peers (bench/bench_snmp.py): pysnmp in a child process, and
snmp_exporter and snmpbulkwalk measured from outside, on the same snmpd and targets."""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import resource
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

from bench.peers import Measure, process_cpu_s, process_peak_rss_mb, self_cpu_s
from collectors import snmp_mib as mib
from tests.collectors.snmpd_peer import COMMUNITY, free_udp_port

CONCURRENCY = 50
WALKED = [*mib.IF_COLUMNS.values(), mib.ENT_CLASS]


def addresses(count: int) -> list[str]:
    return [f"127.201.{i // 250}.{i % 250 + 1}" for i in range(count)]


def client_pysnmp(port: int, count: int) -> dict[str, Any]:
    from pysnmp.hlapi.v3arch.asyncio import (
        CommunityData,
        ContextData,
        ObjectIdentity,
        ObjectType,
        SnmpEngine,
        UdpTransportTarget,
        bulk_walk_cmd,
        get_cmd,
    )

    async def run() -> tuple[int, int]:
        engine, auth, gate = SnmpEngine(), CommunityData(COMMUNITY), asyncio.Semaphore(CONCURRENCY)

        async def one(address: str) -> int:
            async with gate:
                transport = await UdpTransportTarget.create((address, port), timeout=2, retries=1)
                got = 0
                _, _, _, binds = await get_cmd(
                    engine,
                    auth,
                    transport,
                    ContextData(),
                    *(ObjectType(ObjectIdentity(o)) for o in mib.SYSTEM),
                    lookupMib=False,
                )
                got += len(binds)
                for column in WALKED:
                    async for err, status, _, binds in bulk_walk_cmd(
                        engine,
                        auth,
                        transport,
                        ContextData(),
                        0,
                        25,
                        ObjectType(ObjectIdentity(column)),
                        lexicographicMode=False,
                        lookupMib=False,
                    ):
                        if err or status:
                            break
                        got += len(binds)
                return got

        results = await asyncio.gather(*(one(a) for a in addresses(count)))
        return sum(results), sum(1 for r in results if r)

    cpu0, started = self_cpu_s(), time.perf_counter()
    values, ok = asyncio.run(run())
    return {
        "wall": time.perf_counter() - started,
        "cpu": self_cpu_s() - cpu0,
        "values": values,
        "ok": ok,
    }


# -- peers measured from outside ---------------------------------------------------------------
def exporter_config(path: Path) -> None:
    metrics = [
        f"  - name: sys_{i}\n    oid: {oid[:-2]}\n    type: DisplayString\n"
        for i, oid in enumerate(mib.SYSTEM)
    ]
    metrics += [
        f"  - name: col_{i}\n    oid: {oid}\n"
        f"    type: {'DisplayString' if i in (0, 6, 8) else 'gauge'}\n"
        "    indexes:\n    - labelname: index\n      type: gauge\n"
        for i, oid in enumerate(WALKED)
    ]
    path.write_text(
        "atalaya:\n  version: 2\n  max_repetitions: 25\n  retries: 1\n  timeout: 2s\n"
        f"  auth:\n    community: {COMMUNITY}\n"
        f"  get: [{', '.join(mib.SYSTEM)}]\n  walk: [{', '.join(WALKED)}]\n  metrics:\n"
        + "".join(metrics)
    )


def bench_exporter(port: int, count: int, workdir: Path) -> Measure:
    config = workdir / "snmp.yml"
    exporter_config(config)
    web = free_udp_port("127.0.0.1")  # a free number; TCP on the same number is almost surely free
    process = subprocess.Popen(
        [
            "prometheus-snmp-exporter",
            f"--config.file={config}",
            f"--web.listen-address=127.0.0.1:{web}",
            "--log.level=error",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):  # bounded wait for the listener
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{web}/", timeout=0.2).read()
                break
            except OSError:
                time.sleep(0.1)

        def scrape(address: str) -> int:
            url = f"http://127.0.0.1:{web}/snmp?module=atalaya&target={address}:{port}"
            body = urllib.request.urlopen(url, timeout=30).read().decode()
            return sum(
                1
                for line in body.splitlines()
                if line and not line.startswith(("#", "snmp_scrape"))
            )

        cpu0, started = process_cpu_s(process.pid), time.perf_counter()
        with cf.ThreadPoolExecutor(CONCURRENCY) as pool:
            values = list(pool.map(scrape, addresses(count)))
        measure = Measure(
            f"snmp_exporter 0.21, {count} targets",
            time.perf_counter() - started,
            process_cpu_s(process.pid) - cpu0,
            sum(values),
            process_peak_rss_mb(process.pid),
        )
        measure.extra["ok"] = sum(1 for v in values if v)
        measure.extra["devices"] = count
        return measure
    finally:
        process.terminate()
        process.wait(timeout=10)


def bench_bulkwalk(port: int, count: int) -> Measure:
    def walk(address: str) -> int:
        got = 0
        for oid in ("1.3.6.1.2.1.1", "1.3.6.1.2.1.2.2", "1.3.6.1.2.1.31.1.1", mib.ENT_CLASS):
            out = subprocess.run(
                [
                    "snmpbulkwalk",
                    "-v2c",
                    "-c",
                    COMMUNITY,
                    "-Cr25",
                    "-On",
                    "-t",
                    "2",
                    f"{address}:{port}",
                    oid,
                ],
                capture_output=True,
                text=True,
                env={"MIBS": ""},
            ).stdout
            got += sum(1 for line in out.splitlines() if line.startswith("."))
        return got

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with cf.ThreadPoolExecutor(4) as pool:
        values = list(pool.map(walk, addresses(count)))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    measure = Measure(
        f"snmpbulkwalk x4, {count} targets",
        time.perf_counter() - started,
        cpu,
        sum(values),
        after.ru_maxrss / 1024,
    )
    measure.extra.update(devices=count, ok=sum(1 for v in values if v))
    return measure
