"""A published advisory, normalised: what it affects, in which releases, and how bad it is.

CSAF 2.0, NVD CVE JSON 2.0 and OSV documents all become these frozen values, so matching and
the findings built from them never look at a source format again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple


class SourceFormat(StrEnum):
    CSAF = "csaf"
    NVD = "nvd"
    OSV = "osv"


class MatchKey(NamedTuple):
    """What a device must run for a product entry to concern it.

    An operating system is its family as Atalaya names it, with no package ("IOS-XE", "");
    a distribution package is its ecosystem and package name ("Debian:12", "openssl").
    """

    family: str
    package: str = ""


@dataclass(frozen=True)
class Cvss:
    """One CVSS rating; `base_score` and `severity` are computed from `vector`."""

    version: str  # "2.0", "3.0", "3.1", "4.0"
    vector: str
    base_score: float
    severity: str  # NONE, LOW, MEDIUM, HIGH, CRITICAL
    # what the document itself printed, kept when it disagrees with the vector (Fortinet prints
    # its temporal score there: FG-IR-26-174 says 7.3 beside a vector whose base score is 8.1)
    published_score: float | None = None


@dataclass(frozen=True)
class VersionRange:
    """A run of affected releases in one version scheme.

    Bounds left as None are open. `train` alone means every release of that train
    ("FortiOS 7.2 all versions"); with bounds it narrows them to that train too.
    """

    introduced: str | None = None  # lowest affected release
    introduced_inclusive: bool = True  # NVD's versionStartExcluding makes it False
    fixed: str | None = None  # first release that is no longer affected (exclusive end)
    last_affected: str | None = None  # highest affected release (inclusive end)
    train: str | None = None


@dataclass(frozen=True)
class AffectedProduct:
    """One product an advisory names, with the releases it affects and the ones that fix it."""

    key: MatchKey
    scheme: str  # a name from versions.SCHEMES: "ios", "ios-xe", "fortios", "dpkg", "generic"
    name: str  # as the advisory names it: "Cisco IOS XE Software", "openssh"
    ranges: tuple[VersionRange, ...] = ()
    versions: tuple[str, ...] = ()  # exactly listed affected releases
    fixed_versions: tuple[str, ...] = ()  # releases the advisory says fix it, any train
    # binary packages built from a source package (Ubuntu's OSV lists them): installed
    # packages are binaries, so each of these is matched too
    binaries: tuple[str, ...] = ()


@dataclass(frozen=True)
class Advisory:
    """One advisory document (CSAF, OSV) or one CVE record (NVD)."""

    id: str  # "cisco-sa-20180328-smi2", "FG-IR-26-154", "CVE-2023-20198", "USN-7604-1"
    source: SourceFormat
    revision: str  # the document's own version or modification stamp, as published
    modified: dt.datetime  # timezone-aware; stamps without a zone are taken as UTC
    title: str
    cve_ids: tuple[str, ...]
    cvss: Cvss | None  # the highest-scoring rating the document gives; None when it gives none
    affected: tuple[AffectedProduct, ...]
