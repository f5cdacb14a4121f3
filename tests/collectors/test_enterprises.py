from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

from collectors.enterprises import (
    REGISTRY,
    Enterprise,
    RegistryError,
    enterprise_number,
    enterprise_of,
    load_registry,
    registry,
)

SOURCES = REGISTRY.parent / "SOURCES.md"


@pytest.mark.parametrize(
    "sys_object_id",
    [
        "1.3.6.1.4.1.9.1.1208",
        ".1.3.6.1.4.1.9.1.1208",
        "SNMPv2-SMI::enterprises.9.1.1208",
        "enterprises.9.1.1208",
        "iso.3.6.1.4.1.9.1.1208",
        " 1.3.6.1.4.1.9 ",
    ],
)
def test_every_printed_form_of_a_cisco_sys_object_id_is_enterprise_9(sys_object_id: str) -> None:
    assert enterprise_of(sys_object_id) == Enterprise(9, "ciscoSystems")


@pytest.mark.parametrize(
    "sys_object_id",
    ["", "0.0", ".0.0.0", "1.3.6.1.4.1", "1.3.6.1.2.1.1.2.0", "CISCO-PRODUCTS-MIB::cat2960", "9"],
)
def test_an_oid_outside_the_enterprises_arc_has_no_enterprise(sys_object_id: str) -> None:
    assert enterprise_number(sys_object_id) is None
    assert enterprise_of(sys_object_id) is None


def test_a_number_iana_never_assigned_has_a_number_but_no_organisation() -> None:
    assert enterprise_number("1.3.6.1.4.1.4000000000.1") == 4_000_000_000
    assert enterprise_of("1.3.6.1.4.1.4000000000.1") is None


def test_the_registry_knows_the_makers_of_the_agencys_and_discoverys_devices() -> None:
    names = registry()
    assert names[12356] == "Fortinet, Inc."
    assert names[2011] == "HUAWEI Technology Co.,Ltd"
    assert names[47196] == "Hewlett Packard Enterprise"
    assert names[8072] == "net-snmp"


def test_the_registry_is_read_once() -> None:
    assert registry() is registry()


def test_sources_md_states_the_shipped_registrys_size_and_last_entry() -> None:
    text = SOURCES.read_text(encoding="utf-8")
    names = registry()
    stated = re.search(r"(\d[\d,]*) entries", text)
    assert stated is not None, f"{SOURCES}: expected 'N entries'"
    assert int(stated.group(1).replace(",", "")) == len(names)
    assert f"{max(names)}" in text


def test_a_damaged_registry_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "enterprises.tsv.gz"
    path.write_bytes(gzip.compress(b"0\tReserved\n9 ciscoSystems\n"))
    with pytest.raises(RegistryError, match=r"enterprises\.tsv\.gz line 2: expected 'number<TAB>"):
        load_registry(path)


def test_a_repeated_number_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "enterprises.tsv.gz"
    path.write_bytes(gzip.compress(b"9\tciscoSystems\n9\tCisco again\n"))
    with pytest.raises(RegistryError, match="line 2: enterprise 9 listed twice"):
        load_registry(path)


def test_a_registry_that_is_not_gzip_is_refused_with_its_path(tmp_path: Path) -> None:
    path = tmp_path / "enterprises.tsv.gz"
    path.write_text("9\tciscoSystems\n")
    with pytest.raises(RegistryError, match=f"{re.escape(str(path))}: cannot read"):
        load_registry(path)
