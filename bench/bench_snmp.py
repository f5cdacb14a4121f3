"""SNMP throughput: Atalaya's inventory pass against its peers, same agent, same run.

One net-snmp snmpd listens on N loopback addresses (127.201.x.y, given on the command line:
its agentAddress line is cut at ~2,560 characters). Each client polls every address for the
system group, ifTable and ifXTable columns and ENTITY-MIB's entPhysicalClass:
  - atalaya: collectors.snmp.SnmpCollector (gufo-snmp), 50 devices in flight;
  - snmp_exporter: Debian's prometheus-snmp-exporter, a module with the same numeric OIDs,
    scraped 50 at a time (its own process CPU is measured);
  - snmpbulkwalk: net-snmp's CLI, 4 in parallel, one process per table;
  - pysnmp: pysnmp 7.1 asyncio, one engine, 50 in flight, on a subset (it is ~50x slower).
Run:  .venv/bin/python bench/bench_snmp.py [--targets 1000] [--pysnmp-targets 200]
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures as cf
import json
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.peers import Measure, process_cpu_s, process_peak_rss_mb, self_cpu_s, table  # noqa: E402
from collectors import snmp_mib as mib  # noqa: E402
from tests.collectors.snmpd_peer import COMMUNITY, free_udp_port, start_snmpd  # noqa: E402

CONCURRENCY = 50
WALKED = [*mib.IF_COLUMNS.values(), mib.ENT_CLASS]


def addresses(count: int) -> list[str]:
    return [f"127.201.{i // 250}.{i % 250 + 1}" for i in range(count)]


# -- clients run in a child process, so that CPU and peak RSS are theirs alone ---------------
def client_atalaya(port: int, count: int) -> dict[str, Any]:
    from collectors.base import SnmpCredential, Target
    from collectors.snmp import INVENTORY_PARTS, SnmpCollector

    values = 0

    class Counting(SnmpCollector):
        async def walk(self, session: Any, column: str) -> list[tuple[str, mib.ValueType]]:
            nonlocal values
            rows = await super().walk(session, column)
            values += len(rows)
            return rows

    cred = SnmpCredential("bench", "2c", community=COMMUNITY)
    targets = [Target(a, a, "linux", "B", snmp=cred, snmp_port=port) for a in addresses(count)]
    cpu0, started = self_cpu_s(), time.perf_counter()
    facts = Counting(timeout_s=2, concurrency=CONCURRENCY).collect(targets, 30, INVENTORY_PARTS)
    wall = time.perf_counter() - started
    ok = sum(f.ok for f in facts)
    values += 4 * ok  # the system group: one GET of four scalars per device
    return {"wall": wall, "cpu": self_cpu_s() - cpu0, "values": values, "ok": ok}


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


def run_client(name: str, port: int, count: int) -> Measure:
    out = subprocess.run(
        [sys.executable, __file__, "--client", name, "--port", str(port), "--targets", str(count)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    data = json.loads(out.strip().splitlines()[-1])
    label = {"atalaya": "atalaya (gufo-snmp)", "pysnmp": "pysnmp 7.1"}[name]
    measure = Measure(
        f"{label}, {count} targets", data["wall"], data["cpu"], data["values"], data["rss_mb"]
    )
    measure.extra["ok"] = data["ok"]
    return measure


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
    return Measure(
        f"snmpbulkwalk x4, {count} targets",
        time.perf_counter() - started,
        cpu,
        sum(values),
        after.ru_maxrss / 1024,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=1000)
    parser.add_argument("--pysnmp-targets", type=int, default=200)
    parser.add_argument("--bulkwalk-targets", type=int, default=1000)
    parser.add_argument("--client", choices=["atalaya", "pysnmp"])
    parser.add_argument("--port", type=int)
    args = parser.parse_args()
    if args.client:
        data = (client_atalaya if args.client == "atalaya" else client_pysnmp)(
            args.port, args.targets
        )
        # CPU is measured around the polling only (not interpreter start and imports)
        data.update(rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        print(json.dumps(data))
        return
    with tempfile.TemporaryDirectory(prefix="atalaya-bench-") as tmp:
        agent = start_snmpd(Path(tmp) / "snmpd", addresses(args.targets))
        try:
            rows, agent_cpu = [], {}
            for name, job in (
                ("atalaya", lambda: run_client("atalaya", agent.port, args.targets)),
                ("snmp_exporter", lambda: bench_exporter(agent.port, args.targets, Path(tmp))),
                ("snmpbulkwalk", lambda: bench_bulkwalk(agent.port, args.bulkwalk_targets)),
                ("pysnmp", lambda: run_client("pysnmp", agent.port, args.pysnmp_targets)),
            ):
                if name in ("snmpbulkwalk", "pysnmp") and not getattr(
                    args, f"{'bulkwalk' if name == 'snmpbulkwalk' else 'pysnmp'}_targets"
                ):
                    continue
                cpu0 = process_cpu_s(agent.process.pid)
                rows.append(job())
                agent_cpu[rows[-1].name] = process_cpu_s(agent.process.pid) - cpu0
        finally:
            agent.stop()
    print(f"snmpd on {args.targets} loopback addresses; CPU µs/value is the client's own CPU")
    print(table(rows, reference=rows[1].name))
    for row in rows:
        ok = row.extra.get("ok")
        print(
            f"  {row.name}: snmpd CPU {agent_cpu[row.name]:.2f} s"
            + (f", devices answered {ok:.0f}" if ok is not None else "")
        )


if __name__ == "__main__":
    main()
