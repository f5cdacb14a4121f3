"""OSV records (Debian's DSA/DLA/DEBIAN-CVE, Ubuntu's USN/UBUNTU-CVE, ...) as advisories.

Each affected[] entry is one package of one distribution release: ECOSYSTEM and SEMVER ranges
become version ranges (their `fixed` event is the first fixed release), `versions` are exact
affected releases. GIT ranges name commits, not releases, and are left out. Ubuntu lists the
binary packages each source package builds; installed packages are binaries, so those count.
"""

from __future__ import annotations

import re
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
from compliance.advisories.scores import highest, rating

_CVE = re.compile(r"CVE-\d{4}-\d{4,}")
_RELEASE_RANGES = ("ECOSYSTEM", "SEMVER")
_EVENTS = ("introduced", "fixed", "last_affected", "limit")


def _event(event: Node) -> tuple[str, Node]:
    kinds = [kind for kind in _EVENTS if event.has(kind)]
    if len(kinds) != 1:
        raise AdvisoryFormatError(event.path, f"one of {', '.join(_EVENTS)}", event.value)
    return kinds[0], event[kinds[0]]


def _ranges(events: list[Node], scheme: str) -> list[VersionRange]:
    found: list[VersionRange] = []
    start: str | None = None
    open_range = False
    for kind, value in map(_event, events):
        if kind == "introduced":
            start = None if value.text() == "0" else release_at(value, scheme)
            open_range = True
        elif kind == "fixed":
            found.append(VersionRange(introduced=start, fixed=release_at(value, scheme)))
            open_range = False
        elif kind == "last_affected":
            found.append(VersionRange(introduced=start, last_affected=release_at(value, scheme)))
            open_range = False
        # "limit" only bounds where a GIT bisection stops looking; it adds no release
    if open_range:
        found.append(VersionRange(introduced=start))  # no fix yet
    return found


def _binaries(entry: Node) -> list[str]:
    specific = entry.get("ecosystem_specific")
    if specific is None or not isinstance(specific.value, dict):
        return []
    return [b["binary_name"].text() for b in optional_items(specific, "binaries")]


def _entry(entry: Node) -> tuple[MatchKey, str, list[VersionRange], list[str], list[str]]:
    package = entry["package"]
    name = package["name"].text()
    key = MatchKey(families.distribution_ecosystem(package["ecosystem"].text()), name)
    scheme = families.scheme_for(key)
    ranges: list[VersionRange] = []
    for found in optional_items(entry, "ranges"):
        if found["type"].text() in _RELEASE_RANGES:
            ranges += _ranges(found["events"].items(), scheme)
    exact = [release_at(v, scheme) for v in optional_items(entry, "versions")]
    return key, scheme, ranges, exact, _binaries(entry)


def _affected(record: Node) -> tuple[AffectedProduct, ...]:
    merged: dict[tuple[MatchKey, str], list[list[Any]]] = defaultdict(lambda: [[], [], []])
    for entry in optional_items(record, "affected"):
        key, scheme, ranges, exact, binaries = _entry(entry)
        parts = merged[(key, scheme)]
        parts[0] += ranges
        parts[1] += exact
        parts[2] += binaries
    return tuple(
        AffectedProduct(key=key, scheme=scheme, name=key.package,
                        ranges=tuple(dict.fromkeys(ranges)), versions=tuple(dict.fromkeys(exact)),
                        binaries=tuple(dict.fromkeys(binaries)))
        for (key, scheme), (ranges, exact, binaries) in merged.items()
    )


def _ratings(record: Node) -> list[Cvss]:
    holders = [record, *optional_items(record, "affected")]
    found = []
    for holder in holders:
        for severity in optional_items(holder, "severity"):
            if severity["type"].text().startswith("CVSS_"):
                score = severity["score"]
                found.append(rating(score.text(), score.path))
    return found


def _cve_ids(record: Node, identifier: str) -> tuple[str, ...]:
    # Ubuntu names the CVEs only as "UBUNTU-CVE-2025-32463" in `upstream`
    names = [identifier, *(n.text() for f in ("aliases", "upstream")
                           for n in optional_items(record, f))]
    return tuple(dict.fromkeys(m.group() for name in names for m in _CVE.finditer(name)))


def _title(record: Node, identifier: str) -> str:
    for field in ("summary", "details"):
        text = record.get(field)
        if text is not None and isinstance(text.value, str) and text.value.strip():
            return text.text().splitlines()[0][:200]
    return identifier


def parse_osv(document: dict[str, Any]) -> list[Advisory]:
    """The advisory one OSV record describes; none when the record is withdrawn."""
    record = Node(document)
    identifier = record["id"].text()
    modified = record["modified"]
    stamp = modified.timestamp()
    if record.has("withdrawn"):
        record["withdrawn"].timestamp()
        return []
    return [Advisory(
        id=identifier,
        source=SourceFormat.OSV,
        revision=modified.text(),
        modified=stamp,
        title=_title(record, identifier),
        cve_ids=_cve_ids(record, identifier),
        cvss=highest(_ratings(record)),
        affected=_affected(record),
    )]
