"""Release ordering per vendor version scheme, and which releases cannot be ordered at all.

- dpkg: Debian and Ubuntu package versions (epochs, tildes, revisions), by python-debian's
  implementation of dpkg's algorithm.
- ios: classic Cisco IOS, `15.2(7)E4` = release 15.2, maintenance 7, train E, rebuild 4.
  Releases of different trains (15.2E, 15.2EX, 12.2SE) are not comparable: each train has its
  own maintenance numbering, so 15.2(7)E4 is neither before nor after 15.2(4)EX1.
- ios-xe: `17.9.4a`, `16.12.10a`, `17.03.04a` as show version prints it; 16.x and 17.x form one
  sequence; the 3.x releases (`3.7.4E`, `03.16.10.S`) are trains of their own.
- fortios: `7.2.5`, `v7.4.8 build2795`; the build number identifies, the patch orders.
- generic: anything else, ordered by dpkg's algorithm on the upstream part.

No library covers the Cisco and Fortinet schemes (univers has neither), so those are parsed here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from debian.debian_support import Version


class VersionError(ValueError):
    """A version string that does not follow the scheme it was given under."""


@dataclass(frozen=True)
class Release:
    """A parsed version: `key` orders it within its lineage; `train` names its branch."""

    scheme: str
    text: str
    canonical: str  # the spelling exact-version lists are compared in
    lineage: str  # releases of different lineages cannot be ordered
    train: str  # "15.2E", "17.9", "7.2"; "" where the scheme has no trains
    key: tuple[Any, ...]


# NVD's CPE names lower-case everything ("12.2\(55\)se12"), so case is normalised, not relied on
_IOS = re.compile(r"(\d+)\.(\d+)\((\d+)([a-z]?)\)([a-z]*)(\d*)([a-z]?)", re.I)
_IOS_XE = re.compile(r"0*(\d+)\.0*(\d+)(?:\.0*(\d+))?\.?([a-z]{0,4})", re.I)
_FORTIOS = re.compile(r"v?(\d+)\.(\d+)(?:\.(\d+))?(?:[\s,]*build\s*(\d+))?(?:\s*\(.*\))?", re.I)


def _no_match(scheme: str, text: str, example: str) -> VersionError:
    return VersionError(f"{text!r} is not a {scheme} version (like {example})")


def _ios(text: str) -> Release:
    found = _IOS.fullmatch(text.replace("\\", ""))
    if found is None:
        raise _no_match("Cisco IOS", text, "15.2(7)E4 or 12.2(55)SE12")
    major, minor, maint, maint_letter, train, rebuild, letter = found.groups()
    train, maint_letter, letter = train.upper(), maint_letter.lower(), letter.lower()
    name = f"{major}.{minor}{train}"
    shown = f"{major}.{minor}({int(maint)}{maint_letter}){train}{rebuild}{letter}"
    # a missing rebuild number sorts first: 12.2(55)SE comes before 12.2(55)SE1
    key = (int(maint), maint_letter, int(rebuild) if rebuild else -1, letter)
    return Release("ios", text, shown, name, name, key)


def _xe_letters(major: int, letters: str) -> tuple[str, str] | None:
    """(rebuild letter, train) of the letters after the numbers, None when they cannot be."""
    if major >= 16:  # 17.9.4a: one rebuild letter, no trains
        return (letters.lower(), "") if len(letters) <= 1 else None
    if letters.islower():  # a CPE's "3.2.0se": all of it is the train
        return "", letters.upper()
    rebuild = letters[: len(letters) - len(letters.lstrip("abcdefghijklmnopqrstuvwxyz"))]
    train = letters[len(rebuild):]
    return (rebuild, train) if train.isupper() or not train else None


def _ios_xe(text: str) -> Release:
    found = _IOS_XE.fullmatch(text)
    split = _xe_letters(int(found.group(1)), found.group(4)) if found else None
    if found is None or split is None:
        raise _no_match("Cisco IOS XE", text, "17.9.4a, 16.12.10 or 3.7.4E")
    major, minor, patch = found.group(1), found.group(2), found.group(3)
    letter, train = split
    numbers = (int(major), int(minor), int(patch) if patch is not None else -1)
    shown = ".".join(str(n) for n in numbers if n >= 0) + letter + train
    lineage = f"3.x{train}" if numbers[0] < 16 else "16+"
    train_name = f"{numbers[0]}.{numbers[1]}{train}"
    return Release("ios-xe", text, shown, lineage, train_name, (*numbers, letter))


def _fortios(text: str) -> Release:
    found = _FORTIOS.fullmatch(text)
    if found is None:
        raise _no_match("FortiOS", text, "7.2.5 or v7.4.8 build2795")
    major, minor, patch, _build = found.groups()
    numbers = (int(major), int(minor), int(patch) if patch is not None else -1)
    shown = ".".join(str(n) for n in numbers if n >= 0)
    return Release("fortios", text, shown, "fortios", f"{numbers[0]}.{numbers[1]}", numbers)


def _dpkg(scheme: str) -> Callable[[str], Release]:
    def parse(text: str) -> Release:
        try:
            version = Version(text)
        except ValueError:
            raise _no_match(scheme, text, "1:9.6p1-3ubuntu13.5") from None
        return Release(scheme, text, str(version), scheme, "", (version,))

    return parse


SCHEMES: dict[str, Callable[[str], Release]] = {
    "ios": _ios,
    "ios-xe": _ios_xe,
    "fortios": _fortios,
    "dpkg": _dpkg("dpkg"),
    "generic": _dpkg("generic"),
}


def parse(scheme: str, text: str) -> Release:
    """The release `text` names under `scheme`; VersionError when it follows another shape."""
    if scheme not in SCHEMES:
        raise VersionError(f"unknown version scheme {scheme!r}: one of {', '.join(SCHEMES)}")
    cleaned = text.strip()
    if not cleaned:
        raise VersionError(f"an empty {scheme} version")
    return SCHEMES[scheme](cleaned)


def order(a: Release, b: Release) -> int | None:
    """-1, 0 or 1 as `a` is before, the same as or after `b`; None when they cannot be ordered."""
    if a.scheme != b.scheme or a.lineage != b.lineage:
        return None
    return (a.key > b.key) - (a.key < b.key)


def compare(scheme: str, a: str, b: str) -> int | None:
    """`order` for two version strings of one scheme."""
    return order(parse(scheme, a), parse(scheme, b))
