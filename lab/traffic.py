"""WAN traffic of the lab's VPN gateways: counters and sysUpTime that advance with the clock.

``traffic.json`` (state directory) holds, per VPN gateway, its WAN interface, the configured
inbound and outbound rates (bits/s), the time its counters were last set (``epoch``) with their
values then, and when it booted. The SNMP agents compute, at each request::

    sysUpTime        = (now - boot) * 100                      (TimeTicks)
    ifHCIn/OutOctets = (base + rate / 8 * (now - epoch)) mod 2^64

so two polls see exactly the configured rate over the uptime that passed between them. Every
seventh site's link is busy (85-95 % of its bandwidth), the others carry 10-40 %. `restart`
reboots a device (uptime and counters back to zero); `wrap_soon` puts its counters just below
2^64 so they wrap a few seconds later. The agents re-read the file when it changes.
"""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path
from typing import Any

from lab.model import Device
from lab.sites import Network

WRAP = 2**64
IF_HC_IN = "1.3.6.1.2.1.31.1.1.1.6"
IF_HC_OUT = "1.3.6.1.2.1.31.1.1.1.10"
SYS_UPTIME = "1.3.6.1.2.1.1.3.0"


def wan_interface(device: Device) -> int | None:
    for interface in device.interfaces:
        if interface.alias == "WAN-OPERADOR" or interface.name == "wan1":
            return interface.index
    return None


def plan(network: Network, devices: list[Device], seed: int, now: float) -> dict[str, Any]:
    """The configured traffic of every VPN gateway with a WAN interface and a site link."""
    bandwidth = {link.site: link.bandwidth_mbps for link in network.links}
    numbers = {site.code: site.number for site in network.sites}
    gateways: dict[str, Any] = {}
    for device in devices:
        index = wan_interface(device)
        if device.kind != "vpn_gateway" or index is None or device.site not in bandwidth:
            continue
        rng = random.Random(f"{seed}:{device.hostname}:traffic")
        busy = numbers[device.site] % 7 == 0
        low, high = (0.85, 0.95) if busy else (0.10, 0.40)
        bps = bandwidth[device.site] * 1_000_000
        uptime_s = 86400 * (3 + device.variant % 300) + device.variant * 37  # as in snmprec
        gateways[device.hostname] = {
            "site": device.site, "if_index": index, "bandwidth_bps": bps, "busy": busy,
            "in_bps": round(bps * rng.uniform(low, high)),
            "out_bps": round(bps * rng.uniform(low, high) * 0.6),
            "boot": now - uptime_s, "epoch": now,
            "base_in": rng.randrange(10**9, 10**13), "base_out": rng.randrange(10**9, 10**13),
        }  # fmt: skip
    return {"gateways": gateways}


def write(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True))
    os.replace(tmp, path)


def read(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError):
        data = {}
    data.setdefault("gateways", {})
    return data


def counters(entry: dict[str, Any], now: float) -> tuple[int, int, int]:
    """(sysUpTime ticks, ifHCInOctets, ifHCOutOctets) of one gateway at ``now``."""
    elapsed = now - entry["epoch"]
    octets_in = (entry["base_in"] + round(entry["in_bps"] / 8 * elapsed)) % WRAP
    octets_out = (entry["base_out"] + round(entry["out_bps"] / 8 * elapsed)) % WRAP
    ticks = int((now - entry["boot"]) * 100) % 2**32
    return ticks, octets_in, octets_out


def _rebase(entry: dict[str, Any], now: float) -> None:
    """Freeze the counters' current values as the new base, from ``now`` on."""
    _, entry["base_in"], entry["base_out"] = counters(entry, now)
    entry["epoch"] = now


def restart(path: Path, hostname: str) -> None:
    """The device reboots now: uptime and its interface counters start again from zero."""
    data = read(path)
    entry = _entry(data, hostname, path)
    now = time.time()
    entry.update(boot=now, epoch=now, base_in=0, base_out=0)
    write(path, data)


def wrap_soon(path: Path, hostname: str, seconds: float) -> None:
    """Set both counters so that they pass 2^64 in ``seconds`` (uptime unchanged)."""
    data = read(path)
    entry = _entry(data, hostname, path)
    now = time.time()
    _rebase(entry, now)
    entry["base_in"] = WRAP - round(entry["in_bps"] / 8 * seconds)
    entry["base_out"] = WRAP - round(entry["out_bps"] / 8 * seconds)
    write(path, data)


def _entry(data: dict[str, Any], hostname: str, path: Path) -> dict[str, Any]:
    from lab.procs import LabError

    if hostname not in data["gateways"]:
        raise LabError(f"{hostname} carries no simulated WAN traffic (see {path})")
    entry: dict[str, Any] = data["gateways"][hostname]
    return entry


class TrafficView:
    """What an agent process needs: the dynamic values of its devices, re-read on change."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._mtime = -1.0
        self._checked = 0.0
        self._data: dict[str, Any] = {"gateways": {}}

    def values(self, hostname: str) -> dict[str, int]:
        """OID -> value of the dynamic objects of ``hostname`` (empty for most devices)."""
        now = time.time()
        if now - self._checked > 0.2:
            self._checked = now
            try:
                mtime = self.path.stat().st_mtime
            except OSError:
                mtime = 0.0
            if mtime != self._mtime:
                self._mtime, self._data = mtime, read(self.path)
        entry = self._data["gateways"].get(hostname)
        if entry is None:
            return {}
        ticks, octets_in, octets_out = counters(entry, now)
        index = entry["if_index"]
        return {SYS_UPTIME: ticks, f"{IF_HC_IN}.{index}": octets_in,
                f"{IF_HC_OUT}.{index}": octets_out}  # fmt: skip
