"""Generation alone (no processes): determinism, the address scheme, seeded violations, files."""

from __future__ import annotations

import ipaddress
import json
import re
import tomllib
from pathlib import Path

from lab import credentials, inventory, snmprec
from lab.generate import generate
from lab.sites import load_network
from lab.violations import IMPLIED, applicable

CONTRACT = Path(__file__).resolve().parents[2] / "docs" / "rules-contract.md"
# INV-DISC-01 is no device violation: the lab hides whole devices (lab/hidden.py) for it;
# LINK-SAT-01 needs three days of samples (its busy links are lab/traffic.py's)
NOT_SEEDED = {"NET-BKP-01", "INV-MOD-01", "INV-SEEN-01", "HW-EOS-01", "AVL-LINK-01", "INV-DISC-01",
              "LINK-SAT-01"}


def _truth(seed: int, scale: float = 0.3) -> str:
    network = load_network()
    devices = generate(network, seed, scale)
    faults = {"failed": [], "degraded": {}, "slow": {}}
    return json.dumps(inventory.truth_document(network, devices, seed, scale, 20, faults))


def test_same_seed_gives_same_truth_and_data_files() -> None:
    assert _truth(11) == _truth(11)
    a = [snmprec.render(d) for d in generate(load_network(), 11, 0.2)]
    b = [snmprec.render(d) for d in generate(load_network(), 11, 0.2)]
    assert a == b


def test_different_seed_gives_different_truth() -> None:
    assert _truth(11) != _truth(12)


def test_full_scale_has_about_ten_devices_per_establishment_and_unique_addresses() -> None:
    network = load_network()
    devices = generate(network, 7, 1.0)
    assert len(network.sites) == 79
    per_site = {s.code: 0 for s in network.sites}
    for d in devices:
        per_site[d.site] += 1
    establishments = [n for code, n in per_site.items() if "-EP-" in code]
    assert 8 <= sum(establishments) / len(establishments) <= 11
    assert per_site["LIM-HQ"] > 25
    addresses = [ipaddress.ip_address(d.address) for d in devices]
    assert len(set(addresses)) == len(addresses)
    for address in addresses:
        assert address in ipaddress.ip_network("127.0.0.0/8")
        assert address not in ipaddress.ip_network("127.0.0.0/16")
        assert address not in ipaddress.ip_network("127.200.0.0/13")
    kinds = {d.kind for d in devices}
    assert {"switch", "vpn_gateway", "server", "ip_phone_gateway", "video_endpoint"} <= kinds
    models = {d.model for d in devices if d.kind == "switch"}
    assert any("2960X" in m for m in models) and any(m.startswith("C9300") for m in models)
    assert any(m.startswith("C9200") for m in models)


def test_scale_keeps_every_site_and_addresses_do_not_move() -> None:
    network = load_network()
    small = generate(network, 7, 0.15)
    assert {d.site for d in small} == {s.code for s in network.sites}
    full = {d.hostname: d.address for d in generate(network, 7, 1.0)}
    assert all(full[d.hostname] == d.address for d in small)


def test_violation_share_and_every_seedable_contract_rule_appears() -> None:
    devices = generate(load_network(), 7, 1.0)
    share = sum(1 for d in devices if d.violations) / len(devices)
    assert 0.15 <= share <= 0.3
    rule_id = r"^\| ([A-Z]{2,4}(?:-[A-Z]{2,5})?-\d\d) \|"
    contract = set(re.findall(rule_id, CONTRACT.read_text(), re.M))
    seeded = {rule for d in devices for rule in d.violations}
    assert seeded == contract - NOT_SEEDED
    for d in devices:
        implied = {r for rule in d.violations for r in IMPLIED.get(rule, ())}
        assert set(d.violations) <= set(applicable(d)) | {"SW-STD-01"} | implied


def test_violations_show_in_the_generated_answers() -> None:
    devices = generate(load_network(), 7, 1.0)
    from lab import ios, linux

    telnet = next(d for d in devices if "NET-VTY-01" in d.violations)
    assert "transport input telnet ssh" in ios.running_config(
        telnet, "c", "e"
    ) or "transport input all" in ios.running_config(telnet, "c", "e")
    clean = next(d for d in devices if d.platform == "cisco_ios" and not d.violations)
    config = ios.running_config(clean, "c0mmunity", "e")
    assert "snmp-server community public" not in config and "ip ssh version 2" in config
    root = next(d for d in devices if "LNX-SSH-01" in d.violations)
    assert "permitrootlogin yes" in linux.sshd_t(root).splitlines()
    missing = next(d for d in devices if "INV-SER-01" in d.violations)
    assert missing.serial == "" and missing.declared_serial == ""


def test_inventory_follows_the_documented_form(tmp_path: Path) -> None:
    network = load_network()
    devices = generate(network, 7, 0.15)
    creds = credentials.credentials([r.code for r in network.regions])
    text = inventory.render_inventory(network, creds, devices, 161, 22)
    data = tomllib.loads(text)
    assert len(data["site"]) == 79 and len(data["device"]) == len(devices)
    names = {c["name"] for c in data["credential"]}
    versions = {c["version"] for c in data["credential"] if c["type"] == "snmp"}
    assert versions == {"2c", "3"}
    for device in data["device"]:
        assert device["snmp_credential"] in names
        assert device.get("ssh_credential", "ssh-net") in names
    assert all(link["probe"] for link in data["link"])
    credentials.write_secrets(tmp_path, credentials.secret_values(creds, 7))
    assert all((p.stat().st_mode & 0o777) == 0o600 for p in tmp_path.iterdir())
