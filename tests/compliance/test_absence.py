"""Verdicts never pass on nothing: each rule's declared `absent` decides when nothing is there to
judge, and the known wrong verdicts of issue 13 stay fixed."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from compliance.engine import evaluate, evaluate_all
from compliance.facts import CiFacts, Entitlement, SoftwareItem
from compliance.policy import PolicySet, Rule
from tests.compliance.conftest import TODAY, load_case

SEEN = dt.datetime(2026, 2, 28, 10, 0)


def empty_facts(rule: Rule) -> CiFacts:
    """A CI in the rule's scope whose every fact was observed and is empty: an empty
    running-config, `sshd -T` and host state read but holding nothing, no software, no SA."""
    ci_type = rule.ci_types[0]
    platform = rule.platforms[0] if rule.platforms else "linux"
    kind = rule.kinds[0] if rule.kinds else ("link" if ci_type == "link" else "server")
    return CiFacts(
        ci_type=ci_type,
        ci_id=1,
        name="empty",
        site_code="NOR-EP-01",
        region_code="NOR",
        kind=kind,
        platform=platform,
        # the one rule on last_seen reads it as its fact: there, empty is never seen
        last_seen=None if any(c.fact == "device.last_seen" for c in rule.conditions) else SEEN,
        running_config="",
        software=(),
        sshd={},
        host_state={},
        ike_sas=(),
    )


def _rule_ids(policies: PolicySet) -> list[str]:
    return [rule.id for rule in policies.rules]


def test_every_rule_declares_absence_and_the_engine_enforces_it(policies: PolicySet) -> None:
    # without the defaults model an empty running-config really holds nothing to judge
    bare = dataclasses.replace(policies, platform_defaults=())
    wrong = []
    for rule in bare.rules:
        finding = evaluate(rule, empty_facts(rule), bare, TODAY)
        if finding.status != rule.absent:
            wrong.append(
                f"{rule.id}: {finding.status} ({finding.evidence}), declared {rule.absent}"
            )
    assert wrong == []
    # every absence semantics is used somewhere, and "pass" is chosen only where absence is
    # compliance (no HTTP server, no licensable product), never for a VPN's crypto
    used = {rule.absent for rule in policies.rules}
    assert used == {"pass", "fail", "unknown", "not_applicable"}
    assert policies.rule("VPN-ENC-01").absent == "fail"


def test_with_platform_defaults_only_a_default_line_changes_the_absence_verdict(
    policies: PolicySet,
) -> None:
    for rule in policies.rules:
        if "cisco_ios" not in rule.platforms:
            continue
        finding = evaluate(rule, empty_facts(rule), policies, TODAY)
        assert finding.status == rule.absent or "platform default" in finding.evidence, rule.id


@pytest.mark.parametrize("rule_id", ["VPN-ENC-01", "VPN-INT-01", "VPN-DH-01", "VPN-IKE-01"])
def test_vpn_gateway_without_crypto_does_not_pass(policies: PolicySet, rule_id: str) -> None:
    config = (load_case("vpn-gateway-compliant").running_config or "").splitlines()
    plain = "\n".join(line for line in config if "crypto" not in line and not line.startswith(" "))
    facts = load_case("vpn-gateway-compliant", running_config=plain, ike_sas=())
    finding = evaluate(policies.rule(rule_id), facts, policies, TODAY)
    assert finding.status == "fail"
    assert finding.evidence.startswith("nothing to judge")


@pytest.mark.parametrize(
    "line",
    [
        "aaa authentication login default group tacacs+ local none",
        "aaa authentication login default none",
        "aaa authentication enable default group tacacs+ none",
    ],
)
def test_authentication_list_ending_in_none_fails(policies: PolicySet, line: str) -> None:
    good = load_case("ios-switch-compliant")
    text = (good.running_config or "").replace("aaa new-model\n", f"aaa new-model\n{line}\n")
    finding = evaluate(
        policies.rule("NET-AAA-01"),
        load_case("ios-switch-compliant", running_config=text),
        policies,
        TODAY,
    )
    assert finding.status == "fail" and line in finding.evidence
    assert evaluate(policies.rule("NET-AAA-01"), good, policies, TODAY).status == "pass"


def test_release_and_model_missing_from_lifecycle_tables_are_unknown(policies: PolicySet) -> None:
    facts = load_case("ios-switch-compliant", os_version="99.1(1)Z", model="WS-C9999-48")
    version = evaluate(policies.rule("NET-VER-01"), facts, policies, TODAY)
    model = evaluate(policies.rule("HW-EOS-01"), facts, policies, TODAY)
    assert version.status == "unknown" and "no lifecycle entry for" in version.evidence
    assert model.status == "unknown"
    assert model.evidence == "no lifecycle entry for model WS-C9999-48"


def test_installed_release_missing_from_its_table_is_unknown(policies: PolicySet) -> None:
    # a release newer than the table knows: neither supported nor past support, so unknown
    facts = load_case("linux-compliant", software=(SoftwareItem("postgresql", "25.1"),))
    finding = evaluate(policies.rule("SW-EOL-01"), facts, policies, TODAY)
    assert finding.status == "unknown"
    assert finding.evidence == "no lifecycle entry for postgresql 25.1"


@pytest.mark.parametrize(
    ("os_name", "os_version", "status"),
    [
        ("Windows Server", "2022", "pass"),
        ("Windows Server", "2012 R2", "fail"),
        ("Ubuntu", "24.04", "pass"),
        ("Ubuntu", "18.04", "fail"),
        ("CentOS Linux", "7", "fail"),
    ],
)
def test_operating_system_category_of_the_standard_is_judged(
    policies: PolicySet, os_name: str, os_version: str, status: str
) -> None:
    facts = load_case("windows-compliant", os_name=os_name, os_version=os_version)
    finding = evaluate(policies.rule("SW-STD-02"), facts, policies, TODAY)
    assert finding.status == status, finding.evidence


def _server(name: str, *products: str) -> CiFacts:
    facts = load_case("windows-compliant", software=tuple(SoftwareItem(p, "1.0") for p in products))
    return dataclasses.replace(facts, name=name)


def test_expired_licence_fails_and_a_live_one_passes(policies: PolicySet) -> None:
    facts = _server("srv-1", "Microsoft Visio Professional 2021")
    expired = policies.with_entitlements(
        [Entitlement("Microsoft Visio Professional 2021", 5, dt.date(2026, 1, 31))]
    )
    finding = evaluate(expired.rule("LIC-01"), facts, expired, TODAY)
    assert finding.status == "fail" and "expired on 2026-01-31" in finding.evidence
    live = policies.with_entitlements(
        [Entitlement("Microsoft Visio Professional 2021", 5, dt.date(2027, 1, 31))]
    )
    assert evaluate(live.rule("LIC-01"), facts, live, TODAY).status == "pass"


def test_installs_over_the_seats_fail_for_the_excess_only(policies: PolicySet) -> None:
    fleet = [_server(f"srv-{n}", "Microsoft Project Professional 2021") for n in (3, 1, 2)]
    fleet = [dataclasses.replace(f, ci_id=i) for i, f in enumerate(fleet)]
    pol = policies.with_entitlements([Entitlement("Microsoft Project Professional 2021", 2)])
    seats = {f.ci_name: f for f in evaluate_all(fleet, pol, TODAY) if f.rule_id == "LIC-02"}
    assert {n: f.status for n, f in seats.items()} == {
        "srv-1": "pass",
        "srv-2": "pass",
        "srv-3": "fail",
    }
    assert "install 3 of 3 on 2 seat(s)" in seats["srv-3"].evidence


@pytest.mark.parametrize("rule_id", ["VPN-IKE-01", "VPN-ENC-01", "VPN-INT-01", "VPN-DH-01"])
def test_vpn_gateway_with_crypto_but_tunnel_down_is_judged_on_its_config(
    policies: PolicySet, rule_id: str
) -> None:
    facts = load_case("vpn-gateway-compliant", ike_sas=())  # no SA: the tunnel is down
    finding = evaluate(policies.rule(rule_id), facts, policies, TODAY)
    assert finding.status == "pass" and "nothing to judge" not in finding.evidence
