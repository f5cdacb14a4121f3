"""Which rule ids a device can be seeded to fail (docs/rules-contract.md), and the seeding itself.

A known share of devices carries one or two violations; afterwards every seedable rule that has
at least one applicable device is guaranteed to appear, so even a small-scale lab exercises the
whole catalogue. Rules the contract marks "not seeded" (NET-BKP-01, INV-MOD-01, INV-SEEN-01,
HW-EOS-01, AVL-LINK-01) never appear here.
"""

from __future__ import annotations

import random

from lab.model import Device

IOS_CONFIG_RULES = (
    "NET-AAA-01", "NET-PWD-01", "NET-PWD-02", "NET-SSH-01", "NET-VTY-01", "NET-VTY-02",
    "NET-TMO-01", "NET-SVC-01", "NET-SNMP-01", "NET-SNMP-02", "NET-LOG-01", "NET-LOG-02",
    "NET-NTP-01", "NET-BAN-01", "NET-LCK-01",
)
VPN_RULES = ("VPN-IKE-01", "VPN-ENC-01", "VPN-INT-01", "VPN-DH-01", "VPN-PFS-01", "VPN-UP-01")
LINUX_RULES = (
    "LNX-SSH-01", "LNX-SSH-02", "LNX-SSH-03", "LNX-SSH-04", "LNX-SSH-05", "LNX-FW-01",
    "LNX-AUD-01", "LNX-LOG-01", "LNX-TIME-01", "LNX-PATCH-01",
)
WINDOWS_RULES = ("SW-AV-01", "SW-STD-01", "SW-EOL-01", "LIC-01")
INVENTORY_RULES = ("INV-OWN-01", "INV-SER-01", "HW-LIFE-01")

# rules that imply another one (none so far: policies/software-standard.toml judges Office and
# SQL Server currency by end of support only, so SW-EOL-01 does not also fail SW-STD-01)
IMPLIED: dict[str, tuple[str, ...]] = {}


def applicable(device: Device) -> tuple[str, ...]:
    """The seedable rule ids that apply to this device's platform and kind."""
    rules: tuple[str, ...] = INVENTORY_RULES
    if device.platform == "cisco_ios":
        rules += (*IOS_CONFIG_RULES, "NET-VER-01")
        if device.kind == "vpn_gateway":
            rules += VPN_RULES
    elif device.platform == "fortios":
        rules += ("NET-VER-01",)
    elif device.platform == "linux":
        rules += (*LINUX_RULES, "OS-EOL-01")
    elif device.platform == "windows":
        rules += (*WINDOWS_RULES, "OS-EOL-01")
    return rules


def seed_violations(devices: list[Device], rng: random.Random, share: float = 0.2) -> None:
    """Give about `share` of the devices one or two violations, then cover every rule once."""
    for device in devices:
        if rng.random() >= share:
            continue
        count = 1 if rng.random() < 0.75 else 2
        _add(device, rng.sample(applicable(device), count))
    seen = {rule for d in devices for rule in d.violations}
    every = sorted({rule for d in devices for rule in applicable(d)})
    for rule in every:
        if rule in seen:
            continue
        candidates = [d for d in devices if rule in applicable(d)]
        _add(rng.choice(candidates), [rule])
        seen.add(rule)


def _add(device: Device, rules: list[str]) -> None:
    for rule in rules:
        for extra in (rule, *IMPLIED.get(rule, ())):
            if extra not in device.violations:
                device.violations.append(extra)
    device.violations.sort()
