"""Typed access to one table of a policy file.

Errors name the file, the entry (rule id, product, ...) and the field, and say what was expected.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class PolicyError(ValueError):
    """A policy file is missing, malformed or refers to something unknown; says where."""


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_version(text: str) -> tuple[int, ...]:
    """Numeric parts of a version: "15.2(7)E7" -> (15, 2, 7, 7)."""
    return tuple(int(part) for part in re.findall(r"\d+", text))


def read_toml(path: Path) -> dict[str, Any]:
    """A policy file's table; a missing or malformed file is a `PolicyError` naming it."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PolicyError(f"{path}: policy file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{path}: not valid TOML: {exc}") from None


@dataclass(frozen=True)
class DatedValue:
    """A date from a source; some give only a month ("2027-10": read as its last day)."""

    date: dt.date
    text: str


@dataclass(frozen=True)
class Reader:
    file: str
    where: str  # "rule NET-VTY-01", "software ubuntu cycle 22.04", ...
    table: Mapping[str, Any]

    def error(self, key: str, expected: str) -> PolicyError:
        got = self.table.get(key, "<missing>")
        return PolicyError(
            f"{self.file}: {self.where}: field '{key}': expected {expected}, got {got!r}"
        )

    def check_keys(self, allowed: set[str]) -> None:
        for key in self.table:
            if key not in allowed:
                raise PolicyError(
                    f"{self.file}: {self.where}: field '{key}': unknown field "
                    f"(expected one of {', '.join(sorted(allowed))})"
                )

    def text(self, key: str, default: str | None = None) -> str:
        value = self.table.get(key, default)
        if not isinstance(value, str) or (default is None and not value.strip()):
            raise self.error(key, "a non-empty string")
        return value

    def choice(self, key: str, choices: tuple[str, ...], default: str | None = None) -> str:
        value = self.table.get(key, default)
        if value not in choices:
            raise self.error(key, "one of " + ", ".join(choices))
        return str(value)

    def str_list(self, key: str, required: bool = False) -> tuple[str, ...]:
        value = self.table.get(key)
        if value is None and not required:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.error(key, "a list of strings")
        if required and not value:
            raise self.error(key, "a non-empty list of strings")
        return tuple(value)

    def number(self, key: str, default: float | None = None) -> float:
        value = self.table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(key, "a number")
        return float(value)

    def optional_number(self, key: str) -> float | None:
        return None if key not in self.table else self.number(key)

    def flag(self, key: str, default: bool = False) -> bool:
        value = self.table.get(key, default)
        if not isinstance(value, bool):
            raise self.error(key, "true or false")
        return value

    def regex(self, key: str, ignore_case: bool = False) -> re.Pattern[str]:
        text = self.text(key)
        try:
            return re.compile(text, re.IGNORECASE if ignore_case else 0)
        except re.error as exc:
            raise self.error(key, f"a valid regular expression ({exc})") from None

    def optional_regex(self, key: str) -> re.Pattern[str] | None:
        return None if key not in self.table else self.regex(key)

    def regex_list(self, key: str, ignore_case: bool = False) -> tuple[re.Pattern[str], ...]:
        result = []
        for text in self.str_list(key, required=True):
            try:
                result.append(re.compile(text, re.IGNORECASE if ignore_case else 0))
            except re.error as exc:
                raise self.error(key, f"valid regular expressions ({text!r}: {exc})") from None
        return tuple(result)

    def date(self, key: str) -> DatedValue | None:
        """A TOML date, or "YYYY-MM" when the source gives only a month; absent: None."""
        value = self.table.get(key)
        if value is None:
            return None
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return DatedValue(value, value.isoformat())
        match = _MONTH.match(value) if isinstance(value, str) else None
        if match and 1 <= int(match.group(2)) <= 12:
            year, month = int(match.group(1)), int(match.group(2))
            last = calendar.monthrange(year, month)[1]
            return DatedValue(dt.date(year, month, last), value)
        raise self.error(key, 'a date (YYYY-MM-DD) or a month ("YYYY-MM")')

    def tables(self, key: str) -> list[Mapping[str, Any]]:
        value = self.table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            raise self.error(key, "an array of tables ([[" + key + "]])")
        return value
