"""Which rule ids a device can be seeded to fail (docs/rules-contract.md), and the seeding itself.

A known share of devices carries one or two violations; afterwards every seedable rule that has
at least one applicable device is guaranteed to appear, so even a small-scale lab exercises the
whole catalogue. Rules the contract marks "not seeded" (NET-BKP-01, INV-MOD-01, INV-SEEN-01,
HW-EOS-01, AVL-LINK-01) never appear here.

The rules added by issue 13 draw from a second random stream (`added`), after the original ones
(`original`), so a seed fails the same devices on the original rules as before.

Besides plain wrong lines, three classes are seeded on purpose (`Device.cases` says which): a
hidden default (the running-config says nothing and the device runs the unsafe default), nothing
to judge (a VPN gateway with no crypto configuration at all) and an expired licence.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from lab.model import Device

# The rules seeded since the lab began; their random draws come first and in this order, so a
# given seed still fails the same devices on them (tests elsewhere rely on which ones).
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
# The hardening rules of issue 13, seeded from a second random stream
NEW_IOS_RULES = (
    "NET-SSH-02", "NET-SSH-03", "NET-SSH-04", "NET-NTP-02", "NET-LOG-03", "NET-LOG-04",
    "NET-AAA-02", "NET-SVC-02", "NET-SVC-03", "NET-PWD-03", "NET-ARC-01",
)
ROUTER_RULES = ("NET-CDP-01", "NET-VTY-03")  # a WAN interface and an aux port: ISR routers
NEW_LINUX_RULES = (
    "LNX-SSH-06", "LNX-SSH-07", "LNX-SSH-08", "LNX-SSH-09", "LNX-SSH-10", "LNX-SSH-11",
    "LNX-SSH-12", "LNX-SSH-13", "LNX-SUDO-01", "LNX-PWQ-01", "LNX-LCK-01", "LNX-UPD-01",
    "LNX-MAC-01", "LNX-AUD-02",
)
NEW_WINDOWS_RULES = ("SW-AV-02", "LIC-02")

# rules that imply another one: every end-of-life server OS is also below the standard's minimum
# (SW-STD-02). Office and SQL Server currency is judged by end of support only (SW-EOL-01).
# Without 'aaa new-model' (NET-AAA-01) there is no AAA accounting either (NET-AAA-02).
IMPLIED: dict[str, tuple[str, ...]] = {"OS-EOL-01": ("SW-STD-02",), "NET-AAA-01": ("NET-AAA-02",)}
# Device.cases: how a seeded violation shows when it is not a plain wrong line
NO_CRYPTO = "nothing to judge: VPN gateway with no crypto configuration"
PAD_ON = "hidden default: service pad on (no 'no service pad' line)"
SOURCE_ROUTE_ON = "hidden default: ip source-route on (no 'no ip source-route' line)"
CDP_ON = "hidden default: CDP on the WAN interface (no 'no cdp enable' line)"
PWQ_DEFAULT = "hidden default: pam_pwquality without minlen (its default is 8)"
EXPIRED = "expired licence: Microsoft Visio Professional 2021 (entitlement ended 2025-12-31)"
OVER_SEATS = "over the seats: Microsoft Project Professional 2021 (0 seats bought)"
NO_CRYPTO_RULES = ("VPN-IKE-01", "VPN-ENC-01", "VPN-INT-01", "VPN-DH-01", "VPN-PFS-01",
                   "VPN-UP-01")


def original(device: Device) -> tuple[str, ...]:
    """The rules seeded since the lab began that apply to this device (first random stream)."""
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


def added(device: Device) -> tuple[str, ...]:
    """The hardening rules added by issue 13 that apply to this device (second stream)."""
    if device.platform == "cisco_ios":
        return NEW_IOS_RULES + (ROUTER_RULES if device.role in ("wan", "voice") else ())
    return {"linux": NEW_LINUX_RULES, "windows": NEW_WINDOWS_RULES}.get(device.platform, ())


def applicable(device: Device) -> tuple[str, ...]:
    """The seedable rule ids that apply to this device's platform and kind."""
    return original(device) + added(device)


def seed_violations(devices: list[Device], rng: random.Random, share: float = 0.2) -> None:
    """Give about `share` of the devices one or two violations, then cover every rule once;
    the added rules the same way from a stream of their own, then the nothing-to-judge case."""
    _seed(devices, rng, share, original)
    more = random.Random(rng.random())  # drawn last: the first stream is as it always was
    _seed(devices, more, share / 4, added)
    _seed_no_crypto(devices, more)


def _seed(devices: list[Device], rng: random.Random, share: float,
          rules_of: Callable[[Device], tuple[str, ...]]) -> None:
    for device in devices:
        if rng.random() >= share or not rules_of(device):
            continue
        count = 1 if rng.random() < 0.75 else 2
        _add(device, rng.sample(rules_of(device), min(count, len(rules_of(device)))))
    seen = {rule for d in devices for rule in d.violations}
    every = sorted({rule for d in devices for rule in rules_of(d)})
    for rule in every:
        if rule in seen:
            continue
        candidates = [d for d in devices if rule in rules_of(d)]
        _add(rng.choice(candidates), [rule])
        seen.add(rule)


def describe_cases(device: Device) -> None:
    """Name the seeded violations that show as a hidden default or a licence state."""
    bad = device.violations
    chosen = [
        (PAD_ON, "NET-SVC-01" in bad and device.variant % 2 == 0),
        (SOURCE_ROUTE_ON, "NET-SVC-02" in bad),
        (CDP_ON, "NET-CDP-01" in bad),
        (PWQ_DEFAULT, "LNX-PWQ-01" in bad),
        (EXPIRED, "LIC-01" in bad),
        (OVER_SEATS, "LIC-02" in bad),
    ]
    for case, holds in chosen:
        if holds and case not in device.cases:
            device.cases.append(case)


def _seed_no_crypto(devices: list[Device], rng: random.Random) -> None:
    gateways = [d for d in devices if d.platform == "cisco_ios" and d.kind == "vpn_gateway"
                and not d.violations]
    # a regional office's gateway: establishments are the sites tests and faults take down
    gateways = [d for d in gateways if "-OR" in d.site] or gateways
    if gateways:
        device = rng.choice(gateways)
        device.cases.append(NO_CRYPTO)
        _add(device, list(NO_CRYPTO_RULES))


def _add(device: Device, rules: list[str]) -> None:
    for rule in rules:
        for extra in (rule, *IMPLIED.get(rule, ())):
            if extra not in device.violations:
                device.violations.append(extra)
    device.violations.sort()
