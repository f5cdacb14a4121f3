"""An `Advisory` as a plain JSON record and back, and the hash of its content.

The CMDB stores advisories as these records (it may not import the parsers), and the evaluation
rebuilds `Advisory` values from them: `from_record(to_record(a)) == a` for every advisory. The
hash is of the normalised record, so a feed file re-downloaded with other whitespace or key
order is recognised as the same content and its re-import changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict
from typing import Any

from compliance.advisories.model import (
    Advisory,
    AffectedProduct,
    Cvss,
    MatchKey,
    SourceFormat,
    VersionRange,
)

Record = dict[str, Any]


def to_record(advisory: Advisory) -> Record:
    """The advisory as JSON-ready values (tuples as lists, the stamp in ISO 8601)."""
    return {
        "id": advisory.id,
        "source": advisory.source.value,
        "revision": advisory.revision,
        "modified": advisory.modified.isoformat(),
        "title": advisory.title,
        "cve_ids": list(advisory.cve_ids),
        "cvss": asdict(advisory.cvss) if advisory.cvss is not None else None,
        "affected": [_product(p) for p in advisory.affected],
    }


def _product(product: AffectedProduct) -> Record:
    return {
        "family": product.key.family,
        "package": product.key.package,
        "scheme": product.scheme,
        "name": product.name,
        "ranges": [asdict(r) for r in product.ranges],
        "versions": list(product.versions),
        "fixed_versions": list(product.fixed_versions),
        "binaries": list(product.binaries),
    }


def from_record(record: Record) -> Advisory:
    """The advisory a record of `to_record` describes."""
    cvss = record.get("cvss")
    modified = dt.datetime.fromisoformat(record["modified"])
    return Advisory(
        id=record["id"],
        source=SourceFormat(record["source"]),
        revision=record["revision"],
        modified=modified if modified.tzinfo else modified.replace(tzinfo=dt.UTC),
        title=record["title"],
        cve_ids=tuple(record.get("cve_ids") or ()),
        cvss=Cvss(**cvss) if cvss else None,
        affected=tuple(
            AffectedProduct(
                key=MatchKey(p["family"], p.get("package", "")),
                scheme=p["scheme"],
                name=p["name"],
                ranges=tuple(VersionRange(**r) for r in p.get("ranges") or ()),
                versions=tuple(p.get("versions") or ()),
                fixed_versions=tuple(p.get("fixed_versions") or ()),
                binaries=tuple(p.get("binaries") or ()),
            )
            for p in record.get("affected") or ()
        ),
    )


def content_hash(record: Record) -> str:
    """SHA-256 of the record's canonical JSON (sorted keys, no spaces)."""
    text = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def severity_of(cvss: Cvss | None) -> str:
    """The finding severity a rating gives: >= 9 critical, >= 7 high, >= 4 medium, else low.

    No rating at all is "medium": unknown badness is neither waved through as low nor
    allowed to outrank a scored critical.
    """
    if cvss is None:
        return "medium"
    score = cvss.base_score
    return "critical" if score >= 9 else "high" if score >= 7 else "medium" if score >= 4 else "low"
