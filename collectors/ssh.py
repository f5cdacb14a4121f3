"""SSH CLI collector (netmiko) for Cisco IOS/IOS-XE and Linux servers.

netmiko is blocking, so devices run in a bounded thread pool. A thread cannot be killed, so
the per-device deadline is enforced inside it: connect, banner and login each get a third of
it, and every command gets only what is left (a command past the deadline is not sent).
Configurations are redacted here, before they leave the collector.
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import re
import time
from collections.abc import Callable, Sequence
from typing import Any

import paramiko
from netmiko import ConnectHandler
from netmiko.exceptions import NetmikoAuthenticationException, NetmikoTimeoutException, ReadTimeout

from collectors import ssh_parsers as parse
from collectors import ssh_session as session
from collectors.base import (
    AuthFailed,
    BadResponse,
    CollectorError,
    DeviceFacts,
    Target,
    Timeout,
    Unsupported,
)
from collectors.redact import redact_config
from collectors.ssh_session import prompt_at_end

Progress = Callable[[DeviceFacts], None]

# The real commands, one place to read them. On Linux the collector's account needs to
# run `sshd -T` (root or a sudoers line for it); the others work as any user.
IOS_COMMANDS = {
    "version": "show version",
    "config": "show running-config",
    "inventory": "show inventory",
    "ike": "show crypto ikev2 sa detailed",  # vpn_gateway only
}
LINUX_COMMANDS = {
    "os_release": "cat /etc/os-release",
    "packages_debian": r"dpkg-query -W -f='${Package}\t${Version}\n'",
    "packages_rhel": r"rpm -qa --qf '%{NAME}\t%{VERSION}-%{RELEASE}\n'",
    "sshd": "sshd -T",
    "firewall": "systemctl is-active nftables firewalld ufw",
    "auditd": "systemctl is-active auditd",
    "time_sync": "systemctl is-active chrony chronyd systemd-timesyncd ntp ntpsec",
    # forwarding rules only (`@host`, `@@host`, omfwd); -s: a missing rsyslog.d is not an error
    "remote_syslog": "grep -rhsE '^[^#]*(@|omfwd)' /etc/rsyslog.conf /etc/rsyslog.d",
    "security_updates_debian": "apt-get -s upgrade | grep -c '^Inst.*security'",
    "security_updates_rhel": "dnf -q updateinfo list --security | wc -l",
}
HOST_STATE = {
    "firewall": parse.units_active,
    "auditd": parse.units_active,
    "time_sync": parse.units_active,
    "remote_syslog": parse.remote_syslog,
}


class SshCollector:
    """Run show commands over SSH; one `DeviceFacts` per target, errors included."""

    source = "ssh"

    def __init__(self, *, concurrency: int = 16) -> None:
        self.concurrency = concurrency

    def collect(
        self, targets: Sequence[Target], deadline_s: float, progress: Progress | None = None
    ) -> list[DeviceFacts]:
        results: dict[int, DeviceFacts] = {}
        pool = cf.ThreadPoolExecutor(self.concurrency, thread_name_prefix="ssh")
        try:
            futures = {pool.submit(self.poll, t, deadline_s): i for i, t in enumerate(targets)}
            for future in cf.as_completed(futures):
                results[futures[future]] = future.result()
                if progress is not None:
                    progress(results[futures[future]])
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return [results[i] for i in range(len(targets))]

    def poll(self, target: Target, deadline_s: float) -> DeviceFacts:
        """One device; a prompt miss or a configuration cut short gets one more try when at
        least half of the deadline is left."""
        started = time.monotonic()
        facts = self._poll_once(target, deadline_s)
        remaining = deadline_s - (time.monotonic() - started)
        retry = isinstance(facts.error, Timeout | BadResponse) and (
            "Pattern not detected" in facts.error.message or TRUNCATED in facts.error.message
        )
        if retry and remaining >= deadline_s / 2:
            facts = self._poll_once(target, remaining)
            facts.duration_s = time.monotonic() - started
        return facts

    def _poll_once(self, target: Target, deadline_s: float) -> DeviceFacts:
        started = time.monotonic()
        facts = DeviceFacts(target.hostname, "ssh", dt.datetime.now(dt.UTC))
        try:
            if target.credential_error:
                raise AuthFailed(target.credential_error)
            if target.platform not in ("cisco_ios", "linux"):
                raise Unsupported(f"no SSH collector for platform {target.platform!r}")
            conn = self._connect(target, deadline_s)
            remaining = session.deadline_clock(started, deadline_s)
            finished = False
            try:
                run = self._runner(conn, remaining, deadline_s)
                if target.platform == "cisco_ios":
                    self._cisco_ios(target, conn, run, remaining, facts)
                else:
                    self._linux(conn, run, remaining, facts)
                finished = True
            finally:
                session.close(conn, graceful=finished)
        except CollectorError as exc:
            facts.error = exc
        except (
            NetmikoAuthenticationException,
            NetmikoTimeoutException,
            ReadTimeout,
            paramiko.SSHException,
            OSError,
            EOFError,
            ValueError,
        ) as exc:
            facts.error = session.classify(exc, target)
        facts.duration_s = time.monotonic() - started
        return facts

    @staticmethod
    def _connect(target: Target, deadline_s: float) -> Any:
        if target.ssh is None:
            raise Unsupported(f"{target.hostname}: no SSH credential in the inventory")
        cred = target.ssh
        options: dict[str, Any] = {
            "device_type": target.platform,
            "host": target.address,
            "port": target.ssh_port,
            "username": cred.username,
            "password": cred.password or None,
            "secret": cred.enable_secret,
            "key_file": cred.key_file or None,
            "use_keys": bool(cred.key_file),
            "allow_agent": False,
            "ssh_config_file": None,
            # One deadline bounds every phase: connect, banner, auth and each command.
            "conn_timeout": min(10.0, deadline_s / 3),
            "auth_timeout": min(10.0, deadline_s / 3),
            "banner_timeout": min(10.0, deadline_s / 3),
            "fast_cli": True,
        }
        return ConnectHandler(**options)

    @staticmethod
    def _runner(conn: Any, remaining: session.Remaining, deadline_s: float) -> Callable[[str], str]:
        def run(command: str) -> str:
            left = remaining()
            if left <= 0:
                raise Timeout(f"deadline of {deadline_s:.0f} s reached before {command!r}")
            output: str = conn.send_command(
                command, read_timeout=left, expect_string=prompt_at_end(conn.base_prompt)
            )
            return output

        return run

    def _cisco_ios(
        self,
        target: Target,
        conn: Any,
        run: Callable[[str], str],
        remaining: session.Remaining,
        facts: DeviceFacts,
    ) -> None:
        # `show running-config` needs privilege 15: users below it log in to user EXEC.
        if target.ssh and target.ssh.enable_secret:
            session.enable(conn, target, remaining)
        _part(facts, "show version", lambda: _apply_version(facts, run(IOS_COMMANDS["version"])))
        config = run(IOS_COMMANDS["config"])
        if "hostname" not in config and "version" not in config:
            raise BadResponse(f"{target.address}: 'show running-config' returned no configuration")
        _require_end(target, config)
        facts.running_config = redact_config(_strip_config_header(config))
        _part(
            facts, "show inventory", lambda: _apply_inventory(facts, run(IOS_COMMANDS["inventory"]))
        )
        if target.kind == "vpn_gateway":
            _part(
                facts,
                "ike",
                lambda: setattr(facts, "ike_sas", parse.ikev2_sas(run(IOS_COMMANDS["ike"]))),
            )

    def _linux(
        self, conn: Any, run: Callable[[str], str], remaining: session.Remaining, facts: DeviceFacts
    ) -> None:
        command = LINUX_COMMANDS["os_release"]
        prompt = re.compile(prompt_at_end(conn.base_prompt))
        # os-release is never empty: an answer of prompts only is a slow CLI's stray prompts
        release = parse.os_release(
            session.read_complete(
                conn,
                command,
                run(command),
                lambda out: any(ln.strip() and not prompt.search(ln) for ln in out.splitlines()),
                remaining,
            )
        )
        facts.os_name, facts.os_version = release["os_name"], release["os_version"]
        family = (
            "rhel"
            if {"rhel", "fedora", "centos"}
            & set((release.get("ID_LIKE", "") + " " + release["ID"]).split())
            else "debian"
        )
        _part(
            facts,
            "packages",
            lambda: setattr(
                facts, "software", parse.packages(run(LINUX_COMMANDS[f"packages_{family}"]))
            ),
        )
        _part(
            facts,
            "sshd -T",
            lambda: setattr(facts, "sshd", parse.sshd_t(run(LINUX_COMMANDS["sshd"]))),
        )
        state: dict[str, str] = {}
        for key, parser in HOST_STATE.items():
            _part(facts, key, _state_reader(state, key, parser, run, LINUX_COMMANDS[key]))
        command = LINUX_COMMANDS[f"security_updates_{family}"]
        _part(
            facts,
            "security_updates",
            _state_reader(state, "security_updates", parse.count, run, command),
        )
        facts.host_state = state


TRUNCATED = "cut short"


def _require_end(target: Target, config: str) -> None:
    """IOS ends `show running-config` with an `end` line: without it the read stopped early
    and the text must not be stored (nor judged) as the device's configuration."""
    lines = [line.strip() for line in config.splitlines() if line.strip()]
    if not lines or lines[-1] != "end":
        last = lines[-1][:60] if lines else ""
        raise BadResponse(
            f"{target.address}: 'show running-config' {TRUNCATED} after {len(lines)} lines "
            f"(last {last!r}, no 'end' line): not stored"
        )


