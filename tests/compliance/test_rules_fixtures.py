"""Each recorded case gives the statuses and evidence its expected.toml states."""

from __future__ import annotations

import tomllib

import pytest

from compliance.engine import evaluate
from compliance.policy import PolicySet
from tests.compliance.conftest import FIXTURES, TODAY, case_entitlements, load_case

CASES = sorted(p.name for p in FIXTURES.iterdir() if (p / "expected.toml").exists())


@pytest.mark.parametrize("case", CASES)
def test_recorded_case_gives_expected_status_and_evidence(case: str, policies: PolicySet) -> None:
    expected = tomllib.loads((FIXTURES / case / "expected.toml").read_text(encoding="utf-8"))
    facts = load_case(case)
    pol = policies.with_entitlements(case_entitlements(case))
    wrong = []
    for rule_id, status in expected["status"].items():
        finding = evaluate(pol.rule(rule_id), facts, pol, TODAY)
        if finding.status != status:
            wrong.append(f"{rule_id}: {finding.status} ({finding.evidence}), expected {status}")
        needle = expected.get("evidence", {}).get(rule_id)
        if needle and needle not in finding.evidence:
            wrong.append(f"{rule_id}: evidence {finding.evidence!r} lacks {needle!r}")
    assert not wrong, "\n".join(wrong)
