"""The Annex A control catalogue (`policies/controls.toml`): both editions, both languages, sourced.

Every title names where it comes from: the id of a `[[source]]` of the file, or "own translation".
2013 controls carry their 2022 successors as ISO/IEC 27002:2022 Annex B gives them; 2022 controls
carry their theme and 27002:2022 attributes, and get their 2013 predecessors from that mapping.
A bad file raises `PolicyError` naming the file, the control and the field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from compliance.policy_reader import PolicyError, Reader

OWN_TRANSLATION = "own translation"
# ISO/IEC 27001:2022 groups Annex A by the first number of the id (27002:2022 clauses 5 to 8).
THEMES = {"5": "organizational", "6": "people", "7": "physical", "8": "technological"}
# The closed value sets of ISO/IEC 27002:2022 clause 4.2, spelled as its hashtags without "#".
ATTRIBUTE_VALUES: dict[str, tuple[str, ...]] = {
    "control_type": ("Preventive", "Detective", "Corrective"),
    "security_properties": ("Confidentiality", "Integrity", "Availability"),
    "cybersecurity_concepts": ("Identify", "Protect", "Detect", "Respond", "Recover"),
    "operational_capabilities": (
        "Governance",
        "Asset_management",
        "Information_protection",
        "Human_resource_security",
        "Physical_security",
        "System_and_network_security",
        "Application_security",
        "Secure_configuration",
        "Identity_and_access_management",
        "Threat_and_vulnerability_management",
        "Continuity",
        "Supplier_relationships_security",
        "Legal_and_compliance",
        "Information_security_event_management",
        "Information_security_assurance",
    ),
    "security_domains": ("Governance_and_Ecosystem", "Protection", "Defence", "Resilience"),
}
CA_RELATIONS = ("equal", "subset", "superset", "intersect", "absent", "differs")
_ID_2013 = re.compile(r"^A\.(?:[5-9]|1[0-8])\.\d{1,2}\.\d{1,2}$")
_ID_2022 = re.compile(r"^[5-8]\.\d{1,2}$")
_TITLE_KEYS = {"id", "title_en", "title_en_source", "title_es", "title_es_source"}


@dataclass(frozen=True)
class Source:
    """Where a title, mapping or attribute set was read (repository, path and commit when known)."""

    id: str
    title: str
    repository: str = ""
    path: str = ""
    commit: str = ""
    note: str = ""


@dataclass(frozen=True)
class Attributes:
    """A 2022 control's attribute values from ISO/IEC 27002:2022 Table A.1."""

    control_type: tuple[str, ...]
    security_properties: tuple[str, ...]
    cybersecurity_concepts: tuple[str, ...]
    operational_capabilities: tuple[str, ...]
    security_domains: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class Control:
    id: str
    title: str  # English, as existing pages and reports print it
    source: str  # where the mapping (2013) or the titles (2022) come from, in words
    maps_to: tuple[str, ...] = ()  # 2013 controls only: their 2022 successors (Annex B)
    title_es: str = ""
    title_en_source: str = ""  # a [[source]] id or OWN_TRANSLATION
    title_es_source: str = ""
    theme: str = ""  # 2022 controls only: organizational | people | physical | technological
    attributes: Attributes | None = None  # 2022 controls only
    maps_from: tuple[str, ...] = ()  # 2022 controls only: their 2013 predecessors (Annex B)
    ca_map: str = ""  # 2013 controls only: CISO Assistant's relation, or absent / differs

    def title_in(self, language: str) -> str:
        """The title in `language` ("es", "es-PE", "en"); English when there is no Spanish one."""
        return self.title_es if language.lower().startswith("es") and self.title_es else self.title


@dataclass(frozen=True)
class ControlCatalogue:
    controls_2013: Mapping[str, Control]
    controls_2022: Mapping[str, Control]
    sources: Mapping[str, Source]


def _sources(file: str, top: Reader) -> dict[str, Source]:
    sources: dict[str, Source] = {}
    for table in top.tables("source"):
        r = Reader(file, f"source {table.get('id', '?')}", table)
        r.check_keys({"id", "title", "repository", "path", "commit", "note"})
        sid = r.text("id")
        if sid in sources or sid == OWN_TRANSLATION:
            raise r.error("id", f"a unique source id other than {OWN_TRANSLATION!r}")
        sources[sid] = Source(
            sid,
            r.text("title"),
            r.text("repository", ""),
            r.text("path", ""),
            r.text("commit", ""),
            r.text("note", ""),
        )
    return sources


def _source_ref(r: Reader, key: str, sources: Mapping[str, Source], own: bool) -> str:
    value = r.text(key)
    if value in sources or (own and value == OWN_TRANSLATION):
        return value
    allowed = ", ".join([*sorted(sources), *([OWN_TRANSLATION] if own else [])])
    raise r.error(key, f"one of the [[source]] ids of {r.file} ({allowed})")


