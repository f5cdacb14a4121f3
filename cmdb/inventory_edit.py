"""Inventory edits from the web: one site, device or link at a time, through the file import's
validation (`validate_record`) and merge (`apply_inventory`), so an edit is checked and recorded
in the change history exactly as an edited inventory file would be.

Optimistic locking: the form carries the CI's `edit_revision`; the save claims it with
``UPDATE … SET edit_revision = edit_revision + 1 WHERE id = ? AND edit_revision = seen`` as its
first statement. Of two saves made from the same form, the database lets one claim it and the
other finds 0 rows: an `EditConflict`, never a silent overwrite.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from cmdb.inventory import ImportSummary, Inventory, apply_inventory
from cmdb.inventory_schema import SECTIONS, FieldSpec, validate_record
from cmdb.models import Device, Link, Site

MODELS: dict[str, Any] = {"site": Site, "device": Device, "link": Link}
KEYS = {"site": "code", "device": "hostname", "link": "site"}
# Not edited here: a site's uplink is its link's peer (edited on the link).
HIDDEN = {"site": ("uplink",)}


class EditConflict(Exception):
    """Someone saved this CI since the form was opened; `revision` is the one now stored."""

    def __init__(self, kind: str, key: str, revision: int) -> None:
        self.kind, self.key, self.revision = kind, key, revision
        super().__init__(f"{kind} {key} was changed by someone else (now revision {revision})")


def fields(kind: str) -> tuple[FieldSpec, ...]:
    return tuple(f for f in SECTIONS[kind] if f.name not in HIDDEN.get(kind, ()))


def declared(kind: str, ci: Any) -> dict[str, Any]:
    """The CI as an inventory file declares it (field name -> value)."""
    if kind == "site":
        return {f.name: (ci.region.code if f.name == "region" else getattr(ci, f.name))
                for f in fields(kind)}  # fmt: skip
    if kind == "device":
        return {f.name: (ci.site.code if f.name == "site" else getattr(ci, f.name))
                for f in fields(kind)}  # fmt: skip
    return {
        "site": ci.site.code,
        "peer": ci.peer_site.code if ci.peer_site else "",
        "kind": ci.kind,
        "probe": ci.probe_address,
        "bandwidth_mbps": ci.bandwidth_mbps,
        "provider": ci.provider,
    }


def key_of(kind: str, ci: Any) -> str:
    return str(declared(kind, ci)[KEYS[kind]])


def edit(
    session: Session,
    kind: str,
    ci_id: int,
    seen_revision: int,
    form: Mapping[str, str],
    user: str,
    at: dt.datetime,
) -> ImportSummary:
    """Validate the form, claim the revision, merge. Raises InventoryError (bad field, named),
    EditConflict, or LookupError (no such CI). The caller owns the transaction."""
    model = MODELS[kind]
    ci = session.get(model, ci_id)
    if ci is None:
        raise LookupError(f"no {kind} {ci_id}")
    key = key_of(kind, ci)
    # the key is the CI's identity in the import: it is not edited, a new key is a new CI
    raw = {f.name: form.get(f.name, "") for f in fields(kind)} | {KEYS[kind]: key}
    record = validate_record(kind, raw, f"web form ({kind} {key})")
    claimed = session.execute(
        update(model)
        .where(model.id == ci_id, model.edit_revision == seen_revision)
        .values(edit_revision=model.edit_revision + 1)
        .execution_options(synchronize_session=False)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        session.refresh(ci)
        raise EditConflict(kind, key, ci.edit_revision)
    inventory = Inventory()
    inventory.section(kind).append(record)
    return apply_inventory(session, inventory, at, source=f"web:{user}")
