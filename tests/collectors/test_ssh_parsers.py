"""SSH output parsers against recorded outputs, one folder per case (output.txt, expected.json)."""

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from collectors import ssh_parsers
from collectors.ssh_parsers import Unparsed

CASES = Path(__file__).parent / "fixtures" / "ssh"


def plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir()))
def test_parser_output_matches_recorded_case(case: str) -> None:
    expected = json.loads((CASES / case / "expected.json").read_text())
    parser = getattr(ssh_parsers, expected["parser"])
    output = (CASES / case / "output.txt").read_text()
    if "unparsed" in expected:
        with pytest.raises(Unparsed, match=expected["unparsed"]):
            parser(output)
        return
    result = plain(parser(output))
    if "select" in expected:
        result = {key: result.get(key) for key in expected["select"]}
    assert result == expected["result"]


def test_rsyslog_forwarding_is_yes_only_for_uncommented_targets() -> None:
    assert ssh_parsers.remote_syslog("*.* @@10.10.1.20:514\n") == "yes"
    assert ssh_parsers.remote_syslog('action(type="omfwd" target="10.0.0.1")\n') == "yes"
    assert ssh_parsers.remote_syslog("") == "no"
    with pytest.raises(Unparsed):
        ssh_parsers.remote_syslog("bash: grep: command not found")


def test_systemd_not_running_is_unparsed_not_inactive() -> None:
    with pytest.raises(Unparsed):
        ssh_parsers.units_active("System has not been booted with systemd as init system (PID 1).")
