"""Scale projection: Atalaya's SNMP loop against 10,000 targets, into the CMDB, cycle after cycle.

Several net-snmp ``snmpd`` processes (1,000 loopback addresses each, 48 ports + lo in their
ifTable: bench_snmp.add_ports) stand for 10,000 switches. A CMDB (SQLite in a temporary
folder) holds them as inventory devices at the example's 79 sites; ``run_loop(..., "snmp")``
then runs exactly as ``atalaya collect`` does (targets from the CMDB, collector, ingest with
change history, PollRun, /metrics text). Per cycle: wall, CPU of this process (collector and
ingest), peak RSS, database growth and timeouts; the first cycle stores every interface, the
next ones compare and write only what changed. snmpd's own CPU is reported apart.
Run (loopback-only namespace): scripts/run-bench scale
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy.orm import Session  # noqa: E402

from atalaya.jobs.collection import run_loop  # noqa: E402
from atalaya.settings import Settings, load_settings  # noqa: E402
from bench.bench_snmp import add_ports  # noqa: E402
from bench.peers import process_cpu_s, self_cpu_s  # noqa: E402
from bench.results import record  # noqa: E402
from cmdb import db  # noqa: E402
from cmdb.inventory import Inventory, apply_inventory, read_toml  # noqa: E402
from cmdb.models import utcnow  # noqa: E402
from tests.collectors.snmpd_peer import COMMUNITY, Snmpd, start_snmpd  # noqa: E402

PER_AGENT = 1000
INTERVAL_S = 300  # the inventory loop's interval the projection is for (5 minutes)


def agents(count: int, workdir: Path) -> list[Snmpd]:
    started = []
    for k in range((count + PER_AGENT - 1) // PER_AGENT):
        n = min(PER_AGENT, count - k * PER_AGENT)
        addresses = [f"127.{210 + k}.{i // 250}.{i % 250 + 1}" for i in range(n)]
        started.append(start_snmpd(workdir / f"snmpd-{k}", addresses))
    return started


def fill(settings: Settings, engine: Any, peers: list[Snmpd]) -> int:
    secret = settings.secrets_dir / "bench-community"
    secret.write_text(COMMUNITY)
    secret.chmod(0o600)
    with Session(engine) as session, session.begin():
        apply_inventory(session, read_toml(REPO / "examples" / "inventory.toml"), utcnow())
        sites = [s["code"] for s in read_toml(REPO / "examples" / "inventory.toml").sites]
        devices = [
            {
                "hostname": f"sw-{k:02d}-{n:04d}",
                "site": sites[(k * PER_AGENT + n) % len(sites)],
                "kind": "switch",
                "platform": "linux",
                "address": address,
                "snmp_port": peer.port,
                "snmp_credential": "bench",
                "ssh_credential": "",
                "lifecycle_status": "active",
            }
            for k, peer in enumerate(peers)
            for n, address in enumerate(peer.addresses)
        ]
        credential = {"name": "bench", "type": "snmp", "version": "2c"}
        apply_inventory(
            session,
            Inventory(credentials=[credential | {"community": "bench-community"}], devices=devices),
            utcnow(),
        )
    return len(devices)


def db_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 2**20


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _agents_cpu(peers: list[Snmpd]) -> float:
    return sum(process_cpu_s(p.process.pid) for p in peers)


def cycles(
    settings: Settings, engine: Any, peers: list[Snmpd], count: int, path: Path
) -> list[dict[str, Any]]:
    results = []
    for n in range(count):
        size0, cpu0, wall0 = db_mb(path), self_cpu_s(), time.perf_counter()
        agents0 = _agents_cpu(peers)
        summary = run_loop(engine, settings, "snmp")
        results.append(
            {
                "cycle": n + 1,
                "wall_s": round(time.perf_counter() - wall0, 2),
                "cpu_s": round(self_cpu_s() - cpu0, 2),
                "agents_cpu_s": round(_agents_cpu(peers) - agents0, 2),
                "rss_mb": round(peak_rss_mb(), 1),
                "db_growth_mb": round(db_mb(path) - size0, 2),
                "ok": summary.ok,
                "total": summary.total,
                "timeouts": summary.by_reason.get("timeout", 0),
                "failed": summary.failed,
            }
        )
        print(results[-1], flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=10_000)
    parser.add_argument("--cycles", type=int, default=2)
    args = parser.parse_args()
    ports = add_ports(48)
    with tempfile.TemporaryDirectory(prefix="atalaya-bench-scale-") as tmp:
        path = Path(tmp) / "atalaya.db"
        os.makedirs(Path(tmp) / "secrets", mode=0o700)
        settings = load_settings(
            environ={
                "ATALAYA_DATA_DIR": tmp,
                "ATALAYA_SECRETS_DIR": str(Path(tmp) / "secrets"),
                "ATALAYA_DATABASE_URL": f"sqlite:///{path}",
            }
        )
        engine = db.make_engine(settings.database_url)
        db.upgrade(engine)
        peers = agents(args.targets, Path(tmp))
        try:
            devices = fill(settings, engine, peers)
            print(f"{devices} devices on {len(peers)} snmpd processes, {ports} ports each")
            runs = cycles(settings, engine, peers, args.cycles, path)
        finally:
            for peer in peers:
                peer.stop()
            engine.dispose()
    report(args, runs, len(peers), ports)


def report(args: argparse.Namespace, runs: list[dict[str, Any]], agents: int, ports: int) -> None:
    steady = runs[-1]  # after the first cycle: what every later cycle costs
    # One collector process is one asyncio thread: it cannot use more than one core, and on
    # this 2-core machine the agents share the other. The busier of wall and CPU bounds it.
    # Measured: the wall time of this run (other work on the machine included). Ceiling:
    # with a core to itself, CPU time is what bounds the one asyncio thread.
    per_5_min = int(args.targets * INTERVAL_S / max(steady["wall_s"], steady["cpu_s"]))
    cpu_bound = int(args.targets * INTERVAL_S / steady["cpu_s"])
    print(
        f"steady cycle: {steady['wall_s']:.0f} s wall, {steady['cpu_s']:.0f} s CPU, peak RSS "
        f"{steady['rss_mb']:.0f} MB, database +{steady['db_growth_mb']:.1f} MB, "
        f"{steady['timeouts']} timeouts; one collector: ~{per_5_min:,} devices per 5 minutes "
        f"at this run's wall time, ~{cpu_bound:,} with a core of its own (CPU bound)"
    )
    record(
        "scale",
        {
            "targets": args.targets,
            "agents": agents,
            "ports": ports,
            "database": "SQLite",
            "cycles": runs,
            "wall_s": steady["wall_s"],
            "cpu_s": steady["cpu_s"],
            "rss_mb": max(r["rss_mb"] for r in runs),
            "db_growth_mb_per_cycle": steady["db_growth_mb"],
            "first_cycle_db_growth_mb": runs[0]["db_growth_mb"],
            "timeouts": sum(r["timeouts"] for r in runs),
            "devices_per_5_min": per_5_min,
            "devices_per_5_min_cpu_bound": cpu_bound,
            "load_average": round(os.getloadavg()[0], 1),
        },
    )


if __name__ == "__main__":
    main()
