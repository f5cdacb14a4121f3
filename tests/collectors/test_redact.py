from pathlib import Path

import pytest

from collectors.redact import PLACEHOLDER, redact_config

CASES = Path(__file__).parent / "fixtures" / "redact"
SECRETS = (
    "$9$nhEmQVczB7dq",
    "0822455D0A16",
    "$9$4dXvTfP0l3kW1E",
    "045802150C2E",
    "Cl4r0-Sin-Cifrar",
    "13061E010803",
    "1306BADC0FFEE",
    "S3cr3tRadius",
    "n0rt3-c0mun1dad",
    "n0rt3-trap-comm",
    "AuthPass123",
    "PrivPass456",
    "NtpK3y",
    "IkeV1Key",
    "L0calPsk",
    "R3motePsk",
    "110A1016141D",
    "OspfMd5",
    "02050D480809",
    "Vty-Clear",
)


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir()))
def test_redacted_config_matches_recorded_expectation(case: str) -> None:
    source = (CASES / case / "input.cfg").read_text()
    assert redact_config(source) == (CASES / case / "expected.cfg").read_text()


def test_no_secret_survives_and_every_line_is_kept() -> None:
    source = (CASES / "ios_secrets" / "input.cfg").read_text()
    redacted = redact_config(source)
    assert [s for s in SECRETS if s in redacted] == []
    assert len(redacted.splitlines()) == len(source.splitlines())


def test_default_communities_stay_visible_as_the_finding() -> None:
    redacted = redact_config("snmp-server community public RO\nsnmp-server community private RW\n")
    assert "community public RO" in redacted and "community private RW" in redacted
    assert PLACEHOLDER not in redacted


def test_redaction_is_idempotent() -> None:
    source = (CASES / "ios_secrets" / "input.cfg").read_text()
    assert redact_config(redact_config(source)) == redact_config(source)
