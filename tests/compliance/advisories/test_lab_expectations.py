"""The real advisories against every release the lab runs: the table of EXPECTED.md, checked.

Each row is (OS, release) -> {advisory id: first fixed release of that train, or None}. A
release missing from an advisory's row must not be matched by it: that is the precision half.
"""

from __future__ import annotations

import pytest

from compliance.advisories import AdvisoryIndex, InstalledPackage
from lab import advisories as lab_advisories
from lab import catalog

SMI = "cisco-sa-20180328-smi2"
WEBUI = "CVE-2023-20198"
SSLVPN = "CVE-2024-21762"

EXPECTED: dict[tuple[str, str], dict[str, str | None]] = {
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


def test_the_table_covers_every_network_release_of_the_lab() -> None:
    releases = {
        "IOS": catalog.IOS_CLASSIC_OK + catalog.IOS_CLASSIC_EOL,
        "IOS-XE": catalog.IOS_XE_OK + catalog.IOS_XE_EOL,
        "FortiOS": catalog.FORTIOS_OK + catalog.FORTIOS_EOL,
    }
    assert {(os, r) for os, found in releases.items() for r in found} == set(EXPECTED)


@pytest.mark.parametrize(("os_release", "expected"), EXPECTED.items(), ids=lambda v: str(v))
def test_lab_release_is_matched_by_exactly_its_advisories(
    index: AdvisoryIndex, os_release: tuple[str, str], expected: dict[str, str | None]
) -> None:
    found = index.affecting(*os_release)
    assert found.unreadable == ()
    assert {e.advisory_id: e.fixed_version for e in found.exposures} == expected


def test_lab_linux_servers_are_matched_by_their_distribution_only(index: AdvisoryIndex) -> None:
    packages = [InstalledPackage(name, version) for name, version in catalog.LINUX_PACKAGES_DEB]
    by_release = {}
    for release in catalog.LINUX:
        found = index.affecting(release.os_name, release.version, packages)
        by_release[(release.os_name, release.version)] = [
            (e.advisory_id, e.component, e.installed, e.fixed_version) for e in found.exposures
        ]
    assert by_release.pop(("Ubuntu", "24.04")) == [
        ("USN-7604-1", "sudo", "1.9.15p5-3ubuntu5", "1.9.15p5-3ubuntu5.24.04.1")
    ]
    # openssh-server 1:9.6p1-3ubuntu13.5 is past USN-6859-1's fix; the other releases have no
    # entry in the Ubuntu records and no package the Debian records name
    assert all(found == [] for found in by_release.values())


def test_upgrading_to_the_named_fix_clears_the_finding(index: AdvisoryIndex) -> None:
    assert index.affecting("IOS-XE", "17.6.5").exposures
    assert index.affecting("IOS-XE", "17.6.6a").exposures == ()
    assert index.affecting("IOS-XE", "17.06.06a").exposures == ()  # as show version prints it


def test_the_lab_truth_table_is_this_table() -> None:
    """lab/advisories.py (what truth.json names per device) says what EXPECTED.md says."""
    assert lab_advisories.NETWORK == EXPECTED


@pytest.mark.parametrize(("os_release", "expected"), lab_advisories.UPGRADES.items(),
                         ids=lambda v: str(v))
def test_the_upgrades_the_lab_offers_are_matched_as_its_table_says(
    index: AdvisoryIndex, os_release: tuple[str, str], expected: dict[str, str | None]
) -> None:
    found = index.affecting(*os_release)
    assert {e.advisory_id: e.fixed_version for e in found.exposures} == expected


def test_the_lab_package_table_is_what_the_matcher_finds(index: AdvisoryIndex) -> None:
    for (os_name, version, package, installed), expected in lab_advisories.PACKAGES.items():
        found = index.affecting(os_name, version, [(package, installed)])
        assert {e.advisory_id: e.fixed_version for e in found.exposures} == expected
