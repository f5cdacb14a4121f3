"""Known vulnerabilities: advisory documents (CSAF 2.0, NVD CVE JSON 2.0, OSV) in, the
advisories affecting a device out, with each vendor's version scheme compared correctly.

Pure, like the rest of compliance/: documents arrive already loaded (dicts), nothing here reads
files, a database or the clock.
"""

from compliance.advisories.formats import detect, parse_document
from compliance.advisories.matching import (
    AdvisoryIndex,
    DeviceExposures,
    Exposure,
    InstalledPackage,
)
from compliance.advisories.model import (
    Advisory,
    AffectedProduct,
    Cvss,
    MatchKey,
    SourceFormat,
    VersionRange,
)
from compliance.advisories.reading import AdvisoryFormatError

__all__ = [
    "Advisory",
    "AdvisoryFormatError",
    "AdvisoryIndex",
    "AffectedProduct",
    "Cvss",
    "DeviceExposures",
    "Exposure",
    "InstalledPackage",
    "MatchKey",
    "SourceFormat",
    "VersionRange",
    "detect",
    "parse_document",
]
