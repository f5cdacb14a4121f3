"""The benchmarks' machine-readable results: one JSON file, one section per benchmark.

Each benchmark calls ``record(name, data)`` at the end of its run; the file is
bench/results/latest.json (gitignored: any run writes it). ``make bench`` (scripts/run-bench
with no arguments) copies it to bench/RESULTS.json, the committed copy the README's
performance table is generated from (bench/readme_table.py; tests/architecture checks that
the two agree).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
# ATALAYA_BENCH_RESULTS: another file, for a trial run that must not touch the real one
LATEST = Path(os.environ.get("ATALAYA_BENCH_RESULTS", REPO / "bench" / "results" / "latest.json"))
COMMITTED = REPO / "bench" / "RESULTS.json"


def record(name: str, data: dict[str, Any], path: Path = LATEST) -> None:
    """Merge one benchmark's section into the results file (other sections stay)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    current = json.loads(path.read_text()) if path.exists() else {}
    current.setdefault("host", {}).update(
        cores=os.cpu_count(),
        python=platform.python_version(),
        load_average=[round(x, 2) for x in os.getloadavg()],
    )
    data = dict(data, recorded=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    current.setdefault("benchmarks", {})[name] = data
    path.write_text(json.dumps(current, indent=1, sort_keys=True) + "\n")


def load(path: Path = COMMITTED) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data
