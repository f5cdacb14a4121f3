"""Each real advisory document becomes the advisory its publisher describes."""

from __future__ import annotations

import datetime as dt

import pytest

from compliance.advisories import (
    AffectedProduct,
    MatchKey,
    SourceFormat,
    VersionRange,
    detect,
    parse_document,
)
from compliance.advisories.nvd import parse_nvd
from compliance.advisories.osv import parse_osv

from .conftest import advisory, document, fixture_names


@pytest.mark.parametrize("name", fixture_names())
def test_every_fixture_is_recognised_by_its_folder(name: str) -> None:
    assert detect(document(name)) == SourceFormat(name.split("/")[0])


def _product(name: str, family: str, package: str = "") -> AffectedProduct:
    [found] = [p for p in advisory(name).affected if p.key == MatchKey(family, package)]
    return found


def test_cisco_csaf_lists_exact_ios_and_ios_xe_releases() -> None:
    smi = advisory("csaf/cisco-sa-20180328-smi2.json")
    assert (smi.id, smi.revision) == ("cisco-sa-20180328-smi2", "3.0.0")
    assert smi.cve_ids == ("CVE-2018-0171",)
    assert smi.modified == dt.datetime(2018, 4, 17, 15, 8, 41, tzinfo=dt.UTC)
    assert smi.cvss is not None
    assert (smi.cvss.version, smi.cvss.base_score, smi.cvss.severity) == ("3.0", 9.8, "CRITICAL")
    ios = _product("csaf/cisco-sa-20180328-smi2.json", "IOS")
    assert (ios.scheme, len(ios.versions), ios.ranges) == ("ios", 180, ())
    assert {"12.2(55)SE12", "12.2(55)SE10", "15.2(5)E2c"} <= set(ios.versions)
    assert not any(v.startswith("15.2(7)E") for v in ios.versions)
    xe = _product("csaf/cisco-sa-20180328-smi2.json", "IOS-XE")
    assert (xe.name, xe.scheme, len(xe.versions)) == ("Cisco IOS XE Software", "ios-xe", 79)
    assert xe.fixed_versions == ()  # Cisco's CSAF names no fixed release


def test_fortinet_csaf_ranges_trains_and_prose_fixes() -> None:
    found = advisory("csaf/FG-IR-26-154.json")
    assert found.cve_ids == ("CVE-2025-43892", "CVE-2026-59840")  # the repeated entry is one CVE
    fortios = _product("csaf/FG-IR-26-154.json", "FortiOS")
    assert fortios.scheme == "fortios"
    assert VersionRange(introduced="7.4.0", last_affected="7.4.8") in fortios.ranges
    assert VersionRange(train="7.0") in fortios.ranges  # "FortiOS/7.0 all versions"
    assert fortios.fixed_versions == ("7.6.4", "7.4.9")  # from "Upgrade to 7.4.9 or above"
    proxy = _product("csaf/FG-IR-26-154.json", "FortiProxy")
    assert proxy.fixed_versions == ("7.6.6", "7.4.14")


def test_an_upcoming_release_is_not_offered_as_the_fix() -> None:
    proxy = _product("csaf/FG-IR-26-174.json", "FortiProxy")
    assert proxy.ranges == (VersionRange(introduced="7.6.2", last_affected="7.6.6"),)
    assert proxy.fixed_versions == ()  # "Upgrade to upcoming  7.6.7 or above"


def test_score_comes_from_the_vector_and_the_printed_one_is_kept() -> None:
    cvss = advisory("csaf/FG-IR-26-174.json").cvss
    assert cvss is not None
    # Fortinet prints the temporal score (7.3) as baseScore
    assert (cvss.base_score, cvss.severity, cvss.published_score) == (8.1, "HIGH", 7.3)


