"""`lab up` / `lab status` / `lab down` through the CLI: nothing is left behind."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from atalaya.commands.lab import lab
from lab import procs
from tests.fixtures_lab import _free_net

pytestmark = pytest.mark.lab


def test_down_stops_every_process_and_removes_the_nftables_table(tmp_path: Path) -> None:
    net, lock = _free_net()
    state = tmp_path / "lab"
    runner = CliRunner()
    args = ["--state-dir", str(state)]
    try:
        up = runner.invoke(
            lab,
            [
                "up",
                "--seed",
                "3",
                "--scale",
                "0.05",
                "--net",
                str(net),
                "--failed",
                "LIM-EP-01",
                *args,
            ],
        )
        assert up.exit_code == 0, up.output
        status = runner.invoke(lab, ["status", "--format", "json", *args])
        info = json.loads(status.output)
        pids = [p["pid"] for p in info["processes"].values()]
        assert status.exit_code == 0 and len(pids) == 3
        assert all(procs.alive(p) for p in pids)
        assert info["faults"]["failed"] == ["LIM-EP-01"]
        down = runner.invoke(lab, ["down", *args])
        assert down.exit_code == 0, down.output
        assert not any(procs.alive(p) for p in pids)
        tables = subprocess.run(
            ["nft", "list", "tables"], capture_output=True, text=True, check=False
        ).stdout
        assert f"atalaya_lab_{net}" not in tables
        assert runner.invoke(lab, ["status", *args]).exit_code == 1
    finally:
        runner.invoke(lab, ["down", *args])
        lock.close()


def test_unknown_site_is_bad_usage(tmp_path: Path) -> None:
    result = CliRunner().invoke(lab, ["fail", "NO-SUCH-SITE", "--state-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "unknown site" in result.output
