"""The Annex A catalogue and SoA seed: complete, sourced, mapped as Annex B says, and checked."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from compliance.catalogue_controls import OWN_TRANSLATION, THEMES
from compliance.catalogue_files import Catalogue, load_catalogue
from compliance.catalogue_soa import STATUSES
from compliance.policy import PolicyError, PolicySet
from tests.compliance.conftest import ROOT

# ISO/IEC 27001:2013 Annex A: controls per control objective (A.5.1 has 2, A.6.1 has 5, ...).
OBJECTIVES_2013 = {
    "5.1": 2, "6.1": 5, "6.2": 2, "7.1": 2, "7.2": 3, "7.3": 1, "8.1": 4, "8.2": 3, "8.3": 3,
    "9.1": 2, "9.2": 6, "9.3": 1, "9.4": 5, "10.1": 2, "11.1": 6, "11.2": 9, "12.1": 4, "12.2": 1,
    "12.3": 1, "12.4": 4, "12.5": 1, "12.6": 2, "12.7": 1, "13.1": 3, "13.2": 4, "14.1": 3,
    "14.2": 9, "14.3": 1, "15.1": 3, "15.2": 2, "16.1": 7, "17.1": 3, "17.2": 1, "18.1": 5,
    "18.2": 3,
}  # fmt: skip
# ISO/IEC 27001:2022 Annex A: controls per theme (clauses 5 to 8 of ISO/IEC 27002:2022).
THEME_SIZES_2022 = {"5": 37, "6": 8, "7": 14, "8": 34}
# ISO/IEC 27002:2022 Annex B: the 2022 controls with no 2013 predecessor.
H13, H22 = '[[control_2013]]\nid = "A.12.4.4"', '[[control_2022]]\nid = "8.17"'
NEW_IN_2022 = {"5.7", "5.23", "5.30", "7.4", "8.9", "8.10", "8.11", "8.12", "8.16", "8.23", "8.28"}


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue(ROOT / "policies")


@pytest.fixture
def policy_dir(tmp_path: Path) -> Path:
    target = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", target)
    return target


def _edit_block(path: Path, header: str, key: str, new_line: str | None) -> None:
    """Replace (or, with None, drop) the `key = ...` line of the block that starts with `header`."""
    blocks = path.read_text(encoding="utf-8").split("\n\n")
    hits = [i for i, block in enumerate(blocks) if block.startswith(header)]
    assert len(hits) == 1, header
    lines = blocks[hits[0]].split("\n")
    index = next(i for i, line in enumerate(lines) if line.startswith(f"{key} = "))
    lines[index : index + 1] = [] if new_line is None else [new_line]
    blocks[hits[0]] = "\n".join(lines)
    path.write_text("\n\n".join(blocks), encoding="utf-8")


def _error(policy_dir: Path) -> str:
    with pytest.raises(PolicyError) as info:
        load_catalogue(policy_dir)
    return str(info.value)


def test_catalogue_holds_every_annex_a_control_of_both_editions(catalogue: Catalogue) -> None:
    expected_2013 = {
        f"A.{objective}.{n}"
        for objective, size in OBJECTIVES_2013.items()
        for n in range(1, size + 1)
    }
    expected_2022 = {f"{t}.{n}" for t, size in THEME_SIZES_2022.items() for n in range(1, size + 1)}
    assert len(expected_2013) == 114 and len(expected_2022) == 93
    assert set(catalogue.controls.controls_2013) == expected_2013
    assert set(catalogue.controls.controls_2022) == expected_2022


def test_every_title_exists_in_spanish_and_english_with_its_source(catalogue: Catalogue) -> None:
    sources = catalogue.controls.sources
    controls = [
        *catalogue.controls.controls_2013.values(),
        *catalogue.controls.controls_2022.values(),
    ]
    assert len(controls) == 114 + 93
    for control in controls:
        assert control.title.strip() and control.title_es.strip(), control.id
        assert control.title_es != control.title, control.id
        assert control.title_en_source in sources, control.id
        assert control.title_es_source in sources or control.title_es_source == OWN_TRANSLATION
        assert control.title_in("es-PE") == control.title_es
        assert control.title_in("en") == control.title
    for source in sources.values():
        # a source read from a repository says which file at which commit
        assert not source.repository or (
            source.path and re.fullmatch(r"[0-9a-f]{40}", source.commit)
        )


def test_2022_controls_carry_theme_and_27002_attributes(catalogue: Catalogue) -> None:
    for cid, control in catalogue.controls.controls_2022.items():
        assert control.theme == THEMES[cid.split(".")[0]]
        assert control.attributes is not None
        assert control.attributes.control_type and control.attributes.security_domains
        assert control.attributes.source in catalogue.controls.sources
    # two rows of ISO/IEC 27002:2022 Table A.1, read in the standard's own terms
    config = catalogue.controls.controls_2022["8.9"].attributes
    assert config is not None
    assert config.control_type == ("Preventive",)
    assert config.operational_capabilities == ("Secure_configuration",)
    intel = catalogue.controls.controls_2022["5.7"].attributes
    assert intel is not None
    assert intel.control_type == ("Preventive", "Detective", "Corrective")
    assert intel.cybersecurity_concepts == ("Identify", "Detect", "Respond")


@pytest.mark.parametrize(
    ("control", "successors"),
    [
        # where CISO Assistant's mapping and Annex B disagree, Annex B is kept
        ("A.13.2.1", ("5.14",)),
        ("A.13.2.2", ("5.14",)),
        ("A.13.2.3", ("5.14",)),
        ("A.18.2.3", ("5.36", "8.8")),
        ("A.12.6.2", ("8.19",)),
        ("A.12.7.1", ("8.34",)),
        ("A.9.2.5", ("5.18",)),
        ("A.14.2.4", ("8.32",)),
        ("A.6.1.3", ("5.5",)),
    ],
)
def test_mapping_follows_annex_b(catalogue: Catalogue, control: str, successors: tuple) -> None:
    assert catalogue.controls.controls_2013[control].maps_to == successors


def test_every_2013_control_has_a_successor_and_only_new_controls_lack_one(
    catalogue: Catalogue,
) -> None:
    assert all(c.maps_to for c in catalogue.controls.controls_2013.values())
    without = {cid for cid, c in catalogue.controls.controls_2022.items() if not c.maps_from}
    assert without == NEW_IN_2022
    assert catalogue.controls.controls_2022["8.19"].maps_from == ("A.12.5.1", "A.12.6.2")
    assert catalogue.controls.controls_2022["8.8"].maps_from == ("A.12.6.1", "A.18.2.3")


def test_every_control_has_an_soa_entry_with_applicability_justification_status(
    catalogue: Catalogue,
) -> None:
    soa = catalogue.soa
    assert set(soa.entries_2013) == set(catalogue.controls.controls_2013)
    assert set(soa.entries_2022) == set(catalogue.controls.controls_2022)
    for edition in ("2013", "2022"):
        for cid, entry in soa.entries(edition).items():
            assert entry.control == cid and entry.edition == edition
            assert isinstance(entry.applicable, bool)
            # Spanish prose, not a placeholder
            assert len(entry.justification) > 40
            assert re.search(r"\b(la|el|los|las|de|en|se)\b", entry.justification, re.I), cid
            assert entry.status in STATUSES
            assert entry.owner in soa.units
            assert entry.last_review.year >= 2025


def test_seed_excludes_only_what_the_agency_does_not_do(catalogue: Catalogue) -> None:
    excluded = {
        cid
        for edition in ("2013", "2022")
        for cid, entry in catalogue.soa.entries(edition).items()
        if not entry.applicable
    }
    assert excluded == {"A.14.2.7", "8.30", "5.23"}
    assert "no terceriza" in catalogue.soa.entries_2013["A.14.2.7"].justification
    statuses = {cid: getattr(catalogue.soa.entry(cid), "status", None) for cid in excluded}
    assert set(statuses.values()) == {"not_implemented"}


def test_2022_applicability_agrees_with_its_2013_predecessors(catalogue: Catalogue) -> None:
    soa = catalogue.soa
    for cid, control in catalogue.controls.controls_2022.items():
        if control.maps_from:
            predecessors = {soa.entries_2013[p].applicable for p in control.maps_from}
            assert soa.entries_2022[cid].applicable in predecessors, cid


def test_documented_themes_carry_document_version_and_next_review(catalogue: Catalogue) -> None:
    for cid in ("5.1", "6.1", "7.2", "A.7.1.1", "A.11.1.2"):
        entry = catalogue.soa.entry(cid)
        assert entry is not None and entry.documents, cid
        assert all(d.title and d.version and d.next_review for d in entry.documents)


@pytest.mark.parametrize(
    ("table", "control", "field"),
    [
        ("soa_2013", "A.14.2.7", "justification"),
        ("soa_2013", "A.5.1.1", "applicable"),
        ("soa_2013", "A.12.4.4", "status"),
        ("soa_2022", "8.30", "justification"),
        ("soa_2022", "5.23", "applicable"),
        ("soa_2022", "8.17", "status"),
        ("soa_2022", "5.9", "owner"),
    ],
)
def test_soa_entry_lacking_a_field_names_file_control_and_field(
    policy_dir: Path, table: str, control: str, field: str
) -> None:
    _edit_block(policy_dir / "soa.toml", f'[[{table}]]\ncontrol = "{control}"', field, None)
    message = _error(policy_dir)
    assert "soa.toml" in message and f"{table} {control}" in message
    assert f"field '{field}': missing" in message


def test_control_without_soa_entry_is_an_error(policy_dir: Path) -> None:
    path = policy_dir / "soa.toml"
    text = path.read_text(encoding="utf-8")
    block = next(b for b in text.split("\n\n") if b.startswith('[[soa_2022]]\ncontrol = "8.16"'))
    path.write_text(text.replace(block + "\n\n", ""), encoding="utf-8")
    message = _error(policy_dir)
    assert "soa.toml" in message and "soa_2022 8.16" in message and "no entry" in message


@pytest.mark.parametrize(
    ("header", "key", "line", "expected"),
    [
        ('[[soa_2022]]\ncontrol = "5.23"', "status", 'status = "implemented"', "not_implemented"),
        ('[[soa_2013]]\ncontrol = "A.5.1.1"', "documents", 'documents = ["PO-SI-99"]', "PO-SI-99"),
        ('[[soa_2013]]\ncontrol = "A.5.1.1"', "documents", None, "documentary evidence"),
        ('[[soa_2022]]\ncontrol = "5.9"', "owner", 'owner = "Oficina de TI"', "one of Oficina de"),
        ('[[soa_2022]]\ncontrol = "5.9"', "status", 'status = "done"', "implemented, partial"),
    ],
)
def test_soa_inconsistency_is_an_error(
    policy_dir: Path, header: str, key: str, line: str | None, expected: str
) -> None:
    _edit_block(policy_dir / "soa.toml", header, key, line)
    message = _error(policy_dir)
    control = header.split('"')[1]
    assert "soa.toml" in message and control in message and f"field '{key}'" in message
    assert expected in message


@pytest.mark.parametrize(
    ("header", "key", "line", "expected"),
    [
        (H13, "maps_to", 'maps_to = ["8.99"]', "8.99"),
        (H13, "title_es_source", 'title_es_source = "web"', "own"),
        (H13, "title_es", None, "non-empty string"),
        (H22, "theme", 'theme = "physical"', "technological"),
        (H22, "control_type", 'control_type = ["Fast"]', "Preventive"),
        (H22, "id", 'id = "8.16"', "unique"),
        (H22, "id", 'id = "9.1"', "Annex A control id"),
    ],
)
def test_broken_controls_file_names_file_control_and_field(
    policy_dir: Path, header: str, key: str, line: str | None, expected: str
) -> None:
    _edit_block(policy_dir / "controls.toml", header, key, line)
    message = _error(policy_dir)
    assert "controls.toml" in message and f"field '{key}'" in message and expected in message
    named = line.split('"')[1] if key == "id" and line else header.split('"')[1]
    assert f"control_20{'13' if 'A.' in named else '22'} {named}:" in message


def test_existing_readers_keep_english_titles_and_mapping(policies: PolicySet) -> None:
    assert len(policies.controls_2013) == 114 and len(policies.controls_2022) == 93
    assert policies.controls_2013["A.12.4.4"].title == "Clock synchronisation"
    assert policies.controls_2013["A.12.4.4"].maps_to == ("8.17",)
    assert policies.controls_2022["8.17"].title_in("es") == "Sincronización de relojes"
