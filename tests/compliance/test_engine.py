"""Verdicts: unknown is never a pass, waivers expire, the as-of date moves end of support."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from compliance.engine import Waiver, evaluate, evaluate_all
from compliance.policy import PolicySet
from tests.compliance.conftest import ROOT, TODAY, load_case


def test_rule_ids_are_exactly_those_of_the_contract(policies: PolicySet) -> None:
    contract = (ROOT / "docs" / "rules-contract.md").read_text(encoding="utf-8")
    ids = set(re.findall(r"^\| ([A-Z]+-[A-Z]+-\d\d|[A-Z]+-\d\d) \|", contract, re.MULTILINE))
    assert len(ids) >= 40
    assert ids <= {r.id for r in policies.rules}


def test_device_never_polled_is_unknown_not_passing(policies: PolicySet) -> None:
    facts = load_case(
        "ios-switch-compliant",
        running_config=None,
        config_confirmed=None,
        last_seen=None,
        os_version="",
        serial="",
        model="",
    )
    statuses = {f.rule_id: f.status for f in evaluate_all([facts], policies, TODAY)}
    for rule_id in (
        "NET-AAA-01",
        "NET-VTY-01",
        "NET-SNMP-02",
        "NET-VER-01",
        "NET-BKP-01",
        "INV-SEEN-01",
        "INV-SER-01",
        "INV-MOD-01",
        "HW-EOS-01",
    ):
        assert statuses[rule_id] == "unknown", rule_id
    assert "pass" not in {s for r, s in statuses.items() if r.startswith("NET-")}
    # what the inventory declares is still judged
    assert statuses["INV-OWN-01"] == "pass"


def test_linux_host_without_ssh_facts_is_unknown(policies: PolicySet) -> None:
    facts = load_case("linux-weak", sshd=None, host_state=None, software=None)
    for rule_id in ("LNX-SSH-01", "LNX-SSH-04", "LNX-FW-01", "LNX-PATCH-01", "SW-STD-01", "LIC-01"):
        assert evaluate(policies.rule(rule_id), facts, policies, TODAY).status == "unknown"


def test_missing_sshd_key_is_unknown(policies: PolicySet) -> None:
    facts = load_case("linux-compliant", sshd={"permitrootlogin": "no"})
    finding = evaluate(policies.rule("LNX-SSH-05"), facts, policies, TODAY)
    assert finding.status == "unknown"
    assert "maxauthtries" in finding.evidence


def test_vpn_sas_not_collected_is_unknown_even_with_good_config(policies: PolicySet) -> None:
    facts = load_case("vpn-gateway-compliant", ike_sas=None)
    assert evaluate(policies.rule("VPN-UP-01"), facts, policies, TODAY).status == "unknown"
    assert evaluate(policies.rule("VPN-ENC-01"), facts, policies, TODAY).status == "unknown"
    # a definite violation in the config still fails without SAs
    weak = load_case("vpn-gateway-weak", ike_sas=None)
    assert evaluate(policies.rule("VPN-ENC-01"), weak, policies, TODAY).status == "fail"


def test_rule_outside_platform_is_not_applicable(policies: PolicySet) -> None:
    facts = load_case("linux-compliant")
    finding = evaluate(policies.rule("NET-VTY-01"), facts, policies, TODAY)
    assert finding.status == "not_applicable"
    assert "NET-VTY-01" not in {f.rule_id for f in evaluate_all([facts], policies, TODAY)}


def _waiver(**changes: object) -> Waiver:
    base = Waiver(
        "NET-SVC-01", "device", 7, "legacy web UI until replacement", "CISO", dt.date(2026, 3, 31)
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_live_waiver_turns_fail_into_waived_and_keeps_evidence(policies: PolicySet) -> None:
    facts = load_case("ios-switch-violations", ci_id=7)
    finding = evaluate(policies.rule("NET-SVC-01"), facts, policies, TODAY, [_waiver()])
    assert finding.status == "waived"
    assert "CISO" in finding.evidence and "ip http server" in finding.evidence


def test_expired_or_revoked_waiver_does_not_apply(policies: PolicySet) -> None:
    facts = load_case("ios-switch-violations", ci_id=7)
    rule = policies.rule("NET-SVC-01")
    assert evaluate(rule, facts, policies, dt.date(2026, 4, 1), [_waiver()]).status == "fail"
    assert evaluate(rule, facts, policies, dt.date(2026, 3, 31), [_waiver()]).status == "waived"
    assert evaluate(rule, facts, policies, TODAY, [_waiver(revoked=True)]).status == "fail"
    assert evaluate(rule, facts, policies, TODAY, [_waiver(ci_id=8)]).status == "fail"
    found = evaluate_all([facts], policies, dt.date(2026, 4, 1), [_waiver()])
    assert {f.status for f in found if f.rule_id == "NET-SVC-01"} == {"fail"}


def test_waiver_does_not_hide_a_pass_or_an_unknown(policies: PolicySet) -> None:
    good = load_case("ios-switch-compliant", ci_id=7)
    assert (
        evaluate(policies.rule("NET-SVC-01"), good, policies, TODAY, [_waiver()]).status == "pass"
    )
    blind = load_case("ios-switch-compliant", ci_id=7, running_config=None)
    assert (
        evaluate(policies.rule("NET-SVC-01"), blind, policies, TODAY, [_waiver()]).status
        == "unknown"
    )


def test_as_of_two_years_ahead_moves_releases_into_end_of_support(policies: PolicySet) -> None:
    later = dt.date(2028, 3, 1)
    gateway = load_case("vpn-gateway-compliant")  # IOS XE 17.12: security support ends 2027-07-28
    switch = load_case("ios-switch-compliant")  # IOS 15.2 on 2960-X: support ends Oct 2027
    for facts, rule_id in ((gateway, "NET-VER-01"), (switch, "NET-VER-01"), (switch, "HW-EOS-01")):
        assert evaluate(policies.rule(rule_id), facts, policies, TODAY).status == "pass"
        assert evaluate(policies.rule(rule_id), facts, policies, later).status == "fail"
    ubuntu = load_case("linux-compliant", os_version="22.04")
    assert (
        evaluate(policies.rule("OS-EOL-01"), ubuntu, policies, dt.date(2027, 4, 1)).status == "pass"
    )
    assert (
        evaluate(policies.rule("OS-EOL-01"), ubuntu, policies, dt.date(2027, 4, 2)).status == "fail"
    )


def test_month_precision_date_holds_through_the_month(policies: PolicySet) -> None:
    switch = load_case("ios-switch-compliant")
    rule = policies.rule("HW-EOS-01")
    assert evaluate(rule, switch, policies, dt.date(2027, 10, 31)).status == "pass"
    assert evaluate(rule, switch, policies, dt.date(2027, 11, 1)).status == "fail"


def test_useful_life_ends_four_years_after_purchase(policies: PolicySet) -> None:
    facts = load_case("linux-compliant", purchase_date=dt.date(2022, 3, 2))
    rule = policies.rule("HW-LIFE-01")
    assert evaluate(rule, facts, policies, dt.date(2026, 3, 1)).status == "pass"
    assert evaluate(rule, facts, policies, dt.date(2026, 3, 2)).status == "fail"


def test_link_availability_threshold(policies: PolicySet) -> None:
    from compliance.facts import CiFacts

    link = CiFacts(
        "link", 3, "link:NOR-EP-01", "NOR-EP-01", "NOR", "link", link_availability_30d=0.985
    )
    finding = evaluate(policies.rule("AVL-LINK-01"), link, policies, TODAY)
    assert finding.status == "fail" and "98.50 %" in finding.evidence
    ok = dataclasses.replace(link, link_availability_30d=0.995)
    assert evaluate(policies.rule("AVL-LINK-01"), ok, policies, TODAY).status == "pass"
    never = dataclasses.replace(link, link_availability_30d=None)
    assert evaluate(policies.rule("AVL-LINK-01"), never, policies, TODAY).status == "unknown"


def test_debian_lts_counts_as_support_but_paid_extensions_do_not(policies: PolicySet) -> None:
    rule = policies.rule("OS-EOL-01")
    bookworm = load_case("linux-compliant", os_name="Debian GNU/Linux", os_version="12")
    # security support ended 2026-07-11; Debian LTS (free, community) runs to 2028-06-30
    assert evaluate(rule, bookworm, policies, dt.date(2026, 12, 1)).status == "pass"
    failed = evaluate(rule, bookworm, policies, dt.date(2028, 7, 1))
    assert failed.status == "fail" and "2028-06-30" in failed.evidence
    # Ubuntu ESM is a paid extension: 20.04 is out of support after its standard end
    focal = load_case("linux-compliant", os_version="20.04")
    assert evaluate(rule, focal, policies, dt.date(2026, 12, 1)).status == "fail"
