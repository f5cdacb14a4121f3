"""Tell CSAF, NVD and OSV documents apart, and parse one whatever its format."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from compliance.advisories.csaf import parse_csaf
from compliance.advisories.model import Advisory, SourceFormat
from compliance.advisories.nvd import parse_nvd
from compliance.advisories.osv import parse_osv
from compliance.advisories.reading import AdvisoryFormatError

PARSERS: dict[SourceFormat, Callable[[dict[str, Any]], list[Advisory]]] = {
    SourceFormat.CSAF: parse_csaf,
    SourceFormat.NVD: parse_nvd,
    SourceFormat.OSV: parse_osv,
}


def detect(document: object) -> SourceFormat:
    """The format a loaded JSON document is in, by the fields only that format has."""
    if not isinstance(document, dict):
        raise AdvisoryFormatError("$", "an object (a CSAF, NVD or OSV document)", document)
    if isinstance(document.get("document"), dict) and "csaf_version" in document["document"]:
        return SourceFormat.CSAF
    # NVD: an API page ("format": "NVD_CVE"), one wrapped record, or a bare record (fkie-cad's
    # feed files) which has lastModified where OSV has modified
    nvd_record = "lastModified" in document or "configurations" in document
    if document.get("format") == "NVD_CVE" or isinstance(document.get("cve"), dict) or nvd_record:
        return SourceFormat.NVD
    if "affected" in document or ("modified" in document and "id" in document):
        return SourceFormat.OSV
    raise AdvisoryFormatError(
        "$", "a CSAF 2.0 document ($.document.csaf_version), an NVD CVE record "
        "($.lastModified or $.vulnerabilities[].cve) or an OSV record ($.affected)",
        document,
    )


def parse_document(document: object) -> list[Advisory]:
    """The advisories in one loaded document, whichever of the three formats it is in."""
    source = detect(document)
    assert isinstance(document, dict)  # detect() refuses anything else
    return PARSERS[source](document)
