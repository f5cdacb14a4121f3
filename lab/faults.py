"""Link faults: nftables on the loopback input hook when allowed, the agents themselves otherwise.

State lives in ``<state dir>/faults.json``::

    {"mode": "nftables" | "agents",
     "failed": ["NOR-EP-03"], "degraded": {"SUR-EP-01": 30}, "slow": {"CEN-OR": 2.0}}

`fail` and `degrade` become nftables rules on the loopback *input* hook (on the output hook the
sender's sendto() fails with EPERM at once, which no real dead link does; dropped on input, the
packet is silently lost and the client times out): a whole site's /24 dropped, or dropped at
random with ``numgen random mod 100 < N``, in the lab's own table; when nftables is refused the
agents drop those requests themselves ("agents" mode, the equivalent of stopping the site's
agents). `slow` is always done by the agents: they answer that site's requests late without
stalling the others.
"""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any


class FaultsRefused(RuntimeError):
    """nftables is not usable here (not root, no nft binary, or the kernel refused)."""


def table_name(net: int) -> str:
    return f"atalaya_lab_{net}"


def read(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError):
        data = {}
    data.setdefault("mode", "nftables")
    data.setdefault("failed", [])
    data.setdefault("degraded", {})
    data.setdefault("slow", {})
    return data


def write(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True))
    os.replace(tmp, path)  # agents poll the file: never let them read half of it


def nft_ruleset(net: int, prefixes: dict[str, str], data: dict[str, Any],
                answering: list[str] | None = None) -> str:
    """The whole lab table, replaced atomically (add+delete+define in one transaction).

    ``answering``: the lab's device addresses. Every 127.x.y.z answers ping on loopback; on a
    real network an unused address stays silent, so the rest of the lab's /16 is dropped
    (discovery's sweep must find devices, not the loopback interface)."""
    table = table_name(net)
    rules = []
    if answering:
        rules.append(f"ip daddr 127.{net}.0.0/16 ip daddr != {{ {', '.join(answering)} }} drop")
    for site in data["failed"]:
        rules.append(f"ip daddr {prefixes[site]} drop")
    for site, loss in sorted(data["degraded"].items()):
        # loss both ways, as on a bad link, each way sized so a round trip loses about `loss` %
        each = round(100 * (1 - math.sqrt(1 - min(int(loss), 100) / 100)))
        for direction in ("daddr", "saddr"):
            rules.append(f"ip {direction} {prefixes[site]} numgen random mod 100 < {each} drop")
    body = "\n".join(f"    {r}" for r in rules)
    return (f"add table inet {table}\ndelete table inet {table}\n"
            f"table inet {table} {{\n  chain input {{\n"
            f"    type filter hook input priority 0; policy accept;\n{body}\n  }}\n}}\n")


def nft_apply(ruleset: str) -> None:
    nft = shutil.which("nft") or ("/usr/sbin/nft" if Path("/usr/sbin/nft").exists() else None)
    if nft is None:
        raise FaultsRefused("nft not found (install nftables)")
    if os.geteuid() != 0:
        raise FaultsRefused("nftables needs root")
    done = subprocess.run([nft, "-f", "-"], input=ruleset, capture_output=True, text=True,
                          timeout=10, check=False)
    if done.returncode != 0:
        raise FaultsRefused(f"nft refused: {done.stderr.strip()}")


def nft_remove(net: int) -> None:
    nft = shutil.which("nft") or "/usr/sbin/nft"
    if os.geteuid() != 0 or not Path(nft).exists():
        return
    subprocess.run([nft, "delete", "table", "inet", table_name(net)], capture_output=True,
                   timeout=10, check=False)


class FaultView:
    """What an agent process needs to know about faults, re-read when the file changes."""

    def __init__(self, path: Path, instance: str, rng: random.Random) -> None:
        self.path = path
        self.rng = rng
        self.instance = instance
        self._checked = 0.0
        self._mtime = -1.0
        self._data = read(path)

    def _refresh(self) -> None:
        now = time.monotonic()
        if now - self._checked < 0.2:  # at most five stat() calls a second
            return
        self._checked = now
        try:
            mtime = self.path.stat().st_mtime
        except OSError:
            mtime = 0.0
        if mtime != self._mtime:
            self._mtime = mtime
            self._data = read(self.path)

    def drops(self, site: str) -> bool:
        """In "agents" mode: is this request lost (failed site, or unlucky on a lossy one)?"""
        self._refresh()
        if self._data["mode"] != "agents":
            return False
        if site in self._data["failed"]:
            return True
        loss = self._data["degraded"].get(site, 0)
        return bool(loss) and self.rng.randrange(100) < int(loss)

    def stopped(self, site: str) -> bool:
        self._refresh()
        return self._data["mode"] == "agents" and site in self._data["failed"]

    def delay(self, site: str) -> float:
        self._refresh()
        return float(self._data["slow"].get(site, 0.0))