def test_nvd_record_gives_ranges_per_train_with_their_fixes() -> None:
    found = advisory("nvd/CVE-2023-20198.json")
    assert (found.id, found.cve_ids, found.source) == ("CVE-2023-20198", ("CVE-2023-20198",), "nvd")
    assert found.title == "Cisco IOS XE Web UI Privilege Escalation Vulnerability"
    assert found.cvss is not None
    assert (found.cvss.base_score, found.cvss.published_score) == (10.0, None)
    xe = _product("nvd/CVE-2023-20198.json", "IOS-XE")
    assert xe.ranges[0] == VersionRange(introduced="16.12", fixed="16.12.10a")
    assert [r.fixed for r in xe.ranges] == ["16.12.10a", "17.3.8a", "17.6.6a", "17.9.4a"]
    # the Rockwell firmware is kept under its CPE name, the hardware (vulnerable: false) is not
    families = sorted(p.key.family for p in found.affected)
    assert families == ["IOS-XE", "cpe:rockwellautomation:allen-bradley_stratix_5200_firmware",
                        "cpe:rockwellautomation:allen-bradley_stratix_5800_firmware"]


def test_nvd_api_page_and_bare_record_give_the_same_advisory() -> None:
    record = document("nvd/CVE-2024-21762.json")
    page = {"format": "NVD_CVE", "version": "2.0", "vulnerabilities": [{"cve": record}]}
    assert parse_document(page) == parse_nvd(record)
    fortios = _product("nvd/CVE-2024-21762.json", "FortiOS")
    assert VersionRange(introduced="7.0.0", fixed="7.0.14") in fortios.ranges


def test_a_rejected_cve_affects_nothing() -> None:
    record = document("nvd/CVE-2024-21762.json")
    record["vulnStatus"] = "Rejected"
    assert parse_nvd(record) == []


def test_ubuntu_osv_names_cves_in_upstream_and_lists_binaries() -> None:
    found = advisory("osv/USN-7604-1.json")
    assert found.cve_ids == ("CVE-2025-32462", "CVE-2025-32463")
    assert found.cvss is None  # Ubuntu's records carry no CVSS
    noble = _product("osv/USN-7604-1.json", "Ubuntu:24.04", "sudo")
    assert noble.scheme == "dpkg"
    assert noble.ranges == (VersionRange(fixed="1.9.15p5-3ubuntu5.24.04.1"),)
    assert {"sudo", "sudo-ldap", "libnss-sudo"} <= set(noble.binaries)


def test_debian_osv_without_a_fix_is_an_open_range() -> None:
    found = advisory("osv/DEBIAN-CVE-2025-6141.json")
    assert found.cvss is not None
    cvss = (found.cvss.version, found.cvss.base_score, found.cvss.severity)
    assert cvss == ("4.0", 4.8, "MEDIUM")
    bookworm = _product("osv/DEBIAN-CVE-2025-6141.json", "Debian:12", "ncurses")
    assert bookworm.ranges == (VersionRange(),)
    forky = _product("osv/DEBIAN-CVE-2025-6141.json", "Debian:14", "ncurses")
    assert forky.ranges == (VersionRange(fixed="6.5+20251115-2"),)


def test_debian_osv_keeps_each_source_package_apart() -> None:
    packages = {p.key for p in advisory("osv/DEBIAN-CVE-2022-37434.json").affected}
    assert MatchKey("Debian:11", "zlib") in packages
    assert MatchKey("Debian:11", "libz-mingw-w64") in packages
    assert len(packages) == 8
    zlib = _product("osv/DEBIAN-CVE-2022-37434.json", "Debian:11", "zlib")
    assert zlib.ranges == (VersionRange(fixed="1:1.2.11.dfsg-2+deb11u2"),)


def test_nanosecond_osv_stamp_is_read() -> None:
    found = advisory("osv/DEBIAN-CVE-2022-0778.json")
    assert found.modified == dt.datetime(2026, 8, 27, 23, 4, 16, 253509, tzinfo=dt.UTC)
    assert found.revision == "2026-08-27T23:04:16.253509661Z"


def test_a_withdrawn_osv_record_affects_nothing() -> None:
    record = document("osv/USN-6859-1.json")
    record["withdrawn"] = "2025-08-01T00:00:00Z"
    assert parse_osv(record) == []
