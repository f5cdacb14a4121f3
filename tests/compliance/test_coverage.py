"""What a hardening benchmark starts with (issue 13): at least 70 rules, each hardening rule with
its CIS / STIG reference and mapped to 8.9, and the checks the issue names present."""

from __future__ import annotations

from compliance.policy import PolicySet

NAMED = {
    # IOS: SSH key size and algorithms, NTP authentication, syslog trap level, AAA accounting,
    # CDP off on WAN-facing interfaces, unused services
    "NET-SSH-03": "host_state.ssh_rsa_bits",
    "NET-SSH-02": "host_state.ssh_encryption",
    "NET-NTP-02": "config_has",
    "NET-LOG-03": "config_lines_match",
    "NET-AAA-02": "config_has",
    "NET-CDP-01": "every_block",
    "NET-SVC-02": "config_lacks",
    # Linux: sudo logging, password quality and lockout, automatic security updates,
    # AppArmor or SELinux enforcing, audit rules present
    "LNX-SUDO-01": "host_state.sudo_log",
    "LNX-PWQ-01": "host_state.pwquality_minlen",
    "LNX-LCK-01": "host_state.lockout_deny",
    "LNX-UPD-01": "host_state.auto_updates",
    "LNX-MAC-01": "host_state.mac",
    "LNX-AUD-02": "host_state.audit_rules",
    # Windows: what SNMP shows
    "SW-AV-02": "host_state.processes",
}


def test_at_least_seventy_rules_and_every_hardening_rule_is_referenced(
    policies: PolicySet,
) -> None:
    assert len(policies.rules) >= 70
    hardening = [r for r in policies.rules if r.hardening]
    assert len(hardening) >= 50
    for rule in hardening:
        assert "8.9" in rule.controls_2022, rule.id
        assert any(b.startswith(("CIS", "STIG", "ANSSI")) for b in rule.benchmark), rule.id
    for rule in policies.rules:
        assert rule.controls_2013 and rule.controls_2022, rule.id


def test_the_checks_the_issue_names_exist_and_read_what_they_should(policies: PolicySet) -> None:
    for rule_id, reads in NAMED.items():
        rule = policies.rule(rule_id)
        seen = {c.fact for c in rule.conditions} | {c.type for c in rule.conditions}
        assert reads in seen, (rule_id, seen)
