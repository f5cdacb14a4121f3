"""/metrics for the collectors' spools: runs waiting for the CMDB, their age, runs lost.

Read from the spool files of this process's data directory (``<data_dir>/spool/collector*.db``,
written by atalaya/jobs/spool.py), read-only and at every scrape: three small queries per file.
Not from the CMDB, on purpose: a spool grows exactly while the CMDB cannot be written, so the
numbers must not depend on it (a collector reporting them into the CMDB could only do so once
the outage they describe is over). A collector on another host keeps its spool in its own data
directory: `atalaya status` there shows it.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from prometheus_client import generate_latest
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

log = logging.getLogger(__name__)


class SpoolCollector(Collector):
    """The spool families of every poller group whose spool file is in `data_dir`."""

    def __init__(self, data_dir: Path) -> None:
        self.folder = data_dir / "spool"

    def collect(self) -> Iterator[Metric]:
        labels = ["poller_group"]
        runs = GaugeMetricFamily(
            "atalaya_spool_runs",
            "Collection runs kept in the collector's spool, waiting for the CMDB.",
            labels=labels,
        )
        age = GaugeMetricFamily(
            "atalaya_spool_oldest_age_seconds",
            "Age of the oldest spooled run (0 when the spool is empty).",
            labels=labels,
        )
        dropped = CounterMetricFamily(
            "atalaya_spool_dropped",
            "Spooled runs dropped, oldest first, because the spool was full: lost for good.",
            labels=labels,
        )
        now = dt.datetime.now(dt.UTC)
        for group, count, oldest, lost in self._read():
            runs.add_metric([group], count)
            age.add_metric([group], (now - oldest).total_seconds() if oldest else 0.0)
            dropped.add_metric([group], lost)
        yield from (runs, age, dropped)

    def exposition(self) -> bytes:
        return generate_latest(self)

    def _read(self) -> Iterator[tuple[str, int, dt.datetime | None, int]]:
        for path in sorted(self.folder.glob("collector*.db")):
            try:
                connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=2)
            except sqlite3.Error as error:
                log.warning("spool %s unreadable: %s", path, error)
                continue
            try:
                yield _spool_row(connection)
            except sqlite3.Error as error:  # being created by its collector right now
                log.warning("spool %s unreadable: %s", path, error)
            finally:
                connection.close()


def _spool_row(connection: sqlite3.Connection) -> tuple[str, int, dt.datetime | None, int]:
    meta = dict(connection.execute("SELECT key, value FROM spool_meta").fetchall())
    count, oldest = connection.execute(
        "SELECT COUNT(*), MIN(started_at) FROM spooled_run"
    ).fetchone()
    started = dt.datetime.fromisoformat(oldest) if oldest else None
    return meta.get("poller_group", ""), count, started, int(meta.get("dropped", 0))
