"""CVSS ratings from their vectors, through the `cvss` library (versions 2.0, 3.0, 3.1, 4.0).

The score is computed from the vector rather than copied, so two documents that describe the
same vector never disagree on severity; a printed score that differs is kept beside it.
"""

from __future__ import annotations

from collections.abc import Iterable

from cvss import CVSS2, CVSS3, CVSS4
from cvss.exceptions import CVSSError

from compliance.advisories.model import Cvss
from compliance.advisories.reading import AdvisoryFormatError

_EXPECTED = "a CVSS vector (CVSS:3.1/AV:…, CVSS:4.0/AV:… or a CVSS 2.0 AV:…/Au:…)"


def _v2_severity(score: float) -> str:
    # CVSS 2.0 defines no severity names; these are NVD's bands for it
    return "LOW" if score < 4.0 else "MEDIUM" if score < 7.0 else "HIGH"


def rating(vector: str, path: str, published: float | None = None) -> Cvss:
    """The rating a vector gives; a malformed vector is an error at `path`."""
    text = vector.strip()
    try:
        if text.startswith("CVSS:4.0/"):
            v4 = CVSS4(text)
            score, severity, version = float(v4.base_score), str(v4.severity), "4.0"
        elif text.startswith("CVSS:3."):
            v3 = CVSS3(text)
            score, severity = float(v3.base_score), str(v3.severities()[0])
            version = text[5:8]
        else:
            v2 = CVSS2(text.removeprefix("CVSS:2.0/"))
            score = float(v2.base_score)
            severity, version = _v2_severity(score), "2.0"
    except (CVSSError, ValueError, KeyError, IndexError):
        raise AdvisoryFormatError(path, _EXPECTED, vector) from None
    kept = published if published is not None and abs(published - score) >= 0.05 else None
    return Cvss(version, text, score, severity.upper(), kept)


def highest(ratings: Iterable[Cvss | None]) -> Cvss | None:
    """The worst rating; on a tie, the newer CVSS version."""
    found = [r for r in ratings if r is not None]
    return max(found, key=lambda r: (r.base_score, r.version), default=None)
