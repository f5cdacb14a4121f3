"""The whole lab: each collection loop over every device of a full-scale lab, beside a peer.

A lab at scale 1.0 (868 devices) starts on its own net octet in a temporary state directory.
Atalaya's collectors run in a child process (so its CPU and peak RSS are its own); the parent
tells it which loop to run and reads the lab agents' CPU from /proc/<pid>/stat before and after,
so the simulated devices' cost is reported apart from the collector's. Peers, same run
(bench/lab_peers.py):
  - reachability: fping (3 packets each) and a plain asyncio TCP connect sweep;
  - SNMP inventory: net-snmp snmpget + snmpbulkwalk of the same tables over the lab's v2c
    switches (v3 devices would need each one's keys on the command line; --sample N: fewer);
  - SSH configs: a plain netmiko loop (connect, enable, the same three commands) over the same
    IOS devices as Atalaya's SSH loop.
Run (loopback-only namespace, as the tests do):
  unshare --net -- bash -c 'ip link set lo up && .venv/bin/python bench/bench_lab.py'
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.lab_peers import peer_bulkwalk, peer_fping, peer_netmiko, peer_tcp_sweep  # noqa: E402
from bench.peers import process_cpu_s, self_cpu_s  # noqa: E402
from bench.results import record  # noqa: E402
from collectors.base import SnmpCredential, SshCredential, Target  # noqa: E402

LOOPS = ("reachability", "snmp", "software", "ssh")
SSH_CONCURRENCY = 16  # the settings default (collect.ssh_concurrency)


def lab_targets(state_dir: Path) -> tuple[list[Target], list[Target]]:
    """Devices and site links as Targets, straight from the lab's files (truth, credentials,
    secrets, inventory): the benchmark measures the collectors, not the inventory import."""
    import tomllib

    state = json.loads((state_dir / "state.json").read_text())
    secrets = Path(state["secrets_dir"])
    creds: dict[str, SnmpCredential | SshCredential] = {}
    for c in json.loads((state_dir / "credentials.json").read_text()):

        def secret(key: str, c: dict[str, Any] = c) -> str:
            return (secrets / c[key]).read_text().strip() if c.get(key) else ""

        if c["type"] == "ssh":
            creds[c["name"]] = SshCredential(
                c["name"], c["username"], secret("password"), "", secret("enable_secret")
            )
        elif c["version"] == "3":
            creds[c["name"]] = SnmpCredential(
                c["name"],
                "3",
                user=c["user"],
                auth_key=secret("auth_key"),
                priv_key=secret("priv_key"),
            )
        else:
            creds[c["name"]] = SnmpCredential(c["name"], "2c", community=secret("community"))
    devices = []
    for d in json.loads((state_dir / "truth.json").read_text())["devices"]:
        snmp, ssh = creds.get(d["snmp_credential"]), creds.get(d["ssh_credential"])
        devices.append(
            Target(
                d["hostname"],
                d["address"],
                d["platform"],
                d["site"],
                d["kind"],
                snmp=snmp if isinstance(snmp, SnmpCredential) else None,
                ssh=ssh if isinstance(ssh, SshCredential) else None,
                snmp_port=state["snmp_port"],
                ssh_port=state["ssh_port"],
            )
        )
    inventory = tomllib.loads((state_dir / "inventory.toml").read_text())
    links = [
        Target(
            f"link:{link['site']}",
            link["probe"],
            "link",
            link["site"],
            "link",
            ssh_port=state["ssh_port"],
        )
        for link in inventory.get("link", [])
        if link.get("probe")
    ]
    return devices, links


# -- the child: Atalaya's collectors, one loop per line read from stdin ------------------------
def child(state_dir: Path) -> None:
    from collectors.base import Timeout
    from collectors.reachability import ReachabilityCollector
    from collectors.snmp import INVENTORY_PARTS, SOFTWARE_PARTS, SnmpCollector
    from collectors.ssh import SshCollector

    devices, links = lab_targets(state_dir)
    for line in sys.stdin:
        loop = line.strip()
        cpu0, wall0 = self_cpu_s(), time.perf_counter()
        if loop == "reachability":
            samples = ReachabilityCollector(concurrency=512).probe(devices + links, 20.0)
            ok, total, values = sum(s.up for s in samples), len(samples), 0
        elif loop == "ssh":
            network = [t for t in devices if t.platform == "cisco_ios"]
            facts = SshCollector(concurrency=SSH_CONCURRENCY).collect(network, 20.0)
            ok, total, values = sum(f.ok for f in facts), len(facts), 0
        else:
            parts = SOFTWARE_PARTS if loop == "software" else INVENTORY_PARTS
            deadline = 40.0 if loop == "software" else 20.0
            # "snmp-group-K": half the devices (every other one), as one of two poller
            # groups polling at the same time as the other half's process
            mine = devices[int(loop[-1]) :: 2] if loop.startswith("snmp-group-") else devices
            facts = SnmpCollector(concurrency=64).collect(mine, deadline, parts)
            ok, total = sum(f.ok for f in facts), len(facts)
            values = sum(len(f.interfaces or []) * 10 + len(f.software or []) for f in facts)
            timeouts = sum(isinstance(f.error, Timeout) for f in facts)
        result = {"loop": loop, "wall": time.perf_counter() - wall0, "cpu": self_cpu_s() - cpu0}
        result |= {"ok": ok, "total": total, "values": values, "rss_mb": _peak_rss_mb()}
        if loop not in ("reachability", "ssh"):
            result["timeouts"] = timeouts
        print(json.dumps(result), flush=True)


def _peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


# -- the parent: lab up, drive the child, measure agents and peers -----------------------------
def agents_cpu(pids: dict[str, int]) -> float:
    return sum(process_cpu_s(pid) for pid in pids.values())


def run(scale: float, net: int, seed: int, sample: int) -> dict[str, Any]:
    from lab.runtime import Lab

    report: dict[str, Any] = {"scale": scale, "loops": {}, "peers": {}}
    with tempfile.TemporaryDirectory(prefix="atalaya-bench-lab-") as tmp:
        lab = Lab(Path(tmp) / "lab", Path(tmp) / "secrets")
        started = time.perf_counter()
        try:
            lab.up(seed=seed, scale=scale, net=net, timeout_s=180)
            report["lab_up_s"] = time.perf_counter() - started
            pids = lab.running_pids()
            devices, links = lab_targets(lab.state_dir)
            report["devices"], report["links"] = len(devices), len(links)
            workers = [_worker(lab.state_dir) for _ in range(2)]
            for loop in LOOPS:
                before = agents_cpu(pids)
                report["loops"][loop] = _ask([workers[0]], [loop])[0]
                report["loops"][loop]["agents_cpu"] = agents_cpu(pids) - before
            # two poller groups at once, each with its own process, over the same agents
            before = agents_cpu(pids)
            halves = _ask(workers, ["snmp-group-0", "snmp-group-1"])
            report["two_groups"] = {
                key: sum(h[key] for h in halves) for key in ("ok", "total", "timeouts", "cpu")
            } | {"wall": max(h["wall"] for h in halves), "agents_cpu": agents_cpu(pids) - before}
            for worker in workers:
                assert worker.stdin is not None
                worker.stdin.close()
                worker.wait(timeout=60)
            report["peers"] = run_peers(pids, devices, sample)
        finally:
            lab.down()
    return report


def _worker(state_dir: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, __file__, "--child", str(state_dir)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def _ask(workers: list[subprocess.Popen[str]], loops: list[str]) -> list[dict[str, Any]]:
    """Start one loop in each worker at the same time, then read each one's result."""
    for worker, loop in zip(workers, loops, strict=True):
        assert worker.stdin is not None
        worker.stdin.write(loop + "\n")
        worker.stdin.flush()
    return [json.loads(w.stdout.readline()) for w in workers if w.stdout is not None]


