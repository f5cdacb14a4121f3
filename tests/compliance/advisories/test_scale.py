"""Matching a national fleet against 10,000 advisories stays far below devices x advisories.

Counted in version comparisons, not timed (timings belong in bench/): a matcher that tried every
advisory on every device would make at least 900 x 10,000 = 9,000,000 of them.
"""

from __future__ import annotations

import datetime as dt
import random

from compliance.advisories import (
    Advisory,
    AdvisoryIndex,
    AffectedProduct,
    InstalledPackage,
    MatchKey,
    SourceFormat,
    VersionRange,
)

STAMP = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
PACKAGES = [f"pkg{n}" for n in range(400)]
XE_RELEASES = ["16.12.4", "16.12.10a", "17.3.4a", "17.6.5", "17.9.3", "17.12.4", "17.15.2"]
FORTI_RELEASES = ["6.2.15", "6.4.12", "7.0.14", "7.2.5", "7.4.8", "7.6.3"]


def _advisory(n: int, product: AffectedProduct) -> Advisory:
    return Advisory(f"ADV-{n}", SourceFormat.OSV, "1", STAMP, f"advisory {n}", (f"CVE-2026-{n}",),
                    None, (product,))


def _synthetic_advisories(rng: random.Random) -> list[Advisory]:
    found = []
    for n in range(10_000):
        kind = n % 10
        if kind < 2:  # 2,000 on IOS XE, each one train up to a fix
            major, minor = rng.choice([(16, 12), (17, 3), (17, 6), (17, 9), (17, 12)])
            fix = f"{major}.{minor}.{rng.randint(1, 12)}"
            span = VersionRange(introduced=f"{major}.{minor}", fixed=fix)
            product = AffectedProduct(MatchKey("IOS-XE"), "ios-xe", "IOS XE", ranges=(span,))
        elif kind < 3:  # 1,000 on FortiOS
            train = rng.choice(["6.2", "6.4", "7.0", "7.2", "7.4", "7.6"])
            span = VersionRange(train=train)
            product = AffectedProduct(MatchKey("FortiOS"), "fortios", "FortiOS", ranges=(span,),
                                      fixed_versions=(f"{train}.{rng.randint(1, 20)}",))
        else:  # 7,000 on Debian 12 packages
            name = rng.choice(PACKAGES)
            span = VersionRange(fixed=f"1.{rng.randint(0, 9)}-{rng.randint(1, 5)}+deb12u1")
            product = AffectedProduct(MatchKey("Debian:12", name), "dpkg", name, ranges=(span,))
        found.append(_advisory(n, product))
    return found


def _fleet(rng: random.Random, size: int) -> list[tuple[str, str, list[InstalledPackage]]]:
    """A third switches on IOS XE, a third FortiGates, a third Debian 12 servers."""
    server = [InstalledPackage(name, "1.4-2") for name in rng.sample(PACKAGES, 40)]
    fleet: list[tuple[str, str, list[InstalledPackage]]] = []
    for n in range(size):
        if n % 3 == 0:
            fleet.append(("IOS-XE", XE_RELEASES[n % len(XE_RELEASES)], []))
        elif n % 3 == 1:
            fleet.append(("FortiOS", FORTI_RELEASES[n % len(FORTI_RELEASES)], []))
        else:
            fleet.append(("Debian", "12", server))
    return fleet


def _match(index: AdvisoryIndex, fleet: list[tuple[str, str, list[InstalledPackage]]]) -> int:
    return sum(len(index.affecting(os, version, packages).exposures)
               for os, version, packages in fleet)


def test_900_devices_against_10000_advisories_cost_far_less_than_their_product() -> None:
    rng = random.Random(14)
    index = AdvisoryIndex(_synthetic_advisories(rng))
    fleet = _fleet(rng, 900)
    exposures = _match(index, fleet)
    assert exposures > 1_000  # the fleet is really exposed: the count below is not of idle work
    assert index.comparisons < 900 * 10_000 // 100


def test_more_devices_on_the_same_releases_add_no_comparisons() -> None:
    rng = random.Random(14)
    index = AdvisoryIndex(_synthetic_advisories(rng))
    fleet = _fleet(rng, 900)
    _match(index, fleet[:90])
    after_90 = index.comparisons
    _match(index, fleet)
    assert after_90 > 0
    assert index.comparisons == after_90  # verdicts per (product, release) are remembered
