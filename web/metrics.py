"""`/metrics`: the Prometheus text exposition of the last completed cycle.

A custom collector yields from a snapshot of the CMDB (`cmdb.metricsnapshot`); the snapshot is
rebuilt only when a poll run or an evaluation has completed since the last one, so a scrape
never polls and an idle Atalaya answers scrapes from memory. Labels are bounded by the inventory
and the catalogue: site, region, kind, control, severity, status, loop, window — never an
interface, a device or a finding.
"""

from __future__ import annotations

import hmac
import logging
import threading
from collections.abc import Iterator

import flask
from prometheus_client import generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from atalaya.settings import Settings, SettingsError
from cmdb.metrics_families import families
from cmdb.metricsnapshot import PolicyView, build_snapshot, snapshot_key
from cmdb.metricstext import render, stored_exposition
from compliance.lookup import metrics_policy
from compliance.policy import PolicySet, load_policies
from web.metrics_spool import SpoolCollector

METRICS_MODES = ("open", "token", "off")
log = logging.getLogger(__name__)


def policy_view(policies: PolicySet) -> PolicyView:
    """The policies as the snapshot reads them: end-of-support dates and the standard's rules."""
    return PolicyView(*metrics_policy(policies))


class SnapshotCollector(Collector):
    """Yields the metric families of the last completed cycle, cached by `snapshot_key`."""

    def __init__(
        self,
        engine: Engine,
        version: str,
        policies: PolicySet | None = None,
        intervals: dict[str, int] | None = None,
    ) -> None:
        self.engine = engine
        self.version = version
        self.policies = policy_view(policies) if policies is not None else None
        self.intervals = intervals or {}
        self._lock = threading.Lock()
        self._key: tuple[object, ...] | None = None
        self._families: list[Metric] = []
        self._text: bytes | None = None
        self._text_key: str | None = None
        self.builds = 0  # how many times the CMDB was read in full: tests check the cache

    def refresh(self) -> tuple[object, ...]:
        """Rebuild the families if a cycle completed since the last build; returns the key."""
        with self._lock:  # concurrent scrapes share one rebuild instead of racing two
            with Session(self.engine) as session:
                key = snapshot_key(session)
                if key != self._key:
                    snapshot = build_snapshot(session, self.policies)
                    self._families = families(snapshot, self.version, self.intervals)
                    self._key = key
                    self._text = None
                    self.builds += 1
            return key

    def collect(self) -> Iterator[Metric]:
        self.refresh()
        yield from self._families

    def exposition(self) -> bytes:
        """The text of the last completed cycle. The job that completed it rendered it
        (cmdb.metricstext): a scrape reads the key and that row. Between cycles the text is
        served from memory; without a stored text for the key it is built here."""
        with self._lock, Session(self.engine) as session:
            key = repr(snapshot_key(session))
            if self._text is None or self._text_key != key:
                stored = stored_exposition(session, key)
                if stored is None:
                    key, self._families, stored = render(
                        session, self.policies, self.version, self.intervals
                    )
                    self._key = None  # collect() rebuilds its own families when asked
                    self.builds += 1
                self._text, self._text_key = stored, key
            return self._text

    def last_text(self) -> bytes:
        """The text of the last snapshot built, or nothing before the first."""
        with self._lock:
            return self._text or generate_latest(_Families(self._families))


class _Families(Collector):
    def __init__(self, metrics: list[Metric]) -> None:
        self.metrics = metrics

    def collect(self) -> Iterator[Metric]:
        return iter(self.metrics)


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("atalaya")
    except Exception:  # not installed as a distribution (running from a checkout)
        return "0.1.0"


def _bearer_ok(header: str | None, token: str) -> bool:
    if not header or not header.startswith("Bearer "):
        return False
    # compare_digest: the time taken must not tell how many leading characters matched
    return hmac.compare_digest(header[len("Bearer ") :].encode(), token.encode())


def register_metrics(app: flask.Flask) -> None:
    """Add `/metrics` to `app` as `settings.web.metrics` says: open, token (Bearer) or off (404).

    Reads ``app.config["ATALAYA_SETTINGS"]`` and ``app.config["ATALAYA_ENGINE"]``. In token mode
    the secret named by `settings.web.metrics_token` is resolved now, so a missing secret stops
    the start instead of failing every scrape.
    """
    settings: Settings = app.config["ATALAYA_SETTINGS"]
    engine: Engine = app.config["ATALAYA_ENGINE"]
    mode = settings.web.metrics
    if mode not in METRICS_MODES:
        raise SettingsError(f"[web] metrics: expected one of {METRICS_MODES}, got {mode!r}")
    if mode == "off":
        return  # no route at all: Flask answers 404 like for any unknown path
    token = ""
    if mode == "token":
        if not settings.web.metrics_token:
            raise SettingsError("[web] metrics = 'token' needs metrics_token, the secret's name")
        token = settings.secret(settings.web.metrics_token)
        if not token:
            raise SettingsError(f"secret {settings.web.metrics_token!r} is empty")
    intervals = settings.collect.loop_intervals()
    # 0.0.4, not the client's default 1.0.0: the same text, and the Prometheus 2.x of Debian 12
    # knows this content type by name.
    collector = SnapshotCollector(
        engine, _version(), load_policies(settings.policies_path), intervals
    )
    app.extensions["atalaya_metrics"] = collector
    spools = SpoolCollector(settings.data_path)

    def metrics() -> flask.Response:
        if mode == "token" and not _bearer_ok(flask.request.headers.get("Authorization"), token):
            response = flask.Response("unauthorized\n", status=401, mimetype="text/plain")
            response.headers["WWW-Authenticate"] = 'Bearer realm="atalaya-metrics"'
            return response
        try:
            body = collector.exposition()
        except DBAPIError as error:
            # The CMDB is away: the spool families still say how much waits for it, exactly
            # when that matters, after the last snapshot served (its timestamp tells its age).
            log.warning("/metrics: CMDB unreadable, last snapshot served: %s", error.orig or error)
            body = collector.last_text()
        return flask.Response(body + spools.exposition(), content_type=CONTENT_TYPE_PLAIN_0_0_4)

    app.add_url_rule("/metrics", "metrics", metrics, methods=["GET"])
