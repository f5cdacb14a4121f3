"""The Statement of Applicability seed (`policies/soa.toml`): one entry per Annex A control.

ISO/IEC 27001 clause 6.1.3 d) asks, for every Annex A control, whether it applies and why, and
whether it is implemented. The security officer owns that record; this file is the agency default
that seeds it. A control of either edition without an entry, or an entry lacking its applicability,
justification or status, is a `PolicyError` naming the file, the control and the field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from compliance.catalogue_controls import Control
from compliance.policy_reader import PolicyError, Reader

STATUSES = ("implemented", "partial", "planned", "not_implemented")
# No collector sees a policy being followed, a background check or a locked door: such controls,
# once declared implemented or partial, need a document an auditor can ask for.
DOCUMENTED_THEMES = frozenset({"organizational", "people", "physical"})
_REQUIRED = {
    "applicable": "true or false: whether the control applies",
    "justification": "why the control is included or excluded",
    "status": "one of " + ", ".join(STATUSES),
    "owner": "the unit responsible for the control, one of `units`",
    "last_review": "the date the entry was last reviewed (YYYY-MM-DD)",
}


@dataclass(frozen=True)
class Document:
    """Documentary evidence: a policy, procedure or record, with its version and next review."""

    id: str
    title: str
    version: str
    next_review: dt.date


@dataclass(frozen=True)
class SoaEntry:
    control: str
    edition: str  # "2013" | "2022"
    applicable: bool
    justification: str
    status: str  # one of STATUSES
    owner: str
    documents: tuple[Document, ...]
    last_review: dt.date


@dataclass(frozen=True)
class StatementOfApplicability:
    entries_2013: Mapping[str, SoaEntry]
    entries_2022: Mapping[str, SoaEntry]
    documents: Mapping[str, Document]
    units: tuple[str, ...]

    def entry(self, control_id: str) -> SoaEntry | None:
        """The entry of a 2013 ("A.12.4.4") or 2022 ("8.17") control id."""
        return self.entries_2013.get(control_id) or self.entries_2022.get(control_id)

    def entries(self, edition: str) -> Mapping[str, SoaEntry]:
        if edition not in ("2013", "2022"):
            raise ValueError(f"edition: expected '2013' or '2022', got {edition!r}")
        return self.entries_2013 if edition == "2013" else self.entries_2022


def _documents(file: str, top: Reader) -> dict[str, Document]:
    documents: dict[str, Document] = {}
    for table in top.tables("document"):
        r = Reader(file, f"document {table.get('id', '?')}", table)
        r.check_keys({"id", "title", "version", "next_review"})
        did = r.text("id")
        if did in documents:
            raise r.error("id", "a unique document id, got a duplicate")
        next_review = r.date("next_review")
        if next_review is None:
            raise r.error("next_review", "the date the document is next reviewed (YYYY-MM-DD)")
        documents[did] = Document(did, r.text("title"), r.text("version"), next_review.date)
    return documents


def _require(r: Reader) -> None:
    for key, expected in _REQUIRED.items():
        if key not in r.table:
            raise PolicyError(f"{r.file}: {r.where}: field '{key}': missing; expected {expected}")


def _evidence(r: Reader, documents: Mapping[str, Document]) -> tuple[Document, ...]:
    ids = r.str_list("documents")
    for did in ids:
        if did not in documents:
            raise r.error("documents", f"[[document]] ids of {r.file} ({did!r} is not one)")
    return tuple(documents[did] for did in ids)


def _entry(
    r: Reader,
    edition: str,
    themes: frozenset[str],
    units: tuple[str, ...],
    documents: Mapping[str, Document],
) -> SoaEntry:
    r.check_keys({"control", *_REQUIRED, "documents"})
    _require(r)
    applicable = r.flag("applicable")
    status = r.choice("status", STATUSES)
    if not applicable and status != "not_implemented":
        raise r.error("status", "'not_implemented' for a control that does not apply")
    evidence = _evidence(r, documents)
    documented = themes & DOCUMENTED_THEMES
    if applicable and status in ("implemented", "partial") and documented and not evidence:
        raise r.error(
            "documents",
            f"at least one [[document]] id: a {status} {'/'.join(sorted(documented))} control "
            "needs documentary evidence",
        )
    last_review = r.date("last_review")
    if last_review is None:
        raise r.error("last_review", _REQUIRED["last_review"])
    return SoaEntry(
        r.text("control"),
        edition,
        applicable,
        r.text("justification"),
        status,
        r.choice("owner", units),
        evidence,
        last_review.date,
    )


def _entries(
    file: str,
    top: Reader,
    edition: str,
    themes: Mapping[str, frozenset[str]],
    units: tuple[str, ...],
    documents: Mapping[str, Document],
) -> dict[str, SoaEntry]:
    key = f"soa_{edition}"
    entries: dict[str, SoaEntry] = {}
    for table in top.tables(key):
        r = Reader(file, f"{key} {table.get('control', '?')}", table)
        cid = r.text("control")
        if cid not in themes:
            raise r.error("control", f"a {edition} control id of controls.toml")
        if cid in entries:
            raise r.error("control", "one entry per control, got a duplicate")
        entries[cid] = _entry(r, edition, themes[cid], units, documents)
    missing = [cid for cid in themes if cid not in entries]
    if missing:
        listed = ", ".join(missing[:5]) + (", ..." if len(missing) > 5 else "")
        raise PolicyError(
            f"{file}: {key} {missing[0]}: no entry; expected one [[{key}]] per Annex A control "
            f"({len(missing)} missing: {listed})"
        )
    return entries


def load_soa(
    file: str,
    data: Mapping[str, Any],
    controls_2013: Mapping[str, Control],
    controls_2022: Mapping[str, Control],
) -> StatementOfApplicability:
    """Check the SoA seed (`data`, parsed from `file`) against the control catalogue; build it."""
    top = Reader(file, "top level", data)
    top.check_keys({"units", "document", "soa_2013", "soa_2022"})
    units = top.str_list("units", required=True)
    documents = _documents(file, top)
    themes_2022 = {cid: frozenset({c.theme}) for cid, c in controls_2022.items()}
    # A 2013 control takes the themes of its 2022 successors (A.6.2.1 mobile devices -> 8.1).
    themes_2013 = {
        cid: frozenset(controls_2022[t].theme for t in c.maps_to if t in controls_2022)
        for cid, c in controls_2013.items()
    }
    return StatementOfApplicability(
        _entries(file, top, "2013", themes_2013, units, documents),
        _entries(file, top, "2022", themes_2022, units, documents),
        documents,
        units,
    )


__all__ = [
    "DOCUMENTED_THEMES",
    "STATUSES",
    "Document",
    "SoaEntry",
    "StatementOfApplicability",
    "load_soa",
]
