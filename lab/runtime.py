"""The lab's Python API: bring the simulated network up and down, inject faults, edit devices.

State directory layout::

    state.json       seed, scale, net, ports, PIDs of the agents, secrets dir
    truth.json       what every device really is (schema in lab/README.md)
    inventory.toml   the declared inventory (docs/inventory-format.md)
    faults.json      failed / degraded / slow sites (lab.faults)
    edits.json       `lab edit` history, re-applied by the next `up` with the same seed and scale
    snmp/*.snmprec   snmpsim data, one file per device; run/ plans, logs, ready files
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import asyncssh

from lab import cabling, credentials, edits, faults, hidden, inventory, procs, snmprec, traffic
from lab.generate import generate
from lab.model import Device
from lab.procs import LabError
from lab.sites import Network, load_network

# One SNMP process per core (at least two, so that a slow device's process is not the only
# one): the simulated agents must not be what limits a poll (issue 15).
SNMP_AGENTS = max(2, os.cpu_count() or 2)


def _ports() -> tuple[int, int]:
    # ports below 1024 need root; unprivileged labs use high ports, recorded in the inventory
    return (161, 22) if os.geteuid() == 0 else (16161, 16022)


class Lab:
    """A lab in one state directory. Every method works from the files there, so separate
    processes (the CLI, a test) can drive the same running lab."""

    def __init__(self, state_dir: Path, secrets_dir: Path | None = None) -> None:
        # Absolute: the agents run in the package's folder, not in the caller's working directory.
        self.state_dir = Path(state_dir).resolve()
        secrets = Path(secrets_dir).resolve() if secrets_dir else self.state_dir / "secrets"
        self.secrets_dir = secrets
        state = self._state()
        if state.get("secrets_dir") and secrets_dir is None:
            self.secrets_dir = Path(state["secrets_dir"])

    # -- files -----------------------------------------------------------------------
    @property
    def truth_path(self) -> Path:
        return self.state_dir / "truth.json"

    @property
    def inventory_path(self) -> Path:
        return self.state_dir / "inventory.toml"

    @property
    def faults_path(self) -> Path:
        return self.state_dir / "faults.json"

    @property
    def traffic_path(self) -> Path:
        return self.state_dir / "traffic.json"

    def _state(self) -> dict[str, Any]:
        path = self.state_dir / "state.json"
        return json.loads(path.read_text()) if path.exists() else {}

    def _save_state(self, state: dict[str, Any]) -> None:
        inventory.write_atomic(self.state_dir / "state.json", json.dumps(state, indent=1))

    def truth(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.truth_path.read_text())
        return data

    def running_pids(self) -> dict[str, int]:
        return {n: p for n, p in self._state().get("pids", {}).items() if procs.alive(p)}

    # -- up / down -------------------------------------------------------------------
    def up(self, seed: int = 7, scale: float = 1.0, net: int = 20, failed: tuple[str, ...] = (),
           network: Network | None = None, timeout_s: float = 60.0) -> dict[str, Any]:
        """Generate and start the lab; returns the status. Refuses if this one already runs."""
        if self.running_pids():
            raise LabError(f"a lab already runs from {self.state_dir}: run `lab down` first")
        if not 1 <= net <= 199 or net in (0, 127):
            raise LabError(f"net {net}: choose 1..199 (127.0/16 and 127.200/13 are taken)")
        started = time.monotonic()
        network = network or load_network()
        devices = generate(network, seed, scale, net)
        devices += hidden.undeclared(network, devices, seed, net)
        previous = self._state()
        if previous.get("seed") == seed and previous.get("scale") == scale:
            edits.replay(self.state_dir, devices)
        else:
            (self.state_dir / "edits.json").unlink(missing_ok=True)
        snmp_port, ssh_port = _ports()
        self._write_files(network, devices, seed, scale, net, snmp_port, ssh_port, failed)
        state = {"seed": seed, "scale": scale, "net": net, "snmp_port": snmp_port,
                 "ssh_port": ssh_port, "secrets_dir": str(self.secrets_dir.resolve()),
                 "prefixes": {s.code: f"127.{net}.{s.number}.0/24" for s in network.sites},
                 "answering": [d.address for d in devices], "pids": {}}
        self._save_state(state)
        try:
            state["pids"] = self._start_agents(devices, snmp_port, ssh_port, timeout_s)
        except LabError:
            self._save_state(state)
            self.down()
            raise
        state["started_in_s"] = round(time.monotonic() - started, 2)
        self._save_state(state)
        self._apply_faults(faults.read(self.faults_path))
        return self.status()

    def _write_files(self, network: Network, devices: list[Device], seed: int, scale: float,
                     net: int, snmp_port: int, ssh_port: int, failed: tuple[str, ...]) -> None:
        run = self.state_dir / "run"
        for folder in (self.state_dir, run, self.state_dir / "snmp", self.state_dir / "cache"):
            folder.mkdir(parents=True, exist_ok=True)
        for stale in run.glob("*.ready"):
            stale.unlink()
        creds = credentials.credentials([r.code for r in network.regions])
        credentials.write_secrets(self.secrets_dir, credentials.secret_values(creds, seed))
        (self.state_dir / "credentials.json").write_text(json.dumps(creds, indent=1))
        codes = {s.code for s in network.sites}
        unknown = [s for s in failed if s not in codes]
        if unknown:
            raise LabError(f"unknown site(s): {', '.join(unknown)}")
        fault_data = {"mode": "nftables", "failed": sorted(failed), "degraded": {}, "slow": {}}
        faults.write(self.faults_path, fault_data)
        cables = cabling.cabling(devices, edits.unplugged(self.state_dir))
        wirings = snmprec.wirings(devices, cables)
        for device in devices:
            snmprec.write(device, self.state_dir / "snmp", wirings[device.hostname])
        prefixes = {s.code: hidden.prefix(s, net) for s in hidden.discovery_sites(network)}
        traffic.write(self.traffic_path, traffic.plan(network, devices, seed, time.time()))
        inventory.write_atomic(self.truth_path, json.dumps(inventory.truth_document(
            network, devices, seed, scale, net, fault_data, [c.to_json() for c in cables],
            prefixes), indent=1))
        inventory.write_atomic(self.inventory_path, inventory.render_inventory(
            network, creds, devices, snmp_port, ssh_port, prefixes))
        key_path = self.state_dir / "ssh_host_key"
        if not key_path.exists():
            asyncssh.generate_private_key("ssh-ed25519").write_private_key(str(key_path))

    def _start_agents(self, devices: list[Device], snmp_port: int, ssh_port: int,
                      timeout_s: float) -> dict[str, int]:
        run = self.state_dir / "run"
        creds = json.loads((self.state_dir / "credentials.json").read_text())
        snmp_creds = [c for c in creds if c["type"] == "snmp"]
        v3_users = {c["name"]: c["user"] for c in snmp_creds if c["version"] == "3"}
        pids: dict[str, int] = {}
        ready: dict[str, Path] = {}
        logs: dict[str, Path] = {}
        for n in range(SNMP_AGENTS):
            name = f"snmp-{n + 1}"
            mine = devices[n::SNMP_AGENTS]  # round robin: every site spread over both cores
            plan: dict[str, Any] = {
                    "cache_dir": str(self.state_dir / "cache"),
                    "ready_file": str(run / f"{name}.ready"),
                    "secrets_dir": str(self.secrets_dir), "faults_file": str(self.faults_path),
                    "traffic_file": str(self.traffic_path),
                    "credentials": snmp_creds, "devices": [
                        {"hostname": d.hostname, "site": d.site, "address": d.address,
                         "port": snmp_port, "credential": d.snmp_credential,
                         "v3_user": v3_users.get(d.snmp_credential, ""),
                         "datafile": str(self.state_dir / "snmp" / f"{d.hostname}.snmprec")}
                        for d in mine]}
            pids[name], ready[name], logs[name] = self._launch("lab.snmp_agent", name, plan)
        ssh_creds = {c["name"]: [c["username"], c["password"]] for c in creds if c["type"] == "ssh"}
        plan = {"truth": str(self.truth_path), "secrets_dir": str(self.secrets_dir),
                "faults_file": str(self.faults_path), "ready_file": str(run / "ssh.ready"),
                "host_key": str(self.state_dir / "ssh_host_key"), "users": ssh_creds,
                "secret_names": sorted({n for c in creds for k, n in c.items()
                                        if k in ("password", "enable_secret", "community") and n}),
                "devices": [{"address": d.address, "port": ssh_port, "site": d.site}
                            for d in devices if d.has_ssh]}
        pids["ssh"], ready["ssh"], logs["ssh"] = self._launch("lab.ssh_agent", "ssh", plan)
        state = self._state()
        state["pids"] = pids
        self._save_state(state)  # so `down` can stop them even if start-up fails below
        procs.wait_ready(pids, ready, logs, timeout_s)
        return pids

    def _launch(self, module: str, name: str, plan: dict[str, Any]) -> tuple[int, Path, Path]:
        run = self.state_dir / "run"
        plan_path = run / f"{name}.json"
        plan_path.write_text(json.dumps(plan))
        os.chmod(plan_path, 0o600)
        log = run / f"{name}.log"
        return procs.start(module, plan_path, log), Path(plan["ready_file"]), log

    def down(self) -> list[int]:
        """Stop every agent this lab started and remove its nftables table."""
        state = self._state()
        left = procs.stop(list(state.get("pids", {}).values()))
        if "net" in state:
            faults.nft_remove(int(state["net"]))
        state["pids"] = {}
        if state:
            self._save_state(state)
        return left

    def status(self) -> dict[str, Any]:
        state = self._state()
        pids = state.get("pids", {})
        fault_data = faults.read(self.faults_path)
        devices = len(self.truth()["devices"]) if self.truth_path.exists() else 0
        return {"state_dir": str(self.state_dir), "running": bool(pids) and all(
                    procs.alive(p) for p in pids.values()),
                "processes": {n: {"pid": p, "alive": procs.alive(p)} for n, p in pids.items()},
                "seed": state.get("seed"), "scale": state.get("scale"), "net": state.get("net"),
                "devices": devices, "snmp_port": state.get("snmp_port"),
                "ssh_port": state.get("ssh_port"), "started_in_s": state.get("started_in_s"),
                "faults": fault_data, "inventory": str(self.inventory_path),
                "truth": str(self.truth_path), "secrets_dir": str(self.secrets_dir)}

    # -- faults ----------------------------------------------------------------------
    def fail(self, site: str) -> str:
        return self._change_faults(site, lambda f: f["failed"].append(site)
                                   if site not in f["failed"] else None)

    def degrade(self, site: str, loss: int) -> str:
        if not 0 < loss <= 100:
            raise LabError(f"loss {loss}: give a percentage between 1 and 100")
        return self._change_faults(site, lambda f: f["degraded"].__setitem__(site, int(loss)))

    def slow(self, site: str, seconds: float) -> str:
        return self._change_faults(site, lambda f: f["slow"].__setitem__(site, float(seconds)))

    def restore(self, site: str | None = None) -> str:
        def clear(f: dict[str, Any]) -> None:
            for key in ("degraded", "slow"):
                f[key] = {} if site is None else {k: v for k, v in f[key].items() if k != site}
            f["failed"] = [] if site is None else [s for s in f["failed"] if s != site]
        return self._change_faults(site, clear)

    def _change_faults(self, site: str | None, change: Any) -> str:
        state = self._state()
        if site is not None and site not in state.get("prefixes", {}):
            raise LabError(f"unknown site {site!r} (see {self.inventory_path})")
        data = faults.read(self.faults_path)
        change(data)
        mode = self._apply_faults(data)
        return mode

    def _apply_faults(self, data: dict[str, Any]) -> str:
        """nftables if allowed, else the agents drop; returns the mode used."""
        state = self._state()
        try:
            faults.nft_apply(faults.nft_ruleset(int(state["net"]), state["prefixes"], data,
                                                state.get("answering")))
            data["mode"] = "nftables"
        except faults.FaultsRefused as exc:
            data["mode"] = "agents"
            data["refused"] = str(exc)
        faults.write(self.faults_path, data)
        edits.update_site_states(self.truth_path, data)
        return str(data["mode"])

    # -- edits -----------------------------------------------------------------------
    def edit(self, hostname: str, **change: Any) -> Device:
        """Change a device (see `lab.edits.apply`); SNMP, SSH and truth.json all follow."""
        device = edits.edit(self.state_dir, self.truth_path, hostname, change)
        self._rewrite({hostname})
        return device

    def unplug(self, hostname: str, port: str) -> cabling.Cable:
        """Remove the cable on ``hostname``'s ``port``: both ends stop seeing each other."""
        cable = edits.unplug(self.state_dir, self.truth_path, hostname, port)
        self._rewrite({cable.a, cable.b})
        return cable

    def restart(self, hostname: str) -> None:
        """Reboot a VPN gateway now: its sysUpTime and WAN counters start again from zero."""
        traffic.restart(self.traffic_path, hostname)

    def wrap_soon(self, hostname: str, seconds: float = 5.0) -> None:
        """Make a VPN gateway's WAN octet counters pass 2^64 in ``seconds``."""
        traffic.wrap_soon(self.traffic_path, hostname, seconds)

    def _rewrite(self, hostnames: set[str]) -> None:
        """Rewrite these devices' SNMP data from truth.json (wiring included)."""
        truth = self.truth()
        devices = [Device.from_json(d) for d in truth["devices"] + truth.get("undeclared", [])]
        cables = [cabling.Cable(**c) for c in truth.get("cables", [])]
        wirings = snmprec.wirings(devices, cables)
        for device in devices:
            if device.hostname not in hostnames:
                continue
            path = snmprec.write(device, self.state_dir / "snmp", wirings[device.hostname])
            # snmpsim notices a changed data file by its whole-second mtime: make sure it moves
            stamp = max(time.time(), path.stat().st_mtime) + 1
            os.utime(path, (stamp, stamp))
