from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from cmdb.inventory import apply_inventory, read_csv, read_toml
from cmdb.inventory_export import collect_records, to_toml, write_csv
from cmdb.inventory_schema import InventoryError
from cmdb.models import Change, Device, Link, Region, Site
from tests.conftest import EXAMPLE_INVENTORY

NOW = dt.datetime(2026, 11, 27, 12, 0)

SMALL = """
[[region]]
code = "NOR"
name = "Norte – Chiclayo"

[[site]]
code = "NOR-OR"
name = "Oficina Regional Norte"
kind = "regional_office"
region = "NOR"

[[site]]
code = "NOR-EP-01"
name = "E.P. de Chiclayo"
kind = "establishment"
region = "NOR"
uplink = "NOR-OR"

[[credential]]
name = "snmp-norte"
type = "snmp"
version = "2c"
community = "snmp-norte-community"

[[device]]
hostname = "nor-ep-01-sw01"
site = "NOR-EP-01"
kind = "switch"
platform = "cisco_ios"
address = "127.21.0.1"
snmp_credential = "snmp-norte"
owner = "Unidad de Infraestructura"
purchase_date = 2024-03-01

[[link]]
site = "NOR-EP-01"
probe = "127.21.0.254"
"""


def _line_of(text: str, marker: str) -> int:
    """1-based number of the line that starts with `marker` (the line the error must name)."""
    return next(n for n, line in enumerate(text.splitlines(), 1) if line.startswith(marker))


def _write(tmp_path: Path, text: str, name: str = "inventory.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_example_inventory_has_the_79_sites_in_8_regions(engine: Engine) -> None:
    inventory = read_toml(EXAMPLE_INVENTORY)
    with Session(engine) as s, s.begin():
        apply_inventory(s, inventory, NOW)
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Region)) == 8
        assert s.scalar(select(func.count()).select_from(Site)) == 79
        kinds = dict(s.execute(select(Site.kind, func.count()).group_by(Site.kind)).all())
        assert kinds == {
            "headquarters": 1,
            "data_centre": 1,
            "regional_office": 8,
            "establishment": 69,
        }
        assert (
            s.scalar(select(Region.name).where(Region.code == "NOO")) == "Nor Oriente – San Martín"
        )
        # every site but headquarters has its VPN link, whose peer is its declared uplink
        assert s.scalar(select(func.count()).select_from(Link)) == 78


def test_reimport_is_a_no_op_and_an_edit_leaves_one_change(engine: Engine, tmp_path: Path) -> None:
    path = _write(tmp_path, SMALL)
    with Session(engine) as s, s.begin():
        apply_inventory(s, read_toml(path), NOW)
    with Session(engine) as s, s.begin():
        summary = apply_inventory(s, read_toml(path), NOW)
    assert summary.changes == 0
    _write(tmp_path, SMALL.replace("Unidad de Infraestructura", "Oficina de Seguridad"))
    with Session(engine) as s, s.begin():
        apply_inventory(s, read_toml(path), NOW + dt.timedelta(hours=1), source="inventory")
    with Session(engine) as s:
        changes = s.scalars(select(Change).where(Change.field == "owner")).all()
        assert [(c.ci_name, c.old, c.new, c.source) for c in changes] == [
            ("nor-ep-01-sw01", "Unidad de Infraestructura", "Oficina de Seguridad", "inventory")
        ]


