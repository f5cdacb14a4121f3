"""Scoring arithmetic: severity weights, unknown beside the score, n/a and waived outside it."""

from __future__ import annotations

from compliance.engine import Finding
from compliance.policy import PolicySet
from compliance.scoring import score_findings


def _finding(rule_id: str, status: str, severity: str, site: str = "S1", ci: int = 1) -> Finding:
    return Finding(rule_id, "device", ci, f"dev{ci}", site, "R1", None, status, severity, "", "")  # type: ignore[arg-type]


def test_severity_weighted_score_with_gap_beside_it(policies: PolicySet) -> None:
    findings = [
        _finding("NET-VTY-01", "pass", "critical"),  # weight 10
        _finding("NET-SSH-01", "fail", "high"),  # weight 5
        _finding("NET-BAN-01", "pass", "low"),  # weight 1
        _finding("NET-NTP-01", "unknown", "medium"),
        _finding("NET-SVC-01", "waived", "high"),
        _finding("NET-SNMP-02", "not_applicable", "high"),
    ]
    org = score_findings(findings, policies).organisation
    assert org.score == round(100 * 11 / 16, 2)
    assert (org.passed, org.failed, org.unknown, org.waived, org.not_applicable) == (2, 1, 1, 1, 1)
    assert org.gap_share == 0.25  # 1 unknown of 4 applicable (pass + fail + unknown)
    assert org.failed_by_severity == {"high": 1}


def test_only_unknown_gives_no_score_not_zero_or_hundred(policies: PolicySet) -> None:
    org = score_findings([_finding("NET-VTY-01", "unknown", "critical")], policies).organisation
    assert org.score is None and org.gap_share == 1.0


def test_rollups_per_site_and_control(policies: PolicySet) -> None:
    findings = [
        _finding("NET-NTP-01", "fail", "medium", site="S1", ci=1),
        _finding("NET-NTP-01", "pass", "medium", site="S2", ci=2),
        _finding("LNX-TIME-01", "pass", "medium", site="S2", ci=3),
    ]
    scores = score_findings(findings, policies)
    assert scores.sites["S1"].score == 0.0 and scores.sites["S2"].score == 100.0
    # both rules evidence A.12.4.4 -> 8.17
    assert (
        scores.controls_2013["A.12.4.4"].passed == 2
        and scores.controls_2013["A.12.4.4"].failed == 1
    )
    assert scores.controls_2022["8.17"].score == round(100 * 2 / 3, 2)
    assert set(scores.devices) == {"device:dev1", "device:dev2", "device:dev3"}
