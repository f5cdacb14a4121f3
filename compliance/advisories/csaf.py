"""CSAF 2.0 documents (the format Cisco, Fortinet and most vendors publish) as advisories.

One document is one advisory: its CVEs, its worst CVSS rating, and per product family the
releases that product_status lists as affected (first_affected, known_affected, last_affected)
and as fixed (first_fixed, fixed). Fortinet states fixes only in prose ("FortiOS 7.4: Upgrade
to 7.4.9 or above" in a vendor_fix remediation), so that sentence is read too.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from compliance.advisories import families, versions
from compliance.advisories.csaf_tree import ProductLeaf, product_table
from compliance.advisories.model import (
    Advisory,
    AffectedProduct,
    Cvss,
    MatchKey,
    SourceFormat,
    VersionRange,
)
from compliance.advisories.reading import AdvisoryFormatError, Node, optional_items
from compliance.advisories.scores import highest, rating

_AFFECTED = ("first_affected", "known_affected", "last_affected")
_FIXED = ("first_fixed", "fixed")
# "upcoming" releases are announced but cannot be installed yet: not offered as the fix
_UPGRADE = re.compile(
    r"^\s*(?P<product>[^:\n]+?)\s+\d+(?:\.\d+)*\s*:\s*Upgrade to (?P<version>[\w.()]+) or above",
    re.I | re.M,
)
_CVSS_FIELDS = ("cvss_v3", "cvss_v2")


def _unique(values: list[Any]) -> tuple[Any, ...]:
    return tuple(dict.fromkeys(values))


def _ratings(vulnerability: Node) -> list[Cvss]:
    found = []
    for score in optional_items(vulnerability, "scores"):
        for field in _CVSS_FIELDS:
            if (cvss := score.get(field)) is not None:
                vector = cvss["vectorString"]
                printed = cvss.get("baseScore")
                published = printed.number() if printed is not None else None
                found.append(rating(vector.text(), vector.path, published))
    return found


def _defined(table: dict[str, ProductLeaf], product_id: Node) -> ProductLeaf:
    leaf = table.get(product_id.text())
    if leaf is None:
        raise AdvisoryFormatError(product_id.path, "a product_id defined in $.product_tree",
                                  product_id.value)
    return leaf


def _prose_fixes(vulnerability: Node) -> list[tuple[MatchKey, str]]:
    fixes = []
    for remedy in optional_items(vulnerability, "remediations"):
        details = remedy.get("details")
        if remedy["category"].text() != "vendor_fix" or details is None:
            continue
        for found in _UPGRADE.finditer(details.text()):
            key = MatchKey(families.from_product_name(found.group("product")))
            try:
                versions.parse(families.scheme_for(key), found.group("version"))
            except versions.VersionError:
                continue  # prose, not data: a sentence we cannot read names no fix
            fixes.append((key, found.group("version")))
    return fixes


def _listed(
    status: Node, fields: tuple[str, ...], table: dict[str, ProductLeaf]
) -> list[ProductLeaf]:
    return [_defined(table, pid) for field in fields for pid in optional_items(status, field)]


def _affected(vulnerabilities: list[Node], table: dict[str, ProductLeaf]) -> list[AffectedProduct]:
    leaves: dict[MatchKey, list[ProductLeaf]] = defaultdict(list)
    fixes: dict[MatchKey, list[str]] = defaultdict(list)
    for vulnerability in vulnerabilities:
        status = vulnerability.get("product_status")
        if status is not None:
            for leaf in _listed(status, _AFFECTED, table):
                leaves[leaf.key].append(leaf)
            for leaf in _listed(status, _FIXED, table):
                if leaf.version is not None:
                    fixes[leaf.key].append(leaf.version)
        for key, version in _prose_fixes(vulnerability):
            fixes[key].append(version)
    return [_product(key, found, fixes[key]) for key, found in leaves.items()]


def _product(key: MatchKey, leaves: list[ProductLeaf], fixes: list[str]) -> AffectedProduct:
    ranges: list[VersionRange] = [leaf.range for leaf in leaves if leaf.range is not None]
    if any(leaf.range is None and leaf.version is None for leaf in leaves):
        ranges.append(VersionRange())  # the product itself, every release
    return AffectedProduct(
        key=key,
        scheme=leaves[0].scheme,
        name=leaves[0].name,
        ranges=_unique(ranges),
        versions=_unique([leaf.version for leaf in leaves if leaf.version is not None]),
        fixed_versions=_unique(fixes),
    )


def parse_csaf(document: dict[str, Any]) -> list[Advisory]:
    """The advisory a loaded CSAF 2.0 document describes; AdvisoryFormatError if malformed."""
    root = Node(document)
    meta = root["document"]
    csaf_version = meta["csaf_version"]
    if csaf_version.text() != "2.0":
        raise AdvisoryFormatError(csaf_version.path, "'2.0'", csaf_version.value)
    tracking = meta["tracking"]
    table = product_table(root.get("product_tree"))
    vulnerabilities = optional_items(root, "vulnerabilities")
    cves = [v["cve"].text() for v in vulnerabilities if v.has("cve")]
    advisory = Advisory(
        id=tracking["id"].text(),
        source=SourceFormat.CSAF,
        revision=tracking["version"].text(),
        modified=tracking["current_release_date"].timestamp(),
        title=meta["title"].text(),
        cve_ids=_unique(cves),
        cvss=highest(r for v in vulnerabilities for r in _ratings(v)),
        affected=tuple(_affected(vulnerabilities, table)),
    )
    return [advisory]
