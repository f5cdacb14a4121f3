"""`/metrics` text rendered at the end of a loop or an evaluation, read by scrapes.

A scrape after a cycle used to rebuild the snapshot from the CMDB and format it (~30-36 ms
for the full lab, issue 15). The job that completes a loop or an evaluation already holds a
session: it renders the text then and stores it with the snapshot key it was built for. A
scrape computes the key (one small query) and serves the stored text when the keys match;
only when they do not (an inventory edit since, or no job has stored one yet) does the web
process build it itself.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import generate_latest
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector
from sqlalchemy.orm import Session

from cmdb.metrics_families import families
from cmdb.metricsnapshot import PolicyView, build_snapshot, snapshot_key
from cmdb.models import MetricsExposition, utcnow


class Families(Collector):
    """A fixed list of families, as prometheus_client's ``generate_latest`` wants them."""

    def __init__(self, metrics: list[Metric]) -> None:
        self.metrics = metrics

    def collect(self) -> Iterator[Metric]:
        return iter(self.metrics)


def render(
    session: Session, policies: PolicyView | None, version: str, intervals: dict[str, int]
) -> tuple[str, list[Metric], bytes]:
    """(key, families, text) of the CMDB as it is in ``session`` now."""
    key = repr(snapshot_key(session))
    metrics = families(build_snapshot(session, policies), version, intervals)
    return key, metrics, generate_latest(Families(metrics))


def store_exposition(
    session: Session, policies: PolicyView | None, version: str, intervals: dict[str, int]
) -> str:
    """Render and keep the text for the next scrapes; returns the key it was built for.
    Call it with everything of the loop or evaluation flushed, in the caller's transaction."""
    session.flush()
    key, _, text = render(session, policies, version, intervals)
    row = session.get(MetricsExposition, 1)
    if row is None:
        session.add(MetricsExposition(id=1, key=key, built_at=utcnow(), body=text))
    else:
        row.key, row.built_at, row.body = key, utcnow(), text
    return key


def stored_exposition(session: Session, key: str) -> bytes | None:
    """The stored text if it was built for ``key``, else None."""
    row = session.get(MetricsExposition, 1)
    return row.body if row is not None and row.key == key else None
