"""Which of the test advisories affect each lab release, and which release of its train fixes it.

The table is tests/compliance/fixtures/advisories/EXPECTED.md (real CSAF, NVD and OSV documents
against the releases of lab/catalog.py), plus the fixed releases a test upgrades devices to with
`lab edit --os-version`; tests/compliance/advisories/test_lab_expectations.py checks every row
against the matcher. Each device's truth record carries its rows as
`"advisories": [{"id", "fixed"}]` (`fixed` null when no fix is published for its train), or null
for a release this table does not know, so the truth never guesses.
"""

from __future__ import annotations

from typing import Any

from lab.model import Device

SMI = "cisco-sa-20180328-smi2"
WEBUI = "CVE-2023-20198"
SSLVPN = "CVE-2024-21762"

# (OS, release) -> {advisory id: first fixed release of that train, None when none is named}
NETWORK: dict[tuple[str, str], dict[str, str | None]] = {
    ("IOS", "15.2(7)E9"): {},
    ("IOS", "15.2(7)E10"): {},
    ("IOS", "15.2(7)E11"): {},
    ("IOS", "12.2(55)SE12"): {SMI: None},
    ("IOS", "12.2(55)SE10"): {SMI: None},
    ("IOS-XE", "17.12.4"): {},
    ("IOS-XE", "17.12.5"): {},
    ("IOS-XE", "17.15.2"): {},
    ("IOS-XE", "17.15.3"): {},
    ("IOS-XE", "16.12.4"): {WEBUI: "16.12.10a"},
    ("IOS-XE", "16.12.10a"): {},
    ("IOS-XE", "17.3.4a"): {WEBUI: "17.3.8a"},
    ("IOS-XE", "17.6.5"): {WEBUI: "17.6.6a"},
    ("FortiOS", "7.4.8"): {"FG-IR-26-154": "7.4.9", "FG-IR-26-162": None},
    ("FortiOS", "7.4.9"): {"FG-IR-26-162": None},
    ("FortiOS", "7.6.3"): {"FG-IR-26-154": "7.6.4", "FG-IR-26-162": "7.6.7",
                           "FG-IR-26-174": "7.6.7"},
    ("FortiOS", "6.2.15"): {SSLVPN: "6.2.16"},
    ("FortiOS", "6.4.12"): {SSLVPN: "6.4.15", "FG-IR-26-154": None},
    ("FortiOS", "7.0.14"): {"FG-IR-26-154": None},
}
# the fixed releases above, as `lab edit --os-version` installs them
UPGRADES: dict[tuple[str, str], dict[str, str | None]] = {
    ("IOS-XE", "17.3.8a"): {},
    ("IOS-XE", "17.6.6a"): {},
    ("FortiOS", "6.2.16"): {},
    ("FortiOS", "6.4.15"): {"FG-IR-26-154": None},
    ("FortiOS", "7.6.4"): {"FG-IR-26-162": "7.6.7", "FG-IR-26-174": "7.6.7"},
    ("FortiOS", "7.6.7"): {},
}
# (distribution, release, package, installed version) -> {advisory id: fixed version}; every
# other package of lab/catalog.py's lists is named by no test advisory for its distribution
# or is past the fix (USN-6859-1's openssh-server)
PACKAGES: dict[tuple[str, str, str, str], dict[str, str | None]] = {
    ("Ubuntu", "24.04", "sudo", "1.9.15p5-3ubuntu5"): {"USN-7604-1": "1.9.15p5-3ubuntu5.24.04.1"},
}
_PACKAGE_DISTRIBUTIONS = {"Ubuntu", "Debian"}
_NETWORK_OS = {"IOS", "IOS-XE", "FortiOS"}


def advisories_of(device: Device) -> list[dict[str, Any]] | None:
    """The test advisories affecting the device, sorted by id; None for an unknown release."""
    found: dict[str, str | None] = {}
    if device.os_name in _NETWORK_OS:
        known = NETWORK.get((device.os_name, device.os_version),
                            UPGRADES.get((device.os_name, device.os_version)))
        if known is None:
            return None
        found.update(known)
    if device.os_name in _PACKAGE_DISTRIBUTIONS:
        for item in device.software:
            found.update(PACKAGES.get((device.os_name, device.os_version, item.name,
                                       item.version), {}))
    return [{"id": key, "fixed": fix} for key, fix in sorted(found.items())]
