"""NVD CVE JSON 2.0 records (one CVE, or an API/feed page of them) as advisories.

Every `cpeMatch` marked vulnerable becomes an affected release or range of the product its
cpe:2.3 name gives; versionStartIncluding/Excluding and versionEndIncluding/Excluding are the
range's bounds, and versionEndExcluding is the first fixed release. A configuration that
requires a platform ("firmware X AND hardware Y") is read as its vulnerable part alone: a
device is matched on its software, the hardware condition is not checked.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from compliance.advisories import families
from compliance.advisories.model import (
    Advisory,
    AffectedProduct,
    Cvss,
    MatchKey,
    SourceFormat,
    VersionRange,
)
from compliance.advisories.reading import AdvisoryFormatError, Node, optional_items, release_at
from compliance.advisories.scores import rating

# v3.1 first: it is what vendors' and NVD's own severity statements use today, so findings
# from NVD, CSAF and OSV documents stay comparable; v4.0 and v2 only when nothing else exists
_METRICS = ("cvssMetricV31", "cvssMetricV30", "cvssMetricV40", "cvssMetricV2")
_BOUNDS = ("versionStartIncluding", "versionStartExcluding", "versionEndIncluding",
           "versionEndExcluding")
_EXPECTED_CPE = "a cpe:2.3 name (cpe:2.3:o:vendor:product:version:…)"


def _cvss(cve: Node) -> Cvss | None:
    metrics = cve.get("metrics")
    if metrics is None:
        return None
    for field in _METRICS:
        entries = optional_items(metrics, field)
        if not entries:
            continue
        primary = [e for e in entries if e.get("type") and e["type"].value == "Primary"]
        data = (primary or entries)[0]["cvssData"]
        printed = data.get("baseScore")
        vector = data["vectorString"]
        return rating(vector.text(), vector.path, printed.number() if printed is not None else None)
    return None


def _title(cve: Node) -> str:
    if (name := cve.get("cisaVulnerabilityName")) is not None:
        return name.text()
    for description in optional_items(cve, "descriptions"):
        if description["lang"].value == "en":
            return description["value"].text()[:200]
    return cve["id"].text()


def _checked(scheme: str, node: Node, text: str | None = None) -> str:
    # CPE names escape parentheses: "12.2\\(55\\)se12"
    return release_at(node, scheme, (node.text() if text is None else text).replace("\\", ""))


def _cpe_entry(match: Node) -> tuple[MatchKey, str, VersionRange | str]:
    criteria = match["criteria"]
    fields = criteria.text().split(":")
    if len(fields) < 6 or fields[:2] != ["cpe", "2.3"]:
        raise AdvisoryFormatError(criteria.path, _EXPECTED_CPE, criteria.value)
    key = MatchKey(families.from_cpe(fields[3], fields[4]))
    scheme = families.scheme_for(key)
    bounds = {f: _checked(scheme, match[f]) for f in _BOUNDS if match.has(f)}
    if fields[5] not in ("*", "-"):
        if bounds:
            raise AdvisoryFormatError(criteria.path, "a version of * when a range is given",
                                      criteria.value)
        return key, scheme, _checked(scheme, criteria, fields[5])
    return key, scheme, VersionRange(
        introduced=bounds.get("versionStartIncluding", bounds.get("versionStartExcluding")),
        introduced_inclusive="versionStartExcluding" not in bounds,
        fixed=bounds.get("versionEndExcluding"),
        last_affected=bounds.get("versionEndIncluding"),
    )


def _vulnerable_matches(cve: Node) -> list[Node]:
    found = []
    for configuration in optional_items(cve, "configurations"):
        for node in configuration["nodes"].items():
            if node.get("negate") is not None and node["negate"].flag():
                continue
            found += [m for m in node["cpeMatch"].items() if m["vulnerable"].flag()]
    return found


def _affected(cve: Node) -> tuple[AffectedProduct, ...]:
    ranges: dict[tuple[MatchKey, str], list[VersionRange]] = defaultdict(list)
    exact: dict[tuple[MatchKey, str], list[str]] = defaultdict(list)
    for match in _vulnerable_matches(cve):
        key, scheme, what = _cpe_entry(match)
        if isinstance(what, str):
            exact[(key, scheme)].append(what)
        else:
            ranges[(key, scheme)].append(what)
    return tuple(
        AffectedProduct(key=key, scheme=scheme, name=key.family.removeprefix("cpe:"),
                        ranges=tuple(dict.fromkeys(ranges[(key, scheme)])),
                        versions=tuple(dict.fromkeys(exact[(key, scheme)])))
        for key, scheme in dict.fromkeys([*ranges, *exact])
    )


def _advisory(cve: Node) -> Advisory | None:
    status = cve.get("vulnStatus")
    if status is not None and status.text() == "Rejected":
        return None  # withdrawn by its CNA: affects nothing
    identifier = cve["id"].text()
    modified = cve["lastModified"]
    return Advisory(
        id=identifier,
        source=SourceFormat.NVD,
        revision=modified.text(),
        modified=modified.timestamp(),
        title=_title(cve),
        cve_ids=(identifier,),
        cvss=_cvss(cve),
        affected=_affected(cve),
    )


def parse_nvd(document: dict[str, Any]) -> list[Advisory]:
    """Advisories of one CVE record or of an NVD API response ({"vulnerabilities": [...]})."""
    root = Node(document)
    if root.has("vulnerabilities"):
        records = [item["cve"] for item in root["vulnerabilities"].items()]
    elif root.has("cve"):
        records = [root["cve"]]
    else:
        records = [root]
    found = [_advisory(record) for record in records]
    return [advisory for advisory in found if advisory is not None]
