"""Collector and web processes of `atalaya serve`, started as real subprocesses, stopped by PID."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent.parent


class ServeProcess:
    """One `atalaya serve` process; its output goes to files the test reads afterwards."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], logs: Path) -> None:
        self.name = name
        self.out = logs / f"{name}.out"
        self.err = logs / f"{name}.err"
        with self.out.open("wb") as out, self.err.open("wb") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "atalaya", "serve", *args],
                cwd=REPO,
                env=env,
                stdout=out,
                stderr=err,
            )

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM, as systemd stops a service; the process finishes its running loop."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()
        return self.process.returncode

    @property
    def stderr(self) -> str:
        return self.err.read_text(errors="replace")

    @property
    def stdout(self) -> str:
        return self.out.read_text(errors="replace")


@pytest.fixture
def serve_processes(tmp_path: Path) -> Iterator[list[ServeProcess]]:
    """Processes a test starts (append to the list); every one is stopped by PID at the end."""
    started: list[ServeProcess] = []
    yield started
    for proc in started:
        with contextlib.suppress(ProcessLookupError):
            proc.stop()


def wait_until(predicate: object, timeout: float, step: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(step)
    return False
