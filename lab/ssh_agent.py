"""One asyncssh server process answering SSH for every network device and Linux server.

It listens on each device's own address; the address a connection arrives on says which device
answers. Cisco IOS devices get the interactive exec of `lab.cli_ios`; Linux servers a shell
that knows the commands of `lab.linux`. Password authentication with the lab's secrets.
`truth.json` is re-read when it changes (``lab edit``) and ``faults.json`` is polled for slow
and (without nftables) failed sites.

Run: ``python -m lab.ssh_agent PLAN.json`` (the plan is written by `lab.runtime`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import resource
import signal
import sys
from pathlib import Path
from typing import Any

import asyncssh

from lab import cli_ios, linux
from lab.faults import FaultView
from lab.model import Device


class Lab:
    """The devices as the latest truth.json describes them, and the secrets they check."""

    def __init__(self, plan: dict[str, Any]) -> None:
        self.truth_path = Path(plan["truth"])
        self.secrets = {k: Path(plan["secrets_dir"], k).read_text().strip()
                        for k in plan["secret_names"]}
        self.users = plan["users"]  # credential name -> [username, password secret name]
        self.faults = FaultView(Path(plan["faults_file"]), "", random.Random())
        self._mtime = -1.0
        self.by_address: dict[str, Device] = {}
        self.reload()

    def reload(self) -> None:
        mtime = self.truth_path.stat().st_mtime
        if mtime == self._mtime:
            return
        data = json.loads(self.truth_path.read_text())
        self.by_address = {d["address"]: Device.from_json(d) for d in data["devices"]
                           if d["ssh_credential"]}
        self._mtime = mtime

    def device(self, address: str) -> Device | None:
        self.reload()
        return self.by_address.get(address)


class DeviceServer(asyncssh.SSHServer):
    def __init__(self, lab: Lab) -> None:
        self.lab = lab
        self.device: Device | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        address = conn.get_extra_info("sockname")[0]
        self.device = self.lab.device(address)
        if self.device is None or self.lab.faults.stopped(self.device.site):
            conn.close()

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        if self.device is None:
            return False
        user, secret_name = self.lab.users[self.device.ssh_credential]
        return username == user and password == self.lab.secrets.get(secret_name)


async def _late(lab: Lab, device: Device) -> None:
    delay = lab.faults.delay(device.site)
    if delay > 0:
        await asyncio.sleep(delay)


async def handle(process: asyncssh.SSHServerProcess[str], lab: Lab) -> None:
    address = process.get_extra_info("sockname")[0]
    device = lab.device(address)
    if device is None:
        process.exit(1)
        return
    try:
        if device.platform == "cisco_ios":
            await _cisco(process, lab, device)
        else:
            await _linux(process, lab, device)
    except (asyncssh.BreakReceived, asyncssh.TerminalSizeChanged, BrokenPipeError,
            ConnectionError):
        pass
    process.exit(0)


async def _cisco(process: asyncssh.SSHServerProcess[str], lab: Lab, device: Device) -> None:
    region = device.region.lower()
    session = cli_ios.Session(device, lab.secrets.get(f"snmp-{region}-community", ""),
                              lab.secrets.get("ssh-net-enable", ""))

    async def read_line() -> str:
        line = await process.stdin.readline()
        await _late(lab, device)
        return line

    # with a PTY the channel is asyncssh's line-editor wrapper, which adds these two switches
    channel: Any = process.channel

    async def read_key() -> str:
        channel.set_line_mode(False)
        try:
            return await process.stdin.read(1)
        finally:
            channel.set_line_mode(True)

    async def read_secret() -> str:
        channel.set_echo(False)
        try:
            return await process.stdin.readline()
        finally:
            channel.set_echo(True)

    if process.command:  # `ssh host show version`: IOS runs it privileged-less and exits
        session.length = 0
        found = cli_ios.resolve(process.command, False)
        if isinstance(found, tuple):
            process.stdout.write(cli_ios.output(session, *found) or "")
        else:
            process.stdout.write("% Invalid input detected at '^' marker.\n")
        return
    await cli_ios.run(session, read_line, read_key, process.stdout.write, read_secret)


async def _linux(process: asyncssh.SSHServerProcess[str], lab: Lab, device: Device) -> None:
    if process.command:
        await _late(lab, device)
        text, status = linux.run(device, process.command)
        process.stdout.write(text + ("\n" if text else ""))
        process.exit(status)
        return
    prompt = f"atalaya@{device.hostname}:~$ "
    process.stdout.write(prompt)
    for _ in range(10_000):  # bounded session
        line = await process.stdin.readline()
        if line == "":
            return
        if line.strip() in ("exit", "logout"):
            return
        await _late(lab, device)
        text, _ = linux.run(device, line)
        process.stdout.write((text + "\n" if text else "") + prompt)


async def reconcile(lab: Lab, plan: dict[str, Any], key: asyncssh.SSHKey,
                    listeners: dict[str, asyncssh.SSHAcceptor], stop: asyncio.Event) -> None:
    """Keep one listener per device address open, except for sites stopped by faults."""
    while not stop.is_set():
        for spec in plan["devices"]:
            address, wanted = spec["address"], not lab.faults.stopped(spec["site"])
            if wanted and address not in listeners:
                listeners[address] = await asyncssh.listen(
                    address, spec["port"], server_factory=lambda: DeviceServer(lab),
                    server_host_keys=[key], process_factory=lambda p: handle(p, lab),
                    reuse_address=True, keepalive_interval=0, login_timeout=30)
            elif not wanted and address in listeners:
                listeners.pop(address).close()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=0.5)


async def serve(plan: dict[str, Any]) -> None:
    lab = Lab(plan)
    key = asyncssh.read_private_key(plan["host_key"])
    listeners: dict[str, asyncssh.SSHAcceptor] = {}
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    # first pass synchronously so "ready" means every address accepts connections
    for spec in plan["devices"]:
        listeners[spec["address"]] = await asyncssh.listen(
            spec["address"], spec["port"], server_factory=lambda: DeviceServer(lab),
            server_host_keys=[key], process_factory=lambda p: handle(p, lab),
            reuse_address=True, login_timeout=30)
    Path(plan["ready_file"]).write_text(str(os.getpid()))
    await reconcile(lab, plan, key, listeners, stop)
    for listener in listeners.values():
        listener.close()


def main(argv: list[str]) -> int:
    plan = json.loads(Path(argv[1]).read_text())
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 2 * len(plan["devices"]) + 1024
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))
    asyncio.run(serve(plan))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
