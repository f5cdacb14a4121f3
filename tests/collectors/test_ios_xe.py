from __future__ import annotations

import pytest

from collectors.ios_xe import IOSD_TRAINS, printed_xe3, xe_release


# Pairs as Cisco prints them together. Image names carry both releases:
# asr1002x-universalk9.03.12.00.S.154-2.S-std.SPA.bin (an ASR 1002-X image), and
# cat3k_caa-universalk9.SPA.03.06.10.E.152-2.E10.bin / cat3k_caa-universalk9.SPA.03.06.06E.152-2.E6
# (named in https://community.cisco.com/t5/switching/difference-between-ios-xe-3-ios-xe-16/td-p/2965427).
# An IOS XE 3.x `show version` prints both lines: "Cisco IOS XE Software, Version 03.16.10.S"
# over "…(X86_64_LINUX_IOSD-ADVENTERPRISEK9-M), Version 15.5(3)S10".
@pytest.mark.parametrize(
    ("iosd", "xe"),
    [("15.4(2)S", "3.12.0S"), ("15.2(2)E10", "3.6.10E"), ("15.2(2)E6", "3.6.6E"),
     ("15.5(3)S10", "3.16.10S")],
)  # fmt: skip
def test_iosd_version_gives_the_ios_xe_release_cisco_pairs_it_with(iosd: str, xe: str) -> None:
    assert xe_release(iosd) == xe


@pytest.mark.parametrize(
    ("iosd", "xe"),
    [("15.5(3)S1a", "3.16.1aS"), ("15.0(1)EX3", "3.2.3SE"), ("15.6(2)SP3", "3.18.3SP")],
)
def test_the_rebuild_number_and_its_letter_carry_over(iosd: str, xe: str) -> None:
    assert xe_release(iosd) == xe


@pytest.mark.parametrize("iosd", ["15.2(4)M10", "15.9(3)M", "12.2(55)SE", "17.6.4", "", "15.5(3"])
def test_a_version_outside_the_known_trains_has_no_ios_xe_release(iosd: str) -> None:
    assert xe_release(iosd) is None


@pytest.mark.parametrize(
    ("printed", "release"),
    [
        ("03.07.05E", "3.7.5E"),
        ("03.06.06.E", "3.6.6E"),
        ("03.16.10.S", "3.16.10S"),
        ("03.16.01a.S", "3.16.1aS"),
        ("03.02.03.SE", "3.2.3SE"),
    ],
)
def test_a_printed_ios_xe_3_release_reads_as_advisories_write_it(
    printed: str, release: str
) -> None:
    assert printed_xe3(printed) == release


@pytest.mark.parametrize("version", ["16.09.05", "17.6.4", "15.2(2)E6", "3.16"])
def test_only_ios_xe_3_releases_are_rewritten(version: str) -> None:
    assert printed_xe3(version) is None


def test_each_ios_xe_3_release_has_one_iosd_train() -> None:
    releases = [f"{xe}{suffix}" for xe, suffix in IOSD_TRAINS.values()]
    assert len(releases) == len(set(releases))