def _unique_id(r: Reader, pattern: re.Pattern[str], example: str, seen: Mapping[str, Any]) -> str:
    cid = r.text("id")
    if not pattern.match(cid):
        raise r.error("id", f"an Annex A control id such as {example!r}")
    if cid in seen:
        raise r.error("id", "a unique control id, got a duplicate")
    return cid


def _titled(r: Reader, sources: Mapping[str, Source], control: Control) -> Control:
    """`control` with its English and Spanish titles and their sources."""
    return replace(
        control,
        title=r.text("title_en"),
        title_en_source=_source_ref(r, "title_en_source", sources, own=False),
        title_es=r.text("title_es"),
        title_es_source=_source_ref(r, "title_es_source", sources, own=True),
    )


def _attributes(r: Reader, sources: Mapping[str, Source]) -> Attributes:
    values: dict[str, tuple[str, ...]] = {}
    for key, allowed in ATTRIBUTE_VALUES.items():
        chosen = r.str_list(key, required=True)
        if not set(chosen) <= set(allowed) or len(set(chosen)) != len(chosen):
            raise r.error(key, "distinct values among " + ", ".join(allowed))
        values[key] = chosen
    return Attributes(**values, source=_source_ref(r, "attributes_source", sources, own=False))


def _control_2022(
    file: str, table: Mapping[str, Any], sources: Mapping[str, Source], seen: Mapping[str, Control]
) -> Control:
    r = Reader(file, f"control_2022 {table.get('id', '?')}", table)
    r.check_keys(_TITLE_KEYS | {"theme", "attributes_source", *ATTRIBUTE_VALUES})
    cid = _unique_id(r, _ID_2022, "8.17", seen)
    clause = cid.split(".")[0]
    if r.choice("theme", tuple(THEMES.values())) != THEMES[clause]:
        raise r.error("theme", f"{THEMES[clause]!r}, the theme of clause {clause}")
    control = Control(cid, "", "", theme=THEMES[clause], attributes=_attributes(r, sources))
    control = _titled(r, sources, control)
    return replace(control, source=f"titles: {control.title_en_source} / {control.title_es_source}")


def _control_2013(
    file: str,
    table: Mapping[str, Any],
    sources: Mapping[str, Source],
    seen: Mapping[str, Control],
    controls_2022: Mapping[str, Control],
) -> Control:
    r = Reader(file, f"control_2013 {table.get('id', '?')}", table)
    r.check_keys(_TITLE_KEYS | {"maps_to", "mapping_source", "ca_map"})
    cid = _unique_id(r, _ID_2013, "A.12.4.4", seen)
    maps_to = r.str_list("maps_to", required=True)
    for target in maps_to:
        if target not in controls_2022:
            raise r.error("maps_to", f"2022 control ids defined in {file} ({target!r} is not)")
    mapping = _source_ref(r, "mapping_source", sources, own=False)
    ca_map = r.choice("ca_map", CA_RELATIONS)
    control = Control(cid, "", f"{mapping} (CA-map: {ca_map})", maps_to=maps_to, ca_map=ca_map)
    return _titled(r, sources, control)


def load_control_catalogue(file: str, data: Mapping[str, Any]) -> ControlCatalogue:
    """Check and build the catalogue of `controls.toml` (already parsed into `data`)."""
    top = Reader(file, "top level", data)
    top.check_keys({"source", "control_2013", "control_2022"})
    sources = _sources(file, top)
    c22: dict[str, Control] = {}
    for table in top.tables("control_2022"):
        control = _control_2022(file, table, sources, c22)
        c22[control.id] = control
    c13: dict[str, Control] = {}
    for table in top.tables("control_2013"):
        control = _control_2013(file, table, sources, c13, c22)
        c13[control.id] = control
    for cid, control in c22.items():
        c22[cid] = replace(control, maps_from=tuple(c for c in c13 if cid in c13[c].maps_to))
    return ControlCatalogue(c13, c22, sources)


def load_controls(
    file: str, data: Mapping[str, Any]
) -> tuple[dict[str, Control], dict[str, Control]]:
    """The 2013 and 2022 controls of `controls.toml`, keyed by id (see `load_control_catalogue`)."""
    catalogue = load_control_catalogue(file, data)
    return dict(catalogue.controls_2013), dict(catalogue.controls_2022)


__all__ = [
    "ATTRIBUTE_VALUES",
    "OWN_TRANSLATION",
    "THEMES",
    "Attributes",
    "Control",
    "ControlCatalogue",
    "PolicyError",
    "Source",
    "load_control_catalogue",
    "load_controls",
]
