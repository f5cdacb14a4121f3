"""Measurement helpers shared by the benchmarks: CPU and memory from /proc, no psutil."""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu_s(pid: int) -> float:
    """utime + stime of one process (fields 14 and 15 of /proc/PID/stat)."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def process_peak_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def self_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Measure:
    name: str
    wall_s: float = 0.0
    cpu_s: float = 0.0
    values: int = 0
    rss_mb: float = 0.0
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def us_per_value(self) -> float:
        return self.cpu_s / self.values * 1e6 if self.values else float("nan")


@contextmanager
def timed(measure: Measure, cpu: Callable[[], float]) -> Iterator[Measure]:
    cpu0, wall0 = cpu(), time.perf_counter()
    yield measure
    measure.wall_s = time.perf_counter() - wall0
    measure.cpu_s = cpu() - cpu0


def table(rows: list[Measure], reference: str) -> str:
    ref = next((r for r in rows if r.name == reference), None)
    head = f"{'client':<34}{'wall s':>8}{'CPU s':>8}{'values':>9}{'µs/value':>10}{'RSS MB':>8}"
    head += f"  CPU/value vs {reference}"
    lines = [head]
    for row in rows:
        ratio = row.us_per_value / ref.us_per_value if ref and ref.values else float("nan")
        lines.append(
            f"{row.name:<34}{row.wall_s:>8.2f}{row.cpu_s:>8.2f}{row.values:>9}"
            f"{row.us_per_value:>10.1f}{row.rss_mb:>8.0f}  {ratio:.2f}x"
        )
    return "\n".join(lines)
