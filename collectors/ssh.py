"""SSH CLI collector (netmiko) for Cisco IOS/IOS-XE and Linux servers.

netmiko is blocking, so devices run in a bounded thread pool. A thread cannot be killed, so
the per-device deadline is enforced inside it: connect, banner and login each get a third of
it, and every command gets only what is left (a command past the deadline is not sent).
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import time
from collections.abc import Callable, Sequence
from typing import Any

import paramiko
from netmiko import ConnectHandler
from netmiko.exceptions import NetmikoAuthenticationException, NetmikoTimeoutException, ReadTimeout

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
from collectors.ssh_commands import TRUNCATED, read_cisco_ios, read_linux
from collectors.ssh_session import prompt_at_end

Progress = Callable[[DeviceFacts], None]


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
                    read_cisco_ios(target, conn, run, remaining, facts)
                else:
                    read_linux(conn, run, remaining, facts)
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
