"""Rule titles, remediation and the engine's evidence in Spanish and English."""

from __future__ import annotations

import dataclasses

from compliance.engine import evaluate
from compliance.phrases import evidence_text
from compliance.policy import PolicySet
from tests.compliance.conftest import TODAY, load_case


def test_every_rule_has_both_languages_and_spanish_differs(policies: PolicySet) -> None:
    for rule in policies.rules:
        assert rule.title_es and rule.remediation_es, rule.id
        assert rule.text("title", "en") == rule.title  # what other code reads stays English
    translated = [r for r in policies.rules if r.title_es != r.title]
    assert len(translated) == len(policies.rules)
    ntp = policies.rule("NET-NTP-01")
    assert ntp.text("title", "es") == "Al menos dos servidores NTP"
    assert ntp.text("remediation", "es-PE").startswith("Configure dos líneas")


def test_evidence_phrases_follow_the_language_and_quoted_lines_do_not(
    policies: PolicySet,
) -> None:
    config = (load_case("ios-hidden-defaults").running_config or "")
    facts = load_case("ios-hidden-defaults", running_config=config)
    finding = evaluate(policies.rule("NET-SVC-01"), facts, policies, TODAY)
    spanish = evidence_text(finding.evidence, "es")
    assert "service pad (valor por defecto de la plataforma" in spanish
    assert evidence_text(finding.evidence, "en") == finding.evidence
    gap = dataclasses.replace(
        load_case("linux-compliant"),
        sshd=None,
        collection_notes="ssh partial: sshd -T: '/usr/sbin/sshd -T' needs root",
    )
    unknown = evaluate(policies.rule("LNX-SSH-01"), gap, policies, TODAY)
    assert evidence_text(unknown.evidence, "es").startswith(
        "sshd -T no recolectado (recolector: '/usr/sbin/sshd -T' requiere root; corrección: "
        "conceda 'NOPASSWD: /usr/sbin/sshd -T' a la cuenta del recolector en sudoers"
    )
