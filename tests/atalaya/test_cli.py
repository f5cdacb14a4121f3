"""The CLI as a newcomer runs it: a real `atalaya` process in an empty folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE_INVENTORY
from tests.postgres import PostgresServer


def atalaya(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ATALAYA_")}
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "atalaya", *args],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_init_import_status_on_the_embedded_default(tmp_path: Path) -> None:
    assert atalaya(tmp_path, "init").returncode == 0
    assert (tmp_path / "var" / "atalaya.db").exists()
    imported = atalaya(tmp_path, "inventory", "import", str(EXAMPLE_INVENTORY))
    assert imported.returncode == 0, imported.stderr
    assert "created 8 regions, 79 sites, 78 links" in imported.stdout
    table = atalaya(tmp_path, "status")
    assert (
        "8 regions, 79 sites (1 headquarters, 1 data_centre, 8 regional_office, 69 establishment)"
        in table.stdout
    )
    assert "NOO Nor Oriente – San Martín" in table.stdout
    report = json.loads(atalaya(tmp_path, "status", "--format", "json").stdout)
    assert report["sites"] == 79 and len(report["regions"]) == 8


def test_status_against_postgresql_through_the_url_setting(
    tmp_path: Path, postgres_server: PostgresServer
) -> None:
    url = postgres_server.create_database("atalaya_cli")
    env = {"ATALAYA_DATABASE_URL": url}
    result = atalaya(tmp_path, "init", "--inventory", str(EXAMPLE_INVENTORY), env=env)
    assert result.returncode == 0, result.stderr
    assert "postgresql" in result.stdout
    report = json.loads(atalaya(tmp_path, "status", "--format", "json", env=env).stdout)
    assert report["sites"] == 79
    assert not (tmp_path / "var" / "atalaya.db").exists()


def test_bad_inventory_exits_2_with_file_line_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[[region]]\ncode = "X"\nname = "X"\n[[site]]\ncode = "X-1"\nname = "S"\n'
        'kind = "prison"\nregion = "X"\n',
        encoding="utf-8",
    )
    result = atalaya(tmp_path, "inventory", "import", str(bad))
    assert result.returncode == 2
    assert f"{bad}:7: field 'kind': expected one of headquarters" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_setting_exits_2_naming_it(tmp_path: Path) -> None:
    result = atalaya(tmp_path, "status", env={"ATALAYA_WEB_PORT": "eighty"})
    assert result.returncode == 2
    assert "ATALAYA_WEB_PORT: port: expected an integer, got 'eighty'" in result.stderr


@pytest.mark.parametrize("command", [[], ["inventory"], ["init"], ["status"]])
def test_help_explains_each_command(tmp_path: Path, command: list[str]) -> None:
    result = atalaya(tmp_path, *command, "--help")
    assert result.returncode == 0
    assert "Usage: " in result.stdout and len(result.stdout.splitlines()) > 5
