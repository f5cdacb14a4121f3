"""A CSAF 2.0 product tree as a table: product_id -> the family and releases it stands for.

Vendors spell the same idea three ways, all handled here:
- Cisco: vendor > product_name "IOS" > product_version "12.2SE" > service_pack "12.2(55)SE12"
  (one leaf per exact release; modern documents put "17.9.1" under "Cisco IOS XE Software");
- Fortinet: vendor > product "FortiOS" > product_version_range "FortiOS/>=7.6.0|<=7.6.3" or
  "FortiOS/7.2 all versions";
- full_product_names and relationships, where a product_identification_helper.cpe names it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from compliance.advisories import families
from compliance.advisories.model import MatchKey, VersionRange
from compliance.advisories.reading import AdvisoryFormatError, Node, optional_items, release_at

_FAMILY_CATEGORIES = ("product_name", "product_family", "product")
_VERSION_CATEGORIES = ("product_version", "service_pack", "patch_level")
_RANGE_EXPECTED = (
    "a version range like '>=7.6.0|<=7.6.3', 'vers:generic/<2.0' or '7.2 all versions'"
)
_CONSTRAINT = re.compile(r"\s*(>=|<=|>|<|=)?\s*(\S+)\s*")
_ALL_OF_TRAIN = re.compile(r"\s*(\d+(?:\.\d+)*)\s+all\s+versions\s*", re.I)


@dataclass(frozen=True)
class ProductLeaf:
    """What one product_id means: a family and either an exact release or a range."""

    key: MatchKey
    name: str
    scheme: str
    version: str | None = None
    range: VersionRange | None = None  # both None: every release of the product


def _family_of(ancestors: list[tuple[str, str]]) -> str | None:
    for category, name in reversed(ancestors):
        if category in _FAMILY_CATEGORIES:
            return name
    return None


def version_range(text: str, path: str) -> VersionRange:
    """A range as Fortinet and the CSAF `vers` notation write it."""
    spec = text.split("/", 1)[1] if "/" in text else text
    if (train := _ALL_OF_TRAIN.fullmatch(spec)) is not None:
        return VersionRange(train=train.group(1))
    bounds: dict[str, str] = {}
    for part in spec.split("|"):
        found = _CONSTRAINT.fullmatch(part)
        if found is None:
            raise AdvisoryFormatError(path, _RANGE_EXPECTED, text)
        operator, version = found.group(1) or "=", found.group(2)
        if operator in bounds or "*" in version:
            raise AdvisoryFormatError(path, _RANGE_EXPECTED, text)
        bounds[operator] = version
    if "=" in bounds and len(bounds) == 1:
        return VersionRange(introduced=bounds["="], last_affected=bounds["="])
    if "=" in bounds:
        raise AdvisoryFormatError(path, _RANGE_EXPECTED, text)
    return VersionRange(
        introduced=bounds.get(">=", bounds.get(">")),
        introduced_inclusive=">" not in bounds,
        fixed=bounds.get("<"),
        last_affected=bounds.get("<="),
    )


def _leaf(branch: Node, ancestors: list[tuple[str, str]]) -> ProductLeaf:
    family_name = _family_of(ancestors) or branch["name"].text()
    key = MatchKey(families.from_product_name(family_name))
    scheme = families.scheme_for(key)
    category, name = ancestors[-1]
    if category == "product_version_range":
        found = version_range(name, f"{branch.path}.name")
        for bound in (found.introduced, found.fixed, found.last_affected):
            if bound is not None:
                release_at(branch["name"], scheme, bound)
        return ProductLeaf(key, family_name, scheme, range=found)
    if category in _VERSION_CATEGORIES:
        return ProductLeaf(key, family_name, scheme, release_at(branch["name"], scheme))
    return ProductLeaf(key, family_name, scheme)


def _walk(
    branches: list[Node], ancestors: list[tuple[str, str]], found: dict[str, ProductLeaf]
) -> None:
    for branch in branches:
        trail = [*ancestors, (branch["category"].text(), branch["name"].text())]
        product = branch.get("product")
        if product is not None:
            found[product["product_id"].text()] = _leaf(branch, trail)
        _walk(optional_items(branch, "branches"), trail, found)


def _named(full: Node) -> ProductLeaf:
    """A full_product_name: its CPE says what it is, else a known product name in its name."""
    name = full["name"].text()
    helper = full.get("product_identification_helper")
    cpe = helper.get("cpe") if helper is not None else None
    if cpe is not None:
        fields = cpe.text().split(":")
        if len(fields) < 6 or fields[:2] != ["cpe", "2.3"]:
            raise AdvisoryFormatError(cpe.path, "a cpe:2.3 name", cpe.value)
        key = MatchKey(families.from_cpe(fields[3], fields[4]))
        scheme = families.scheme_for(key)
        version = fields[5] if fields[5] not in ("*", "-") else None
        return ProductLeaf(key, name, scheme, version)
    if (known := families.product_name_prefix(name)) is not None:
        key = MatchKey(known[0])
        scheme = families.scheme_for(key)
        return ProductLeaf(key, name, scheme, release_at(full["name"], scheme, known[1]))
    return ProductLeaf(MatchKey(name), name, "generic")


def product_table(tree: Node | None) -> dict[str, ProductLeaf]:
    """Every product_id the tree defines, with what it stands for."""
    found: dict[str, ProductLeaf] = {}
    if tree is None:
        return found
    _walk(optional_items(tree, "branches"), [], found)
    for full in optional_items(tree, "full_product_names"):
        found[full["product_id"].text()] = _named(full)
    for relation in optional_items(tree, "relationships"):
        # "X installed on Y": the software X is what carries the release
        full = relation["full_product_name"]
        reference = relation["product_reference"]
        if reference.text() not in found:
            raise AdvisoryFormatError(reference.path, "a product_id defined in the tree",
                                      reference.value)
        found[full["product_id"].text()] = found[reference.text()]
    return found
