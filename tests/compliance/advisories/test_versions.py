"""Release ordering per vendor scheme, including the pairs that must not be ordered at all."""

from __future__ import annotations

import pytest

from compliance.advisories.versions import VersionError, compare, parse


@pytest.mark.parametrize(
    ("older", "newer"),
    [
        ("15.2(7)E4", "15.2(7)E10"),  # rebuilds are numbers, not text
        ("12.2(55)SE", "12.2(55)SE1"),  # no rebuild number comes first
        ("12.2(55)SE10", "12.2(55)SE12"),
        ("15.2(2)E5", "15.2(2)E5a"),  # lettered rebuild after its base
        ("15.2(2)E5a", "15.2(2)E6"),
        ("15.2(6)E6", "15.2(7)E0"),  # a later maintenance release
        ("15.2(7)E", "15.2(7a)E0b"),  # a lettered maintenance release after its base
        ("15.9(3)M6", "15.9(3)M7"),
        ("15.0(2)SE9", "15.0(2)SE10a"),
    ],
)
def test_ios_orders_releases_within_a_train(older: str, newer: str) -> None:
    assert compare("ios", older, newer) == -1
    assert compare("ios", newer, older) == 1


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("15.2(7)E4", "15.2(4)EX1"),  # E and EX number their maintenance releases apart
        ("12.2(55)SE12", "15.0(2)SE10"),  # same letters, another release
        ("15.2(2)EB2", "15.2(2)E2"),
        ("15.9(3)M7", "15.2(7)E4"),
    ],
)
def test_ios_releases_of_different_trains_are_not_comparable(a: str, b: str) -> None:
    assert compare("ios", a, b) is None


def test_ios_reads_nvd_cpe_spelling_as_the_same_release() -> None:
    cpe = parse("ios", "12.2\\(55\\)se12")
    shown = parse("ios", "12.2(55)SE12")
    assert cpe.canonical == shown.canonical == "12.2(55)SE12"
    assert (cpe.train, compare("ios", "12.2\\(55\\)se12", "12.2(55)SE12")) == ("12.2SE", 0)


@pytest.mark.parametrize(
    ("older", "newer"),
    [
        ("17.9.4", "17.9.4a"),  # lettered rebuild after its base
        ("17.9.4a", "17.9.5"),
        ("16.12.9", "16.12.10a"),  # numbers, not text
        ("16.12", "16.12.1"),  # NVD's versionStartIncluding "16.12" opens the train
        ("16.12.10a", "17.3.1"),  # 16.x and 17.x are one sequence
        ("17.6.5", "17.12.4"),
        ("3.6.5E", "3.6.5bE"),
        ("3.7.4E", "3.10.0cE"),
    ],
)
def test_ios_xe_orders_releases(older: str, newer: str) -> None:
    assert compare("ios-xe", older, newer) == -1
    assert compare("ios-xe", newer, older) == 1


@pytest.mark.parametrize(
    ("a", "b"),
    [("3.7.4E", "16.1.1"), ("3.2.0SE", "3.7.4E"), ("3.16.10S", "3.10.0E")],
)
def test_ios_xe_3x_trains_are_not_comparable_with_others(a: str, b: str) -> None:
    assert compare("ios-xe", a, b) is None


@pytest.mark.parametrize(
    ("shown", "canonical", "train"),
    [
        ("17.03.04a", "17.3.4a", "17.3"),  # show version pads with zeros
        ("03.16.10.S", "3.16.10S", "3.16S"),
        ("3.2.0se", "3.2.0SE", "3.2SE"),  # CPE names are lower case
        ("16.8.1s", "16.8.1s", "16.8"),
    ],
)
def test_ios_xe_spellings_share_one_canonical_release(
    shown: str, canonical: str, train: str
) -> None:
    release = parse("ios-xe", shown)
    assert (release.canonical, release.train) == (canonical, train)


@pytest.mark.parametrize(
    ("older", "newer"),
    [("7.2.5", "7.2.10"), ("6.4.15", "7.0.1"), ("7.4", "7.4.0"), ("7.0.13", "7.0.14")],
)
def test_fortios_orders_releases(older: str, newer: str) -> None:
    assert compare("fortios", older, newer) == -1


def test_fortios_build_number_identifies_but_does_not_order() -> None:
    assert compare("fortios", "v7.4.8 build2795", "7.4.8") == 0
    assert compare("fortios", "v7.4.8,build2795 (GA.M)", "7.4.9") == -1
    assert parse("fortios", "v7.2.5").train == "7.2"


@pytest.mark.parametrize(
    ("older", "newer"),
    [
        ("2.0", "1:1.0"),  # the epoch outranks everything
        ("1.0~rc1", "1.0"),  # a tilde sorts before the release
        ("1.9.15p5-3ubuntu5", "1.9.15p5-3ubuntu5.24.04.1"),  # Ubuntu's security update
        ("1:1.2.11.dfsg-2+deb11u1", "1:1.2.11.dfsg-2+deb11u2"),  # Debian's
        ("1:9.6p1-3ubuntu13.3", "1:9.6p1-3ubuntu13.5"),
        ("1.2.13+dfsg-1~bpo11+1", "1.2.13+dfsg-1"),  # a backport sorts before its source
    ],
)
def test_dpkg_orders_like_dpkg(older: str, newer: str) -> None:
    assert compare("dpkg", older, newer) == -1
    assert compare("dpkg", newer, older) == 1


@pytest.mark.parametrize(
    ("scheme", "text"),
    [
        ("ios", "15.2.7"),
        ("ios", "Version 15.2(7)E4"),
        ("ios-xe", "BLD_POLARIS_DEV_LATEST_20250425_043858"),
        ("ios-xe", "17.9.4ab"),  # 16.x and later have at most one rebuild letter
        ("fortios", "seven"),
        ("dpkg", "1:"),
        ("dpkg", ""),
    ],
)
def test_a_version_of_another_shape_is_an_error_naming_it(scheme: str, text: str) -> None:
    with pytest.raises(VersionError, match="version"):
        parse(scheme, text)


def test_an_unknown_scheme_is_an_error_listing_the_known_ones() -> None:
    with pytest.raises(VersionError, match="ios-xe"):
        parse("rpm", "1.0-1.el9")
