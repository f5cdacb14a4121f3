"""Policy validation: a bad file names the file, the rule or entry and the field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from compliance.policy import PolicyError, PolicySet, PolicyStore, load_policies
from tests.compliance.conftest import ROOT


@pytest.fixture
def policy_dir(tmp_path: Path) -> Path:
    target = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _error(policy_dir: Path) -> str:
    with pytest.raises(PolicyError) as info:
        load_policies(policy_dir)
    return str(info.value)


def test_shipped_policies_load_with_sources(policies: PolicySet) -> None:
    assert len(policies.rules) >= 40
    assert all(rule.source and rule.remediation for rule in policies.rules)
    assert all(p.source for p in policies.software) and all(h.source for h in policies.hardware)
    # Annex B, not CISO Assistant, decides where they differ
    assert policies.controls_2013["A.13.2.1"].maps_to == ("5.14",)
    assert policies.controls_2013["A.18.2.3"].maps_to == ("5.36", "8.8")


def test_bad_severity_names_file_rule_and_field(policy_dir: Path) -> None:
    _edit(
        policy_dir / "rules.toml",
        'id = "NET-PWD-02"\ntitle_en = "Password encryption service"\n'
        'title_es = "Servicio de cifrado de contraseñas"\n'
        'platforms = ["cisco_ios"]\nseverity = "medium"',
        'id = "NET-PWD-02"\ntitle_en = "Password encryption service"\n'
        'title_es = "Servicio de cifrado de contraseñas"\n'
        'platforms = ["cisco_ios"]\nseverity = "urgent"',
    )
    message = _error(policy_dir)
    assert "rules.toml" in message and "rule NET-PWD-02" in message
    assert "field 'severity'" in message and "critical, high, medium, low" in message


def test_rule_without_absence_semantics_is_an_error(policy_dir: Path) -> None:
    _edit(
        policy_dir / "rules.toml",
        'absent = "pass"\nbenchmark = ["STIG-R V-215823"',
        'benchmark = ["STIG-R V-215823"',
    )
    message = _error(policy_dir)
    assert "rule NET-SVC-01" in message and "field 'absent'" in message
    assert "pass, fail, unknown, not_applicable" in message


def test_hardening_rule_must_map_to_configuration_management(policy_dir: Path) -> None:
    _edit(policy_dir / "rules.toml", 'controls_2022 = ["8.17", "8.9"]', 'controls_2022 = ["8.17"]')
    message = _error(policy_dir)
    assert "rule NET-NTP-01" in message and "field 'controls_2022'" in message and "8.9" in message


def test_unknown_condition_type_is_an_error(policy_dir: Path) -> None:
    _edit(
        policy_dir / "rules.toml",
        "type = \"config_count\"\n  pattern = '^ntp server '",
        "type = \"config_magic\"\n  pattern = '^ntp server '",
    )
    message = _error(policy_dir)
    assert "rule NET-NTP-01 condition 1" in message and "field 'type'" in message
    assert "config_has" in message


def test_unknown_control_id_is_an_error(policy_dir: Path) -> None:
    _edit(policy_dir / "rules.toml", 'controls_2022 = ["8.17", "8.9"]', 'controls_2022 = ["8.99"]')
    message = _error(policy_dir)
    assert "rule NET-NTP-01" in message and "field 'controls_2022'" in message and "8.99" in message


def test_malformed_date_is_an_error(policy_dir: Path) -> None:
    _edit(
        policy_dir / "lifecycle" / "hardware.toml",
        "end_of_support = 2028-11-30",
        'end_of_support = "30/11/2028"',
    )
    message = _error(policy_dir)
    assert (
        "hardware.toml" in message and "field 'end_of_support'" in message and "YYYY-MM" in message
    )


def test_missing_required_field_and_bad_regex_are_errors(policy_dir: Path) -> None:
    _edit(
        policy_dir / "rules.toml",
        "  patterns = ['^ip ssh version 2$']",
        "  patterns = ['^ip ssh (']",
    )
    message = _error(policy_dir)
    assert "rule NET-SSH-01 condition 1" in message and "field 'patterns'" in message


def test_store_keeps_last_good_set_when_reload_fails(policy_dir: Path) -> None:
    store = PolicyStore(policy_dir)
    good = store.current
    _edit(policy_dir / "rules.toml", 'severity = "critical"', 'severity = "urgent"')
    assert store.reload() is False
    assert store.current is good
    assert "severity" in store.last_error
    _edit(policy_dir / "rules.toml", 'severity = "urgent"', 'severity = "critical"')
    assert store.reload() is True and store.last_error == ""
    assert store.current is not good
