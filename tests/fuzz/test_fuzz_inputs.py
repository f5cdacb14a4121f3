"""Bad input, fuzzed: every malformed inventory or policy gets a clear error, never a crash.

"Clear" is checked, not assumed: the error is our own exception type and names the file.
"""

from __future__ import annotations

import shutil
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cmdb.inventory import read_csv, read_toml
from cmdb.inventory_schema import SECTIONS, InventoryError, validate_record
from compliance.policy import load_policies
from compliance.policy_reader import PolicyError

REPO = Path(__file__).resolve().parents[2]
FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

toml_scalars = st.one_of(
    st.text(max_size=40),
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
    st.dates(),
    st.lists(st.integers(), max_size=3),
)


@FUZZ
@given(st.text(max_size=400))
def test_arbitrary_text_as_toml_inventory(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    path = tmp_path_factory.mktemp("inv") / "inventory.toml"
    path.write_text(text, encoding="utf-8")
    try:
        read_toml(path)
    except InventoryError as exc:
        assert str(path) in str(exc)


@FUZZ
@given(
    st.sampled_from(sorted(SECTIONS)),
    st.dictionaries(
        st.sampled_from(
            [
                "code",
                "name",
                "kind",
                "region",
                "hostname",
                "site",
                "address",
                "platform",
                "snmp_port",
                "purchase_date",
                "latitude",
                "seats",
                "probe",
                "product",
                "version",
                "type",
                "zzz",
            ]
        ),
        toml_scalars,
        max_size=8,
    ),
)
def test_any_field_values_validate_or_name_the_field(section: str, raw: dict[str, object]) -> None:
    try:
        record = validate_record(section, raw, "inventory.toml:1")
    except InventoryError as exc:
        assert exc.field in raw or exc.field in {s.name for s in SECTIONS[section]}
        assert "inventory.toml:1" in str(exc)
    else:
        assert set(record) == {spec.name for spec in SECTIONS[section]}


@FUZZ
@given(
    st.lists(
        st.lists(
            st.text(alphabet=string.printable + "áéíóúñ–\x00", max_size=12), min_size=5, max_size=5
        ),
        max_size=6,
    )
)
def test_arbitrary_csv_rows(
    tmp_path_factory: pytest.TempPathFactory, rows: list[list[str]]
) -> None:
    path = tmp_path_factory.mktemp("csv") / "devices.csv"
    lines = ["hostname,site,kind,platform,address"] + [",".join(r) for r in rows]
    path.write_text("\n".join(lines), encoding="utf-8")
    try:
        read_csv(path)
    except InventoryError as exc:
        assert str(path) in str(exc)


@pytest.fixture(scope="module")
def policy_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("policies")
    shutil.copytree(REPO / "policies", folder, dirs_exist_ok=True)
    return folder


@FUZZ
@given(data=st.data())
def test_policy_files_with_one_value_broken(policy_copy: Path, data: st.DataObject) -> None:
    name = data.draw(
        st.sampled_from(["rules.toml", "software-standard.toml", "controls.toml", "soa.toml"])
    )
    original = (REPO / "policies" / name).read_text(encoding="utf-8")
    lines = original.splitlines()
    candidates = [
        i for i, line in enumerate(lines) if " = " in line and not line.lstrip().startswith("#")
    ]
    index = data.draw(st.sampled_from(candidates))
    key = lines[index].split(" = ", 1)[0]
    value = data.draw(
        st.sampled_from(
            [
                '""',
                "42",
                "true",
                '"(unclosed"',
                "[1, 2]",
                '"2026-13-45"',
                '"🙂"',
                "-1",
                '"' + "x" * 300 + '"',
            ]
        )
    )
    lines[index] = f"{key} = {value}"
    target = policy_copy / name
    target.write_text("\n".join(lines), encoding="utf-8")
    try:
        load_policies(policy_copy)
    except PolicyError as exc:
        assert name in str(exc)
    finally:
        target.write_text(original, encoding="utf-8")
