"""The shipped Prometheus configuration and alert rules, checked by Debian's promtool."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.metrics.peers import PROMTOOL

DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "prometheus"


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PROMTOOL, *args], cwd=DEPLOY, capture_output=True, text=True, timeout=60, check=False
    )


def test_scrape_config_is_valid() -> None:
    result = promtool("check", "config", "prometheus.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 rule files found" in result.stdout + result.stderr


def test_alert_rules_are_valid() -> None:
    result = promtool("check", "rules", "alerts.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "9 rules found" in result.stdout + result.stderr


def test_alert_unit_tests_pass() -> None:
    result = promtool("test", "rules", "alerts_test.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_every_alert_has_a_unit_test() -> None:
    rules = (DEPLOY / "alerts.yml").read_text()
    tests = (DEPLOY / "alerts_test.yml").read_text()
    alerts = [line.split(":", 1)[1].strip() for line in rules.splitlines() if "- alert:" in line]
    assert len(alerts) == 9
    assert [a for a in alerts if f"alertname: {a}" not in tests] == []


def test_a_broken_rule_is_caught(tmp_path: Path) -> None:
    # the checks above could only be false if promtool rejects something: show that it does
    bad = tmp_path / "bad.yml"
    bad.write_text("groups:\n  - name: x\n    rules:\n      - alert: X\n        expr: rate(\n")
    result = subprocess.run(
        [PROMTOOL, "check", "rules", str(bad)], capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
