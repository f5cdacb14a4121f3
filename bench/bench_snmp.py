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
import importlib
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.peers import Measure, process_cpu_s, process_peak_rss_mb, self_cpu_s, table  # noqa: E402
from bench.results import record  # noqa: E402
from bench.snmp_peers import (  # noqa: E402
    CONCURRENCY,
    addresses,
    bench_bulkwalk,
    bench_exporter,
    client_pysnmp,
)
from collectors import snmp_mib as mib  # noqa: E402
from tests.collectors.snmpd_peer import COMMUNITY, start_snmpd  # noqa: E402


def add_ports(count: int) -> int:
    """Give the namespace switch-sized interface tables: ``count`` veth ends (the kernel here
    has no ``dummy`` module), created before snmpd starts so its ifTable lists them. Refused
    outside a private namespace (one with only ``lo``): it must never touch the host."""
    # `ip link`, not /sys/class/net: sysfs stays the host's after `unshare --net`
    listing = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True, check=True)
    present = [line.split(":")[1].strip().split("@")[0] for line in listing.stdout.splitlines()]
    if present != ["lo"]:
        if len(present) == count + 1:
            return count  # already made by a previous run in this namespace
        print(f"not in a loopback-only namespace ({len(present)} links): {count} ports not added")
        return 0
    for pair in range(count // 2):
        subprocess.run(
            [
                "ip",
                "link",
                "add",
                f"port{2 * pair + 1}",
                "type",
                "veth",
                "peer",
                "name",
                f"port{2 * pair + 2}",
            ],
            check=True,
        )
    for port in range(1, count // 2 * 2 + 1):
        subprocess.run(["ip", "link", "set", f"port{port}", "up"], check=True)
    return count // 2 * 2


# -- clients run in a child process, so that CPU and peak RSS are theirs alone ---------------
def client_atalaya(port: int, count: int) -> dict[str, Any]:
    from collectors.base import SnmpCredential, Target
    from collectors.snmp import INVENTORY_PARTS, SnmpCollector

    values = 0

    class Counting(SnmpCollector):
        async def walk(
            self, session: Any, column: str, repetitions: int = 0
        ) -> list[tuple[str, mib.ValueType]]:
            nonlocal values
            rows = await super().walk(session, column, repetitions)
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


def run_client(name: str, port: int, count: int) -> Measure:
    """Run a client in a child process and read its CPU from /proc/<pid>/stat around the
    polling, exactly as for snmp_exporter's process: the child imports, says "ready", polls
    when told, prints its result, and waits to be told to exit."""
    child = subprocess.Popen(
        [sys.executable, __file__, "--client", name, "--port", str(port), "--targets", str(count)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdin is not None and child.stdout is not None
    if child.stdout.readline().strip() != "ready":
        raise RuntimeError(f"{name} client did not start")
    cpu0, started = process_cpu_s(child.pid), time.perf_counter()
    child.stdin.write("go\n")
    child.stdin.flush()
    data = json.loads(child.stdout.readline())
    wall, cpu = time.perf_counter() - started, process_cpu_s(child.pid) - cpu0
    rss = process_peak_rss_mb(child.pid)
    child.stdin.close()
    child.wait(timeout=30)
    label = {"atalaya": "atalaya (gufo-snmp)", "pysnmp": "pysnmp 7.1"}[name]
    measure = Measure(f"{label}, {count} targets", wall, cpu, data["values"], rss)
    measure.extra["ok"] = data["ok"]
    measure.extra["devices"] = count
    return measure


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=1000)
    parser.add_argument("--pysnmp-targets", type=int, default=200)
    parser.add_argument("--bulkwalk-targets", type=int, default=1000)
    parser.add_argument("--ports", type=int, default=48)
    parser.add_argument("--client", choices=["atalaya", "pysnmp"])
    parser.add_argument("--port", type=int)
    args = parser.parse_args()
    if args.client:
        client = client_atalaya if args.client == "atalaya" else client_pysnmp
        # imported before "ready", so that the CPU measured is the polling's, as for the exporter
        importlib.import_module(
            "collectors.snmp" if args.client == "atalaya" else "pysnmp.hlapi.v3arch.asyncio"
        )
        print("ready", flush=True)  # imports done: the parent starts counting CPU now
        sys.stdin.readline()
        print(json.dumps(client(args.port, args.targets)), flush=True)
        sys.stdin.read()  # stay alive until the parent has read /proc/<pid>
        return
    ports = add_ports(args.ports) if args.ports else 0
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
    report(args, ports, rows, agent_cpu)


def report(
    args: argparse.Namespace, ports: int, rows: list[Measure], agent_cpu: dict[str, float]
) -> None:
    values_each = rows[0].values / max(1, rows[0].extra.get("ok", 1))
    print(
        f"snmpd on {args.targets} loopback addresses, {ports} ports + lo in its ifTable "
        f"({values_each:.0f} values per device); CPU of each client's process, from /proc"
    )
    print(table(rows, reference=rows[1].name))
    exporter = rows[1]
    results: dict[str, Any] = {"targets": args.targets, "ports": ports, "clients": {}}
    for row in rows:
        devices = row.extra.get("devices", args.targets)
        per_device_ms = row.cpu_s / devices * 1000
        ratio = per_device_ms / (exporter.cpu_s / args.targets * 1000)
        print(
            f"  {row.name}: CPU/device {per_device_ms:.2f} ms ({ratio:.2f}x snmp_exporter), "
            f"snmpd CPU {agent_cpu[row.name]:.2f} s, devices answered {row.extra.get('ok', 0):.0f}"
        )
        results["clients"][row.name.split(",")[0]] = {
            "targets": devices,
            "ok": row.extra.get("ok"),
            "wall_s": round(row.wall_s, 3),
            "cpu_s": round(row.cpu_s, 3),
            "values": row.values,
            "us_per_value": round(row.us_per_value, 2),
            "ms_per_device": round(per_device_ms, 3),
            "rss_mb": round(row.rss_mb, 1),
            "agent_cpu_s": round(agent_cpu[row.name], 3),
        }
    ours = rows[0]
    results["ratio_per_value"] = round(ours.us_per_value / exporter.us_per_value, 3)
    results["ratio_per_device"] = round(
        (ours.cpu_s / args.targets) / (exporter.cpu_s / args.targets), 3
    )
    print(
        f"atalaya / snmp_exporter: CPU per value {results['ratio_per_value']:.2f}x "
        f"(target <= 0.5x), per device {results['ratio_per_device']:.2f}x (target <= 1x)"
    )
    record("snmp", results)


if __name__ == "__main__":
    main()
