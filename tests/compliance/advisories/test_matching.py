"""Matching details on the real documents: packages, distributions, spellings, unreadable input."""

from __future__ import annotations

from collections.abc import Sequence

from compliance.advisories import AdvisoryIndex, InstalledPackage

from .conftest import advisory

ZLIB = "DEBIAN-CVE-2022-37434"


def _ids(
    index: AdvisoryIndex,
    os_name: str,
    os_version: str,
    packages: Sequence[InstalledPackage] = (),
    distribution: str | None = None,
) -> dict[str, str | None]:
    found = index.affecting(os_name, os_version, packages, distribution)
    return {e.advisory_id: e.fixed_version for e in found.exposures}


def test_debian_package_is_matched_by_its_source_name(index: AdvisoryIndex) -> None:
    before = [InstalledPackage("zlib1g", "1:1.2.11.dfsg-2+deb11u1", source="zlib")]
    assert _ids(index, "Debian", "11", before) == {ZLIB: "1:1.2.11.dfsg-2+deb11u2"}
    after = [InstalledPackage("zlib1g", "1:1.2.11.dfsg-2+deb11u2", source="zlib")]
    assert _ids(index, "Debian", "11", after) == {}


def test_debian_binary_without_its_source_name_is_not_matched(index: AdvisoryIndex) -> None:
    # Debian's records name source packages only: the collector must say zlib1g comes from zlib
    assert _ids(index, "Debian", "11", [InstalledPackage("zlib1g", "1:1.2.11.dfsg-2")]) == {}


def test_the_same_package_in_another_release_follows_that_release(index: AdvisoryIndex) -> None:
    # 1:1.2.13.dfsg-1 is bookworm's zlib, past its fix 1:1.2.11.dfsg-4.1
    package = [InstalledPackage("zlib1g", "1:1.2.13.dfsg-1", source="zlib")]
    assert _ids(index, "Debian", "12", package) == {}
    assert _ids(index, "Debian", "12.4", [InstalledPackage("zlib", "1:1.2.11.dfsg-4")]) == {
        ZLIB: "1:1.2.11.dfsg-4.1"
    }


def test_a_package_with_no_fix_yet_is_affected_with_no_fixed_version(
    index: AdvisoryIndex,
) -> None:
    package = [InstalledPackage("ncurses-base", "6.4-4", source="ncurses")]
    assert _ids(index, "Debian", "12", package) == {"DEBIAN-CVE-2025-6141": None}


def test_ubuntu_binary_package_is_matched_through_the_record_binaries(
    index: AdvisoryIndex,
) -> None:
    packages = [InstalledPackage("openssh-server", "1:9.6p1-3ubuntu13"),
                InstalledPackage("openssh-client", "1:9.6p1-3ubuntu13")]
    found = index.affecting("Ubuntu", "24.04", packages)
    assert [(e.advisory_id, e.component, e.fixed_version) for e in found.exposures] == [
        ("USN-6859-1", "openssh-client", "1:9.6p1-3ubuntu13.3"),
        ("USN-6859-1", "openssh-server", "1:9.6p1-3ubuntu13.3"),
    ]


def test_the_distribution_can_be_given_apart_from_the_os_name(index: AdvisoryIndex) -> None:
    package = [InstalledPackage("sudo", "1.9.9-1ubuntu2.4")]
    assert _ids(index, "Linux", "5.15", package) == {}
    assert _ids(index, "Linux", "5.15", package, distribution="Ubuntu:22.04") == {
        "USN-7604-1": "1.9.9-1ubuntu2.5"
    }
    as_pair = [("sudo", "1.9.9-1ubuntu2.4")]
    assert index.affecting("Linux", "5.15", as_pair, "Ubuntu 22.04").exposures[0].installed == (
        "1.9.9-1ubuntu2.4"
    )


def test_exact_listed_release_matches_in_the_device_spelling(index: AdvisoryIndex) -> None:
    # the Smart Install advisory lists "3.7.4E"; show version prints "03.07.04.E"
    assert _ids(index, "IOS-XE", "03.07.04.E") == {"cisco-sa-20180328-smi2": None}
    assert _ids(index, "IOS-XE", "3.7.4aE") == {}  # not listed


def test_a_version_that_follows_no_scheme_is_reported_not_judged(index: AdvisoryIndex) -> None:
    found = index.affecting("IOS-XE", "BLD_POLARIS_DEV_LATEST_20250425_043858")
    assert found.exposures == ()
    assert found.unreadable == ("IOS-XE BLD_POLARIS_DEV_LATEST_20250425_043858",)


def test_exposures_come_worst_first_with_cve_ids_and_cvss(index: AdvisoryIndex) -> None:
    found = index.affecting("FortiOS", "6.4.12").exposures
    assert [e.advisory_id for e in found] == ["CVE-2024-21762", "FG-IR-26-154"]
    assert found[0].cvss is not None and found[0].cvss.base_score == 9.8
    assert found[1].cve_ids == ("CVE-2025-43892", "CVE-2026-59840")


def test_a_product_the_device_does_not_run_never_matches(index: AdvisoryIndex) -> None:
    # FG-IR-26-171 affects FortiManager 7.4.0-7.4.10; a FortiGate on 7.4.8 is not FortiManager
    assert "FG-IR-26-171" not in _ids(index, "FortiOS", "7.4.8")
    only = AdvisoryIndex([advisory("csaf/FG-IR-26-171.json")])
    assert _ids(only, "FortiManager", "7.4.8") == {"FG-IR-26-171": "7.4.11"}


def test_a_release_between_two_trains_ranges_is_not_affected(index: AdvisoryIndex) -> None:
    # CVE-2023-20198 covers 17.3, 17.6 and 17.9 up to their fixes, not 17.4 or 17.5
    assert _ids(index, "IOS-XE", "17.5.1") == {}
    assert _ids(index, "IOS-XE", "17.9.3") == {"CVE-2023-20198": "17.9.4a"}
