"""Management prefixes in the inventory: what discovery may sweep, and what it refuses."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from cmdb.inventory import apply_inventory, read_csv, read_toml
from cmdb.inventory_schema import InventoryError
from cmdb.models import Site
from tests.cmdb.test_inventory import SMALL, _line_of, _write

NOW = dt.datetime(2026, 11, 30, 12, 0)
DECLARED = 'uplink = "NOR-OR"\n'


def _with_prefixes(value: str) -> str:
    assert DECLARED in SMALL
    return SMALL.replace(DECLARED, f"{DECLARED}management_prefixes = {value}\n")


def test_declared_prefixes_are_stored_for_the_sweep(engine: Engine, tmp_path: Path) -> None:
    path = _write(tmp_path, _with_prefixes('["10.12.3.0/26", "10.12.4.0/27"]'))
    with Session(engine) as s, s.begin():
        apply_inventory(s, read_toml(path), NOW)
    with Session(engine) as s:
        site = s.scalar(select(Site).where(Site.code == "NOR-EP-01"))
        assert site is not None
        assert site.management_prefixes.split() == ["10.12.3.0/26", "10.12.4.0/27"]


def test_a_slash_16_is_refused_naming_the_site_line_and_setting(
    engine: Engine, tmp_path: Path
) -> None:
    text = _with_prefixes('["10.12.0.0/16"]')
    path = _write(tmp_path, text)
    with pytest.raises(InventoryError) as info, Session(engine) as s, s.begin():
        apply_inventory(s, read_toml(path), NOW)
    message = str(info.value)
    assert f"{path}:{_line_of(text, 'management_prefixes')}:" in message, message
    assert "field 'management_prefixes'" in message
    assert "site NOR-EP-01" in message and "10.12.0.0/16" in message
    assert "collect.discovery_widest_prefix" in message
    with Session(engine) as s:  # nothing half-imported
        assert s.scalar(select(Site.id)) is None


def test_the_widest_prefix_is_a_setting(engine: Engine, tmp_path: Path) -> None:
    path = _write(tmp_path, _with_prefixes('["10.12.0.0/16"]'))
    with Session(engine) as s, s.begin():
        apply_inventory(s, read_toml(path), NOW, widest_prefix=16)
    with Session(engine) as s:
        assert s.scalar(select(Site.management_prefixes).where(Site.code == "NOR-EP-01"))


def test_an_address_with_host_bits_is_not_a_prefix(engine: Engine, tmp_path: Path) -> None:
    path = _write(tmp_path, _with_prefixes('["10.12.3.7/26"]'))
    with pytest.raises(InventoryError, match=r"management_prefixes.*no host bits"):
        read_toml(path)


def test_csv_sites_take_prefixes_separated_by_spaces_or_commas(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "code,name,kind,region,management_prefixes\n"
        'NOR-OR,Oficina Regional Norte,regional_office,NOR,"10.1.0.0/24, 10.1.1.0/25"\n',
        "sites.csv",
    )
    assert read_csv(path).sites[0]["management_prefixes"] == "10.1.0.0/24 10.1.1.0/25"