def _part(facts: DeviceFacts, name: str, action: Callable[[], object]) -> None:
    """Run one part; output we cannot parse leaves it unknown with the reason recorded."""
    try:
        action()
    except parse.Unparsed as exc:
        facts.skipped.append(f"{name}: {exc}")


def _state_reader(
    state: dict[str, str],
    key: str,
    parser: Callable[[str], str],
    run: Callable[[str], str],
    command: str,
) -> Callable[[], None]:
    def read() -> None:
        state[key] = parser(run(command))

    return read


def _apply_version(facts: DeviceFacts, text: str) -> None:
    version = parse.show_version(text)
    facts.os_name, facts.os_version = version["os_name"], version["os_version"]
    facts.vendor = "Cisco"
    facts.model = facts.model or version["model"]
    facts.serial = facts.serial or version["serial"]
    facts.sys_name = version["hostname"]


def _apply_inventory(facts: DeviceFacts, text: str) -> None:
    # `show inventory` names the chassis PID and serial exactly; prefer it to `show version`.
    model, serial = parse.show_inventory(text)
    facts.model = model or facts.model
    facts.serial = serial or facts.serial


def _strip_config_header(config: str) -> str:
    """Drop the "Building configuration..." and "Current configuration : N bytes" lines: the
    byte count changes with every secret rotation and would make a new snapshot each time."""
    lines = config.splitlines()
    while lines and (
        not lines[0].strip()
        or lines[0].startswith(("Building configuration", "Current configuration", "!Time:"))
    ):
        lines.pop(0)
    return "\n".join(lines).rstrip() + "\n"
