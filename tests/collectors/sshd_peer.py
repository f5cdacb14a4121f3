"""OpenSSH's sshd on a loopback address, in a private mount namespace (it needs /run/sshd,
which this host lacks): a tmpfs on /run exists only for it, nothing on the host changes."""

from __future__ import annotations

import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from tests.collectors.peer_process import stop_process


@dataclass
class Sshd:
    address: str
    port: int
    key_file: Path
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        stop_process(self.process)


def _free_tcp_port(address: str) -> int:
    with socket.socket() as sock:
        sock.bind((address, 0))
        port: int = sock.getsockname()[1]
        return port


# An unprivileged login that exists only inside sshd's mount namespace: the host's passwd, group
# and shadow are copied with it added and bind-mounted over the originals there, and a tmpfs on
# /etc/sudoers.d holds the sudoers rule the test asks for. Nothing on the host changes.
ACCOUNT = "atalaya"
ACCOUNT_SETUP = """
for f in passwd group shadow; do cp /etc/$f "$W/$f"; done
echo "{user}:x:4242:4242:Atalaya collector:/run/{user}-home:/bin/bash" >> "$W/passwd"
echo "{user}:x:4242:" >> "$W/group"
echo "{user}:*:19000:0:99999:7:::" >> "$W/shadow"
for f in passwd group shadow; do mount --bind "$W/$f" /etc/$f; done
mkdir -p /run/{user}-home /run/{user}-keys /etc/sudoers.d
chown 4242:4242 /run/{user}-home
cp "$W/authorized_keys" /run/{user}-keys/authorized_keys
chmod 755 /run/{user}-keys; chmod 644 /run/{user}-keys/authorized_keys
mount -t tmpfs -o mode=0755 tmpfs /etc/sudoers.d
if [ -s "$W/sudoers" ]; then install -m 0440 "$W/sudoers" /etc/sudoers.d/atalaya; fi
"""


def start_sshd(
    workdir: Path, address: str = "127.200.20.1", account: bool = False, sudoers: str = ""
) -> Sshd:
    """sshd for root logins; with `account`, for the unprivileged ACCOUNT too (its authorized
    keys in a world-readable place), with `sudoers` as its only sudoers rule."""
    workdir.mkdir(parents=True, exist_ok=True)
    for name in ("host_key", "client_key"):
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(workdir / name)], check=True
        )
    (workdir / "authorized_keys").write_bytes((workdir / "client_key.pub").read_bytes())
    port = _free_tcp_port(address)
    config = workdir / "sshd_config"
    keys = f"/run/{ACCOUNT}-keys/authorized_keys" if account else workdir / "authorized_keys"
    (workdir / "sudoers").write_text(sudoers + ("\n" if sudoers else ""), encoding="utf-8")
    config.write_text(
        f"ListenAddress {address}:{port}\n"
        f"HostKey {workdir / 'host_key'}\n"
        f"AuthorizedKeysFile {keys}\n"
        f"PidFile {workdir / 'sshd.pid'}\n"
        "PermitRootLogin prohibit-password\nPasswordAuthentication no\n"
        "KbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\n",
        encoding="utf-8",
    )
    setup = ACCOUNT_SETUP.format(user=ACCOUNT) if account else ""
    script = (
        f'set -e; W="$(dirname "$0")"; mount -t tmpfs tmpfs /run && mkdir -p /run/sshd\n{setup}'
        'exec /usr/sbin/sshd -D -e -f "$0"'
    )
    process = subprocess.Popen(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, str(config)],
        stdout=subprocess.DEVNULL,
        stderr=open(workdir / "sshd.log", "wb"),  # noqa: SIM115 - closed with the process
    )
    peer = Sshd(address, port, workdir / "client_key", process)
    for _ in range(100):  # bounded: 10 s
        if process.poll() is not None:
            raise RuntimeError((workdir / "sshd.log").read_text(errors="replace")[-2000:])
        try:
            with socket.create_connection((address, port), timeout=0.2):
                return peer
        except OSError:
            time.sleep(0.1)
    peer.stop()
    raise RuntimeError("sshd did not listen within 10 s")