@pytest.mark.parametrize(
    ("edit", "line_marker", "field", "expected"),
    [
        (('kind = "switch"', 'kind = "swich"'), 'kind = "swich"', "kind", "expected one of switch"),
        (
            ('address = "127.21.0.1"', 'address = "127.21.0.300"'),
            "address =",
            "address",
            "an IPv4 or IPv6",
        ),
        (
            ("purchase_date = 2024-03-01", 'purchase_date = "March 2024"'),
            "purchase_date",
            "purchase_date",
            "YYYY-MM-DD",
        ),
        (
            ('site = "NOR-EP-01"\nkind = "switch"', 'site = "NOR-EP-99"\nkind = "switch"'),
            'site = "NOR-EP-99"',
            "site",
            "unknown site 'NOR-EP-99'",
        ),
        (
            ('region = "NOR"\nuplink', 'region = "SUR"\nuplink'),
            'region = "SUR"',
            "region",
            "unknown region 'SUR'",
        ),
        (
            ('snmp_credential = "snmp-norte"', 'snmp_credential = "snmp-sur"'),
            "snmp_credential",
            "snmp_credential",
            "no snmp credential named 'snmp-sur'",
        ),
        (
            ('owner = "Unidad', 'colour = "blue"\nowner = "Unidad'),
            "colour",
            "colour",
            "unknown field",
        ),
        (('hostname = "nor-ep-01-sw01"\n', ""), "[[device]]", "hostname", "missing"),
    ],
)
def test_bad_toml_names_file_line_field_and_expectation(
    engine: Engine,
    tmp_path: Path,
    edit: tuple[str, str],
    line_marker: str,
    field: str,
    expected: str,
) -> None:
    assert edit[0] in SMALL
    text = SMALL.replace(*edit)
    path = _write(tmp_path, text)
    with pytest.raises(InventoryError) as info, Session(engine) as s, s.begin():
        apply_inventory(s, read_toml(path), NOW)
    message = str(info.value)
    line = _line_of(text, line_marker)
    assert f"{path}:{line}:" in message, message
    assert f"field {field!r}" in message
    assert expected in message
    with Session(engine) as s:  # nothing half-imported
        assert s.scalar(select(func.count()).select_from(Site)) == 0


def test_a_bad_row_in_a_later_file_imports_nothing(engine: Engine, tmp_path: Path) -> None:
    good = read_toml(EXAMPLE_INVENTORY)
    devices = _write(
        tmp_path,
        "hostname,site,kind,platform,address\n"
        "lim-hq-sw01,LIM-HQ,switch,cisco_ios,127.21.0.1\n"
        "lim-hq-sw02,LIM-HQ,switch,cisco_ios,not-an-ip\n",
        "devices.csv",
    )
    with pytest.raises(InventoryError) as info:
        bad = read_csv(devices)
        with Session(engine) as s, s.begin():
            apply_inventory(s, good, NOW)
            apply_inventory(s, bad, NOW)
    assert f"{devices} row 3" in str(info.value) and "'address'" in str(info.value)


def test_csv_row_errors_and_unknown_columns_are_named(engine: Engine, tmp_path: Path) -> None:
    with Session(engine) as s, s.begin():
        apply_inventory(s, read_toml(EXAMPLE_INVENTORY), NOW)
    path = _write(
        tmp_path,
        "hostname,site,kind,platform,address\n"
        "a,LIM-HQ,switch,cisco_ios,127.21.0.1\nb,NOWHERE,switch,cisco_ios,127.21.0.2\n",
        "devices.csv",
    )
    with (
        pytest.raises(
            InventoryError, match=r"devices.csv row 3: field 'site': unknown site 'NOWHERE'"
        ),
        Session(engine) as s,
        s.begin(),
    ):
        apply_inventory(s, read_csv(path), NOW)
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Device)) == 0
    odd = _write(tmp_path, "hostname,site,colour\n", "devices.csv")
    with pytest.raises(InventoryError, match="'colour': unknown column"):
        read_csv(odd)


def test_csv_and_toml_exports_round_trip(engine: Engine, tmp_path: Path) -> None:
    with Session(engine) as s, s.begin():
        apply_inventory(s, read_toml(EXAMPLE_INVENTORY), NOW)
        apply_inventory(
            s,
            read_toml(
                _write(
                    tmp_path,
                    SMALL[SMALL.index("[[credential]]") :].replace("NOR-EP-01", "NOR-EP-02"),
                )
            ),
            NOW,
        )
    with Session(engine) as s:
        records = collect_records(s)
    csv_dir = tmp_path / "csv"
    paths = write_csv(records, csv_dir)
    toml_path = _write(tmp_path, to_toml(records), "export.toml")
    again = read_toml(toml_path)
    assert len(again.sites) == 79 and len(again.devices) == 1 and len(again.links) == 78
    assert again.devices[0]["purchase_date"] == dt.date(2024, 3, 1)
    # a partial file that re-declares a link without its peer keeps the known peer
    assert {x["site"]: x["peer"] for x in again.links}["NOR-EP-02"] == "NOR-OR"
    sites = read_csv(csv_dir / "sites.csv")
    assert {s["code"]: s["name"] for s in sites.sites}["NOO-EP-02"] == "E.P. de Moyobamba"
    assert [p.name for p in paths] == ["regions.csv", "sites.csv", "devices.csv", "links.csv"]
    # importing the export into the same CMDB changes nothing
    with Session(engine) as s, s.begin():
        assert apply_inventory(s, again, NOW).changes == 0
