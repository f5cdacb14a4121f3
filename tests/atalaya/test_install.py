"""An installed Atalaya works away from its checkout.

- The wheel, installed (not editable) into a fresh virtual environment outside the checkout, finds
  its policies, migrations, templates, static files and translations: init, evaluate, report and
  serve run from a scratch directory.
- The simulated network starts, is collected and stops from a scratch directory too (its agents
  used to be given paths relative to the caller's directory and died).

The suite runs without network, so the wheel is built without build isolation and installed
with --no-deps; its dependencies come from the test environment's site-packages through a .pth
line (a plain path: the checkout's editable-install hooks there are not run).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
from pathlib import Path

import pytest

from tests.fixtures_lab import _free_net

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("atalaya", "collectors", "cmdb", "compliance", "web", "lab", "policies")


def _run(args: list[str], cwd: Path, env: dict[str, str], timeout: float = 300) -> str:
    done = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode in (0, 1), f"{args}: {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding the built wheel; returns its bin directory."""
    scratch = tmp_path_factory.mktemp("wheel")
    source = scratch / "source"
    source.mkdir()
    for name in SOURCES:
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    dist = scratch / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-build-isolation", "--no-deps",
         "-w", str(dist), str(source)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    wheel = next(dist.glob("atalaya-*.whl"))
    venv = scratch / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-index", "--no-deps"]
    subprocess.run([*pip, str(wheel)], check=True, capture_output=True, timeout=300)
    where = "import sysconfig; print(sysconfig.get_path('purelib'))"
    found = subprocess.run(
        [str(venv / "bin" / "python"), "-c", where], check=True, capture_output=True, text=True
    )
    site = Path(found.stdout.strip())
    (site / "zz_test_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return venv / "bin"


def _env(data: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("ATALAYA_", "PYTHON"))}
    return {**keep, "ATALAYA_DATA_DIR": str(data)}


def test_installed_wheel_is_not_the_checkout(installed: Path, tmp_path: Path) -> None:
    where = _run(
        [str(installed / "python"), "-c",
         "import atalaya, policies, web, sys; print(atalaya.__file__); print(policies.DIRECTORY);"
         "print(web.__file__); print(*sys.path, sep=chr(10))"],
        cwd=tmp_path, env=_env(tmp_path / "var"),
    )  # fmt: skip
    modules, paths = where.splitlines()[:3], where.splitlines()[3:]
    assert all(line.startswith(str(installed.parent)) for line in modules), modules
    # the checkout is on the path only as the dependencies' site-packages, never its sources
    assert [p for p in paths if p.startswith(str(ROOT))] == [sysconfig.get_path("purelib")]


def test_installed_wheel_inits_evaluates_reports_and_serves(
    installed: Path, tmp_path: Path
) -> None:
    env = _env(tmp_path / "var")
    atalaya = str(installed / "atalaya")
    inventory = tmp_path / "inventory.toml"
    shutil.copy(ROOT / "examples" / "inventory.toml", inventory)
    out = _run([atalaya, "init", "--inventory", str(inventory)], tmp_path, env)
    assert "database ready at revision" in out and "created" in out
    summary = json.loads(_run([atalaya, "evaluate", "--format", "json"], tmp_path, env))
    assert summary["cis"] >= 78 and summary["findings"] > 0  # the 78 site links at least
    controls = json.loads(_run([atalaya, "report", "controls", "--format", "json"], tmp_path, env))
    assert {"A.9.4.2", "A.12.6.1"} <= {row.get("iso27001_2013") for row in controls}
    _serves_pages(atalaya, tmp_path, env)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serves_pages(atalaya: str, cwd: Path, env: dict[str, str]) -> None:
    port = _free_port()
    env = {**env, "ATALAYA_WEB_PORT": str(port), "ATALAYA_COMPLIANCE_EVALUATE_INTERVAL_S": "0"}
    server = subprocess.Popen(
        [atalaya, "serve", "--role", "web"], cwd=cwd, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        page = _get(f"http://127.0.0.1:{port}/login", server)
        assert "<form" in page and "csrf" in page  # the template shipped in the wheel
        css = _get(f"http://127.0.0.1:{port}/static/atalaya.css", server)
        assert "{" in css  # a static file shipped in the wheel
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def _get(url: str, server: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return str(response.read().decode())
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                stderr = server.stderr.read().decode() if server.stderr else ""
                raise AssertionError(f"{url} never answered: {stderr[-2000:]}") from None
            time.sleep(0.3)


@pytest.mark.lab
def test_lab_up_collect_down_from_a_scratch_directory(tmp_path: Path) -> None:
    atalaya = str(Path(sys.executable).parent / "atalaya")
    env = _env(tmp_path / "var")  # relative paths would do too: the point is the cwd
    net, lock = _free_net()
    try:
        up = _run([atalaya, "lab", "up", "--seed", "5", "--scale", "0.05", "--net", str(net)],
                  tmp_path, env)  # fmt: skip
        assert "lab up:" in up
        _run(
            [atalaya, "init", "--inventory", str(tmp_path / "var/lab/inventory.toml")],
            tmp_path,
            env,
        )
        cycle = json.loads(_run([atalaya, "collect", "--format", "json"], tmp_path, env))
        ok = {loop["loop"]: loop["ok"] for loop in cycle["loops"]}
        assert all(count > 0 for count in ok.values()), cycle
    finally:
        _run([atalaya, "lab", "down"], tmp_path, env)
        lock.close()
    status = subprocess.run([atalaya, "lab", "status"], cwd=tmp_path, env=env, check=False)
    assert status.returncode == 1  # stopped
