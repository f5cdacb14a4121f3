"""The Statement of Applicability as the security officer keeps it: the seed overlaid by edits.

Pure: the seed (`PolicySet.soa`, from `policies/soa.toml`) and the stored edits (plain mappings
from `cmdb.soa.soa_edits`) in, the effective SoA out; an edit from a form is checked here with the
same rules the seed file obeys (a justification always; an excluded control is not implemented;
an implemented organisational, people or physical control names its documents).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from compliance.catalogue_soa import (
    DOCUMENTED_THEMES,
    STATUSES,
    SoaEntry,
    StatementOfApplicability,
)
from compliance.policy import PolicySet

EDITIONS = ("2013", "2022")


class SoaEditError(ValueError):
    """An edit the SoA cannot take: `field` names the form field, `problem` a code the web
    translates (the message is the English one, for logs and the CLI)."""

    def __init__(self, field: str, problem: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.problem = problem


def themes_of(policies: PolicySet, edition: str, control_id: str) -> frozenset[str]:
    """A 2022 control's theme; a 2013 control takes those of its 2022 successors."""
    if edition == "2022":
        control = policies.controls_2022.get(control_id)
        return frozenset({control.theme}) if control else frozenset()
    c13 = policies.controls_2013.get(control_id)
    successors = c13.maps_to if c13 else ()
    return frozenset(policies.controls_2022[t].theme for t in successors)


def _overlaid(entry: SoaEntry, edit: Mapping[str, Any], soa: StatementOfApplicability) -> SoaEntry:
    values: dict[str, Any] = {
        f: edit[f] for f in ("applicable", "justification", "status", "owner") if f in edit
    }
    if "documents" in edit:
        # a document since removed from soa.toml drops out rather than breaking the record
        kept = [d for d in edit["documents"] if d in soa.documents]
        values["documents"] = tuple(soa.documents[d] for d in kept)
    if "last_review" in edit:
        values["last_review"] = edit["last_review"]
    return dataclasses.replace(entry, **values)


def apply_edits(
    seed: StatementOfApplicability, edits: Iterable[Mapping[str, Any]]
) -> StatementOfApplicability:
    """The effective SoA: each edit ({"edition", "control", edited fields}) over the seed entry.
    An edit of a control the catalogue no longer has is ignored."""
    tables = {"2013": dict(seed.entries_2013), "2022": dict(seed.entries_2022)}
    for edit in edits:
        table = tables.get(str(edit.get("edition")))
        entry = None if table is None else table.get(str(edit.get("control")))
        if table is not None and entry is not None:
            table[entry.control] = _overlaid(entry, edit, seed)
    return dataclasses.replace(seed, entries_2013=tables["2013"], entries_2022=tables["2022"])


def entry_values(entry: SoaEntry) -> dict[str, Any]:
    """An entry as the plain values `cmdb.soa.record_soa_edit` compares and stores."""
    return {
        "applicable": entry.applicable,
        "justification": entry.justification,
        "status": entry.status,
        "owner": entry.owner,
        "documents": [d.id for d in entry.documents],
        "last_review": entry.last_review,
    }


def _review_date(text: str, today: dt.date) -> dt.date:
    if not text.strip():
        return today
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise SoaEditError("last_review", "date", f"expected YYYY-MM-DD, got {text!r}") from None


def check_edit(
    policies: PolicySet,
    edition: str,
    control_id: str,
    form: Mapping[str, Any],
    today: dt.date,
) -> dict[str, Any]:
    """The plain values of a form's edit of one entry, checked; `SoaEditError` names the field.

    `form`: applicable ("yes"/"no"), justification, status, owner, documents (ids), last_review
    (YYYY-MM-DD; empty: today, the day the officer reviewed it).
    """
    soa = policies.soa
    if edition not in EDITIONS or soa.entries(edition).get(control_id) is None:
        raise SoaEditError("control", "unknown", f"no {edition} control {control_id!r}")
    justification = str(form.get("justification", "")).strip()
    if not justification:
        raise SoaEditError("justification", "required", "a justification is required")
    applicable = str(form.get("applicable", "")) == "yes"
    status = str(form.get("status", ""))
    if status not in STATUSES:
        raise SoaEditError("status", "unknown", "expected one of " + ", ".join(STATUSES))
    if not applicable and status != "not_implemented":
        raise SoaEditError("status", "excluded", "an excluded control is not_implemented")
    owner = str(form.get("owner", ""))
    if owner not in soa.units:
        raise SoaEditError("owner", "unknown", "expected one of the units of soa.toml")
    documents = [str(d) for d in form.get("documents", ()) if str(d)]
    unknown = [d for d in documents if d not in soa.documents]
    if unknown:
        raise SoaEditError("documents", "unknown", f"unknown documents {', '.join(unknown)}")
    documented = themes_of(policies, edition, control_id) & DOCUMENTED_THEMES
    if applicable and status in ("implemented", "partial") and documented and not documents:
        raise SoaEditError("documents", "required", f"a {status} control needs a document")
    return {
        "applicable": applicable,
        "justification": justification,
        "status": status,
        "owner": owner,
        "documents": documents,
        "last_review": _review_date(str(form.get("last_review", "")), today),
    }


__all__ = [
    "EDITIONS",
    "SoaEditError",
    "apply_edits",
    "check_edit",
    "entry_values",
    "themes_of",
]
