"""Walk a loaded JSON document so that every complaint names the JSON path it is about.

`Node` wraps a value with its path (`$.vulnerabilities[0].scores[0]`); asking it for a field of
the wrong type or one that is missing raises `AdvisoryFormatError` saying where and what was
expected, which is what a security officer needs to fix or report a bad feed file.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from compliance.advisories import versions


class AdvisoryFormatError(ValueError):
    """A document that is not the advisory format it claims to be."""

    def __init__(self, path: str, expected: str, found: object = None, *, missing: bool = False):
        self.path = path
        self.expected = expected
        shown = "nothing (the field is missing)" if missing else _describe(found)
        super().__init__(f"{path}: expected {expected}, found {shown}")


def _describe(value: object) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    kind = names.get(type(value), "a number" if isinstance(value, int | float) else "a value")
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        text = repr(value)
        return f"{kind} {text[:60]}{'…' if len(text) > 60 else ''}"
    return kind


class Node:
    """A value inside a document and the path that leads to it."""

    __slots__ = ("path", "value")

    def __init__(self, value: Any, path: str = "$"):
        self.value = value
        self.path = path

    def _object(self) -> dict[str, Any]:
        if not isinstance(self.value, dict):
            raise AdvisoryFormatError(self.path, "an object", self.value)
        return self.value

    def __getitem__(self, key: str) -> Node:
        found = self._object()
        if key not in found:
            raise AdvisoryFormatError(f"{self.path}.{key}", "a value", missing=True)
        return Node(found[key], f"{self.path}.{key}")

    def get(self, key: str) -> Node | None:
        """The field, or None when it is absent or null (optional fields)."""
        found = self._object()
        if found.get(key) is None:
            return None
        return Node(found[key], f"{self.path}.{key}")

    def has(self, key: str) -> bool:
        return isinstance(self.value, dict) and self.value.get(key) is not None

    def text(self) -> str:
        if not isinstance(self.value, str) or not self.value.strip():
            raise AdvisoryFormatError(self.path, "a non-empty string", self.value)
        return self.value.strip()

    def number(self) -> float:
        if isinstance(self.value, bool) or not isinstance(self.value, int | float):
            raise AdvisoryFormatError(self.path, "a number", self.value)
        return float(self.value)

    def flag(self) -> bool:
        if not isinstance(self.value, bool):
            raise AdvisoryFormatError(self.path, "true or false", self.value)
        return self.value

    def items(self) -> list[Node]:
        if not isinstance(self.value, list):
            raise AdvisoryFormatError(self.path, "an array", self.value)
        return [Node(item, f"{self.path}[{n}]") for n, item in enumerate(self.value)]

    def texts(self) -> list[str]:
        return [item.text() for item in self.items()]

    def timestamp(self) -> dt.datetime:
        """An ISO 8601 date-time; one without a zone is taken as UTC (NVD writes them so)."""
        text = self.text()
        try:
            # fromisoformat keeps microseconds only: OSV writes nanoseconds
            stamp = dt.datetime.fromisoformat(_trim_fraction(text))
        except ValueError:
            raise AdvisoryFormatError(self.path, "an ISO 8601 date-time", text) from None
        return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)


def _trim_fraction(text: str) -> str:
    head, dot, rest = text.partition(".")
    if not dot:
        return text
    digits = len(rest) - len(rest.lstrip("0123456789"))
    return f"{head}.{rest[:min(digits, 6)]}{rest[digits:]}"


def release_at(node: Node, scheme: str, text: str | None = None) -> str:
    """`text` (by default the node's string) as a release of `scheme`, refused at the node."""
    version = node.text() if text is None else text
    try:
        versions.parse(scheme, version)
    except versions.VersionError as error:
        raise AdvisoryFormatError(node.path, f"a version in the {scheme} scheme",
                                  node.value) from error
    return version


def optional_items(node: Node, key: str) -> list[Node]:
    """The elements of an optional array field; none when it is absent."""
    found = node.get(key)
    return [] if found is None else found.items()


def optional_text(node: Node, key: str) -> str | None:
    found = node.get(key)
    return None if found is None else found.text()
