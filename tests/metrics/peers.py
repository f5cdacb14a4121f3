"""Real peers for the metrics tests: a WSGI server thread and a Prometheus server process."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import flask
from sqlalchemy import Engine
from werkzeug.serving import make_server

from atalaya.settings import Settings
from web.metrics import register_metrics

PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"
PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def build_app(settings: Settings, engine: Engine) -> tuple[flask.Flask, str]:
    """The web engineer's `create_app` when it exists, else a bare app with only /metrics."""
    try:
        from web.app import create_app
    except ImportError:
        app = flask.Flask("atalaya-metrics-test")
        app.config["ATALAYA_SETTINGS"] = settings
        app.config["ATALAYA_ENGINE"] = engine
        register_metrics(app)
        return app, "bare Flask app + register_metrics"
    return create_app(settings, engine), "web.create_app"


@contextlib.contextmanager
def serve(app: flask.Flask) -> Iterator[str]:
    """Serve `app` over HTTP on a free loopback port from a thread; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="metrics-wsgi", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def http_get(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@dataclass
class PrometheusPeer:
    url: str
    pid: int

    def query(self, promql: str) -> list[dict[str, Any]]:
        query = urllib.parse.urlencode({"query": promql})
        status, body = http_get(f"{self.url}/api/v1/query?{query}")
        reply = json.loads(body)
        assert status == 200 and reply["status"] == "success", reply
        return list(reply["data"]["result"])

    def scalar(self, promql: str) -> float | None:
        result = self.query(promql)
        return float(result[0]["value"][1]) if result else None

    def wait_for(self, promql: str, predicate: Any, timeout_s: float) -> float:
        """Seconds until `predicate(scalar(promql))` held; raises after `timeout_s`."""
        started = time.monotonic()
        value = None
        while time.monotonic() - started < timeout_s:
            value = self.scalar(promql)
            if value is not None and predicate(value):
                return time.monotonic() - started
            time.sleep(0.2)
        raise AssertionError(f"{promql} was {value} after {timeout_s} s")


@contextlib.contextmanager
def running_prometheus(workdir: Path, target: str, interval_s: int = 1) -> Iterator[PrometheusPeer]:
    """Debian's prometheus scraping `target` (host:port) every `interval_s`; stopped by PID."""
    port = free_port()
    config = workdir / "prometheus.yml"
    config.write_text(
        f"global:\n  scrape_interval: {interval_s}s\n  evaluation_interval: {interval_s}s\n"
        "scrape_configs:\n  - job_name: atalaya\n"
        f"    static_configs:\n      - targets: ['{target}']\n"
    )
    log = (workdir / "prometheus.log").open("wb")
    process = subprocess.Popen(
        [
            PROMETHEUS,
            f"--config.file={config}",
            f"--storage.tsdb.path={workdir / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    peer = PrometheusPeer(f"http://127.0.0.1:{port}", process.pid)
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(OSError):
                if http_get(f"{peer.url}/-/ready")[0] == 200:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"prometheus did not start: {(workdir / 'prometheus.log').read_text()[-2000:]}"
                )
            time.sleep(0.1)
        yield peer
    finally:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
        log.close()
