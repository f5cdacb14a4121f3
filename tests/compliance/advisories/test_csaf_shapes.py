"""CSAF shapes the real files do not show: full_product_names with CPEs, relationships, the
`fixed` status and `vers` ranges. The documents are small and made up here on purpose.
"""

from __future__ import annotations

from typing import Any

import pytest

from compliance.advisories import AdvisoryFormatError, AdvisoryIndex, MatchKey, VersionRange
from compliance.advisories.csaf import parse_csaf


def _csaf(tree: dict[str, Any], status: dict[str, list[str]]) -> dict[str, Any]:
    return {
        "document": {
            "csaf_version": "2.0",
            "title": "Made-up advisory",
            "tracking": {"id": "TEST-1", "version": "2",
                         "current_release_date": "2026-01-02T03:04:05Z"},
        },
        "product_tree": tree,
        "vulnerabilities": [{"cve": "CVE-2099-0001", "product_status": status}],
    }


FULL_NAMES: dict[str, Any] = {
    "full_product_names": [
        {"product_id": "XE-1791", "name": "Cisco IOS XE Software 17.9.1",
         "product_identification_helper": {"cpe": "cpe:2.3:o:cisco:ios_xe:17.9.1:*:*:*:*:*:*:*"}},
        {"product_id": "XE-1794a", "name": "Cisco IOS XE Software 17.9.4a"},
        {"product_id": "C9300", "name": "Cisco Catalyst 9300 Series Switches"},
    ],
    "relationships": [{
        "category": "installed_on", "product_reference": "XE-1791",
        "relates_to_product_reference": "C9300",
        "full_product_name": {"product_id": "XE-1791-C9300", "name": "17.9.1 on a 9300"},
    }],
}


def test_full_product_names_relationships_and_fixed_status() -> None:
    status = {"known_affected": ["XE-1791-C9300"], "fixed": ["XE-1794a"]}
    [found] = parse_csaf(_csaf(FULL_NAMES, status))
    [product] = found.affected
    assert (product.key, product.versions, product.fixed_versions) == (
        MatchKey("IOS-XE"), ("17.9.1",), ("17.9.4a",)
    )
    exposure = AdvisoryIndex([found]).affecting("IOS-XE", "17.09.01").exposures[0]
    assert (exposure.advisory_id, exposure.fixed_version) == ("TEST-1", "17.9.4a")


def test_a_relationship_to_an_undefined_product_is_refused() -> None:
    tree = {**FULL_NAMES, "relationships": [{**FULL_NAMES["relationships"][0],
                                             "product_reference": "XE-9999"}]}
    with pytest.raises(AdvisoryFormatError, match=r"^\$\.product_tree\.relationships\[0\]"
                                                  r"\.product_reference: expected a product_id"):
        parse_csaf(_csaf(tree, {"known_affected": ["XE-1791"]}))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("vers:generic/>=7.2.0|<7.2.7", VersionRange(introduced="7.2.0", fixed="7.2.7")),
        ("FortiOS/>7.0.1|<=7.0.9", VersionRange(introduced="7.0.1", introduced_inclusive=False,
                                                last_affected="7.0.9")),
        ("FortiOS/7.4.2", VersionRange(introduced="7.4.2", last_affected="7.4.2")),
        ("FortiOS/ 6.4 all versions", VersionRange(train="6.4")),
    ],
)
def test_range_notations(name: str, expected: VersionRange) -> None:
    tree = {"branches": [{"category": "product", "name": "FortiOS", "branches": [
        {"category": "product_version_range", "name": name,
         "product": {"product_id": "R", "name": "FortiOS"}}]}]}
    [found] = parse_csaf(_csaf(tree, {"known_affected": ["R"]}))
    assert found.affected[0].ranges == (expected,)


@pytest.mark.parametrize("name", ["FortiOS/>=7.2.0|>=7.4.0", "FortiOS/=7.2.1|<7.3", "FortiOS/*"])
def test_contradictory_or_wildcard_ranges_are_refused(name: str) -> None:
    tree = {"branches": [{"category": "product", "name": "FortiOS", "branches": [
        {"category": "product_version_range", "name": name,
         "product": {"product_id": "R", "name": "FortiOS"}}]}]}
    with pytest.raises(AdvisoryFormatError, match=r"branches\[0\]\.name: expected a version range"):
        parse_csaf(_csaf(tree, {"known_affected": ["R"]}))


def test_a_product_without_any_version_means_every_release() -> None:
    tree = {"branches": [{"category": "vendor", "name": "Cisco", "branches": [
        {"category": "product_name", "name": "Cisco IOS XE Software",
         "product": {"product_id": "XE", "name": "Cisco IOS XE Software"}}]}]}
    [found] = parse_csaf(_csaf(tree, {"known_affected": ["XE"]}))
    assert found.affected[0].ranges == (VersionRange(),)
    assert AdvisoryIndex([found]).affecting("IOS-XE", "17.15.3").exposures
