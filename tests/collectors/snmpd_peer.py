"""A real net-snmp ``snmpd`` for tests and benchmarks, on loopback addresses of our choosing.

It keeps its state in a temporary folder (SNMP_PERSISTENT_DIR), so nothing under
/var/lib/snmp changes, and it is stopped by its own PID.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.collectors.peer_process import stop_process

COMMUNITY = "atalaya-test-ro"
V3_USER = "atalaya"
V3_AUTH = "auth-pass-2718"
V3_PRIV = "priv-pass-3141"


def free_udp_port(address: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((address, 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Snmpd:
    addresses: list[str]
    port: int
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        stop_process(self.process)


def start_snmpd(workdir: Path, addresses: Sequence[str], port: int | None = None) -> Snmpd:
    """Start snmpd bound to every address (given on the command line: the agentAddress
    line is cut at ~2,560 characters) and wait until the first one answers."""
    if shutil.which("snmpd") is None:
        raise RuntimeError("snmpd is not installed (apt-get install snmpd)")
    workdir.mkdir(parents=True, exist_ok=True)
    port = port or free_udp_port(addresses[0])
    conf = workdir / "snmpd.conf"
    conf.write_text(
        f"rocommunity {COMMUNITY} default\n"
        f"createUser {V3_USER} SHA {V3_AUTH} AES {V3_PRIV}\n"
        f"rouser {V3_USER} priv\n"
        "sysName atalaya-snmpd\n"
        "sysLocation loopback\n"
        "sysContact tests\n",
        encoding="utf-8",
    )
    env = dict(os.environ, SNMP_PERSISTENT_DIR=str(workdir / "persist"), MIBS="", MIBDIRS="")
    endpoints = [f"udp:{address}:{port}" for address in addresses]
    process = subprocess.Popen(
        ["snmpd", "-f", "-Lf", str(workdir / "snmpd.log"), "-C", "-c", str(conf), *endpoints],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    peer = Snmpd(list(addresses), port, process)
    _wait_ready(peer, workdir)
    return peer


def _wait_ready(peer: Snmpd, workdir: Path) -> None:
    for _ in range(100):  # bounded: 10 s
        if peer.process.poll() is not None:
            log = (workdir / "snmpd.log").read_text(errors="replace")
            raise RuntimeError(f"snmpd exited: {log[-2000:]}")
        probe = subprocess.run(
            [
                "snmpget",
                "-v2c",
                "-c",
                COMMUNITY,
                "-t",
                "0.2",
                "-r",
                "0",
                f"udp:{peer.addresses[-1]}:{peer.port}",
                "1.3.6.1.2.1.1.5.0",
            ],
            capture_output=True,
            check=False,
        )
        if probe.returncode == 0:
            return
        time.sleep(0.1)
    peer.stop()
    raise RuntimeError("snmpd did not answer within 10 s")