def run_peers(pids: dict[str, int], devices: list[Target], sample: int) -> dict[str, Any]:
    peers: dict[str, Any] = {}
    addresses = [t.address for t in devices]
    peers["fping"] = peer_fping(addresses)
    peers["tcp_sweep"] = peer_tcp_sweep([(t.address, t.ssh_port) for t in devices])
    v2c = [t for t in devices if t.snmp and t.snmp.version == "2c" and t.kind == "switch"]
    before = agents_cpu(pids)
    walked = v2c[:sample] if sample else v2c
    peers["snmpbulkwalk"] = peer_bulkwalk(walked) | {
        "devices": len(walked),
        "of": len(v2c),
    }
    peers["snmpbulkwalk"]["agents_cpu"] = agents_cpu(pids) - before
    network = [t for t in devices if t.platform == "cisco_ios"]  # the same set as the loop
    before = agents_cpu(pids)
    peers["netmiko"] = peer_netmiko(network, SSH_CONCURRENCY) | {"devices": len(network)}
    peers["netmiko"]["agents_cpu"] = agents_cpu(pids) - before
    return peers


def render(report: dict[str, Any]) -> str:
    loops, peers = report["loops"], report["peers"]
    lines = [
        f"lab: scale {report['scale']}, {report['devices']} devices + {report['links']} links, "
        f"up in {report['lab_up_s']:.1f} s",
        f"{'loop':<14}{'targets':>8}{'ok':>6}{'wall s':>9}{'CPU s':>8}{'agents CPU s':>14}"
        f"{'peak RSS MB':>13}",
    ]
    for name, r in loops.items():
        lines.append(
            f"{name:<14}{r['total']:>8}{r['ok']:>6}{r['wall']:>9.2f}{r['cpu']:>8.2f}"
            f"{r['agents_cpu']:>14.2f}{r['rss_mb']:>13.0f}"
            + (f"  timeouts: {r['timeouts']}" if "timeouts" in r else "")
        )
    two = report["two_groups"]
    lines.append(
        f"snmp, two poller groups at once (two processes, every other device each): "
        f"{two['ok']}/{two['total']} ok, {two['timeouts']} timeouts, {two['wall']:.1f} s wall"
    )
    reach, ssh, snmp = loops["reachability"], loops["ssh"], loops["snmp"]
    fping, tcp = peers["fping"], peers["tcp_sweep"]
    walk, netmiko = peers["snmpbulkwalk"], peers["netmiko"]
    per = snmp["total"] or 1
    lines += [
        "peers (same run):",
        f"  fping -c3 -p20 (default 10 ms between targets) of {report['devices']} devices: "
        f"{fping['wall']:.2f} s wall, "
        f"{fping['cpu']:.2f} s CPU; atalaya sweep wall {reach['wall'] / fping['wall']:.2f}x",
        f"  asyncio TCP connect sweep: {tcp['wall']:.2f} s wall, {tcp['cpu']:.2f} s CPU; "
        f"atalaya sweep (ICMP x3 + TCP) CPU {reach['cpu'] / max(tcp['cpu'], 1e-3):.2f}x",
        f"  snmpbulkwalk of {walk['devices']} switches: {walk['wall']:.2f} s wall, "
        f"{walk['cpu']:.2f} s CPU, agents {walk['agents_cpu']:.2f} s; per device atalaya/peer "
        f"wall {snmp['wall'] / per / (walk['wall'] / walk['devices']):.2f}x, CPU "
        f"{snmp['cpu'] / per / (walk['cpu'] / walk['devices']):.2f}x",
        f"  plain netmiko, {netmiko['devices']} devices, {SSH_CONCURRENCY} threads: "
        f"{netmiko['wall']:.2f} s wall, {netmiko['cpu']:.2f} s CPU, {netmiko['ok']} complete; "
        f"per device atalaya/peer wall "
        f"{ssh['wall'] / ssh['total'] / (netmiko['wall'] / netmiko['devices']):.2f}x, CPU "
        f"{ssh['cpu'] / ssh['total'] / (netmiko['cpu'] / netmiko['devices']):.2f}x",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--net", type=int, default=61, help="lab instance octet (127.N.x.y)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--sample", type=int, default=0, help="v2c switches walked by snmpbulkwalk (0: all)"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    report = run(args.scale, args.net, args.seed, args.sample)
    print(json.dumps(report, indent=1) if args.json else render(report))
    record("lab", report)


if __name__ == "__main__":
    main()
