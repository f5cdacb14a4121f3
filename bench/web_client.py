"""The HTTP side of bench/bench_web.py: a logged-in client, p95 per path beside a static
file served by the same server, and a clean waitress shutdown."""

from __future__ import annotations

import contextlib
import http.client
import re
import statistics
import threading
import time
from typing import Any


class Client:
    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port)
        self.cookie = ""

    def request(self, method: str, path: str, body: str = "") -> tuple[int, str]:
        headers = {"Cookie": self.cookie}
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read().decode("utf-8", "replace")
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        return response.status, data

    def login(self, password: str) -> None:
        _, page = self.request("GET", "/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token
        from urllib.parse import urlencode

        status, _ = self.request(
            "POST",
            "/login",
            urlencode({"username": "bench", "password": password, "csrf_token": token.group(1)}),
        )
        assert status == 302, status


def p95(client: Client, path: str, rounds: int) -> tuple[float, float]:
    client.request("GET", path)  # warm: caches, catalogues, first query plans
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        status, _ = client.request("GET", path)
        times.append((time.perf_counter() - t) * 1000)
        assert status == 200, (path, status)
    times.sort()
    return times[int(0.95 * (len(times) - 1))], statistics.median(times)


def stop(server: Any, thread: threading.Thread) -> None:
    """Close every socket from waitress's own loop thread, so that the loop ends with an
    empty map. ``server.close()`` from another thread closed sockets under the running
    select() and printed "Bad file descriptor" at exit."""

    def close_all() -> None:
        for dispatcher in list(server._map.values()):
            with contextlib.suppress(OSError):
                dispatcher.close()

    server.trigger.pull_trigger(close_all)
    thread.join(timeout=10)
    server.task_dispatcher.shutdown()


def measure(client: Client, paths: list[str], rounds: int) -> dict[str, Any]:
    """Print each path's p95 and median beside the static file's, served by the same server."""
    peers = {"static file": "/static/atalaya.css", "/healthz": "/healthz"}
    peer = {name: p95(client, path, rounds) for name, path in peers.items()}
    base = peer["static file"][0]
    print(f"{'path':<40} {'p95 ms':>8} {'median':>8} {'static p95':>11} {'x static':>9}")
    for name, (high, median) in peer.items():
        print(f"{'peer: ' + name:<40} {high:8.1f} {median:8.1f} {base:11.1f} {high / base:9.1f}")
    pages: dict[str, dict[str, float]] = {}
    for path in paths:
        high, median = p95(client, path, rounds)
        pages[path] = {"p95_ms": round(high, 2), "median_ms": round(median, 2)}
        print(
            f"{path:<40} {high:8.1f} {median:8.1f} {base:11.1f} {high / base:9.1f}"
            + ("  OVER 100 ms" if high >= 100 else "")
        )
    worst = max(pages, key=lambda p: pages[p]["p95_ms"])
    print(f"worst p95 {pages[worst]['p95_ms']:.1f} ms ({worst}; target < 100 ms)")
    return {
        "pages": pages,
        "static_p95_ms": round(base, 2),
        "healthz_p95_ms": round(peer["/healthz"][0], 2),
        "worst_p95_ms": pages[worst]["p95_ms"],
        "worst_path": worst,
    }
