"""Start and stop the lab's agent processes, by PID, and wait for them to be ready."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path


class LabError(RuntimeError):
    """The lab could not do what was asked; the message says why and what to do."""


def start(module: str, plan: Path, log: Path) -> int:
    """Start ``python -m module plan`` in its own session (so a terminal's ^C does not reach it)."""
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", module, str(plan.resolve())], stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
            cwd=str(Path(__file__).resolve().parent.parent))
    return proc.pid


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie child of this process still answers kill(0): reap it if it is ours
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return _not_zombie(pid)
    return done == 0


def _not_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_ready(pids: dict[str, int], ready: dict[str, Path], logs: dict[str, Path],
               timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for name, pid in pids.items():
            if not alive(pid):
                tail = logs[name].read_text(errors="replace")[-2000:]
                raise LabError(f"{name} (pid {pid}) exited during start-up:\n{tail}")
        if all(path.exists() for path in ready.values()):
            return
        time.sleep(0.05)
    where = ", ".join(map(str, logs.values()))
    raise LabError(f"lab agents not ready after {timeout_s:.0f} s: see {where}")


def stop(pids: list[int], timeout_s: float = 5.0) -> list[int]:
    """SIGTERM, then SIGKILL what is left; returns the PIDs that would not die."""
    for pid in pids:
        if alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.05)
    for pid in pids:
        if alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    time.sleep(0.1)
    return [p for p in pids if alive(p)]
