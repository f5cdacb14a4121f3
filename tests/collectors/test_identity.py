"""Identification of what discovery finds, against real devices' recorded SNMP answers.

devices.json holds one row per device as LibreNMS recorded it (sysObjectID, sysDescr and the
vendor MIB values `extra_oids_for` names), with the file and commit it came from.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collectors.identity import Identity, extra_oids_for, identify

DEVICES = Path(__file__).parent / "fixtures" / "sysdescr" / "devices.json"
EXPECTED = ("vendor", "os_name", "os_version", "device_class")
LINUX_SERVER_NAMES = {"Linux", "Debian", "Ubuntu", "CentOS Linux", "Red Hat Enterprise Linux"}
# The families issue 16 asks for, each with at least two real devices
FAMILIES = (
    "IOS", "IOS-XE", "NX-OS", "ASA", "FortiOS", "VRP", "ProCurve", "AOS-CX", "Junos", "PAN-OS",
    "RouterOS", "ESXi", "Windows Server", "Linux",
)  # fmt: skip


def load_devices(path: Path) -> list[dict[str, Any]]:
    """The rows of devices.json, each checked so that a bad edit names its row and field."""
    rows = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(rows, list):
        raise ValueError(f"{path}: expected a JSON list of device rows")
    for index, row in enumerate(rows):
        where = f"{path} [{index}]"
        source = row.get("source") or {}
        for field in ("repo", "path"):
            if not isinstance(source.get(field), str) or not source[field]:
                raise ValueError(f"{where}.source.{field}: expected the public repository's name")
        if not re.fullmatch(r"[0-9a-f]{40}", str(source.get("commit"))):
            raise ValueError(f"{where}.source.commit: expected a 40-hex commit")
        if not isinstance(row.get("extra"), dict):
            raise ValueError(f"{where}.extra: expected an object of OID -> value")
        if set(row.get("expected") or {}) != set(EXPECTED):
            raise ValueError(f"{where}.expected: expected exactly the keys {EXPECTED}")
    return rows


ROWS = load_devices(DEVICES)


def row_id(row: dict[str, Any]) -> str:
    return f"{Path(row['source']['path']).stem}@{row['source']['commit'][:7]}"


@pytest.mark.parametrize("row", ROWS, ids=row_id)
def test_real_device_is_identified_with_its_vendor_family_release_and_class(
    row: dict[str, Any],
) -> None:
    identity = identify(row["sys_object_id"], row["sys_descr"], row["extra"])
    assert {field: getattr(identity, field) for field in EXPECTED} == row["expected"]
    if identity.os_name is not None:
        assert identity.rule != "none" and identity.evidence, "a family without its evidence"


def test_every_family_the_issue_names_has_two_real_devices() -> None:
    families = Counter(
        "Linux" if row["expected"]["os_name"] in LINUX_SERVER_NAMES else row["expected"]["os_name"]
        for row in ROWS
    )
    assert {family: families[family] for family in FAMILIES if families[family] < 2} == {}


def test_a_linux_kernel_under_a_makers_enterprise_is_never_a_linux_server() -> None:
    appliances = [
        row
        for row in ROWS
        if "Linux" in (row["sys_descr"] or "") and "1.3.6.1.4.1.8072." not in row["sys_object_id"]
    ]
    assert len(appliances) >= 4  # QNAP, AirOS, two web-managed HP switches
    for row in appliances:
        identity = identify(row["sys_object_id"], row["sys_descr"], row["extra"])
        assert identity.os_name not in LINUX_SERVER_NAMES, row_id(row)
        assert identity.device_class != "server", row_id(row)


def test_a_synology_nas_unasked_for_its_mib_is_a_linux_server_and_asked_is_dsm() -> None:
    row = next(row for row in ROWS if row["expected"]["os_name"] == "DSM")
    assert identify(row["sys_object_id"], row["sys_descr"]).os_name == "Linux"
    assert identify(row["sys_object_id"], row["sys_descr"], row["extra"]).os_name == "DSM"


@pytest.mark.parametrize(
    ("sys_object_id", "expected"),
    [
        ("1.3.6.1.4.1.12356.101.1.644", ("1.3.6.1.4.1.12356.101.4.1.1.0",)),  # FortiGate
        ("1.3.6.1.4.1.12356.15", ("1.3.6.1.4.1.12356.101.4.1.1.0",)),  # an older Fortinet OID
        ("SNMPv2-SMI::enterprises.25461.2.3.54", ("1.3.6.1.4.1.25461.2.1.2.1.1.0",)),
        (".1.3.6.1.4.1.14988.1", ("1.3.6.1.4.1.14988.1.1.4.4.0",)),
        ("1.3.6.1.4.1.8072.3.2.10", ("1.3.6.1.4.1.6574.1.5.3.0",)),  # net-snmp: maybe Synology
        ("1.3.6.1.4.1.9.1.1208", ()),  # Cisco says it all in sysDescr
        (None, ()),
        ("not an oid", ()),
    ],
)
def test_extra_oids_are_the_vendor_mib_objects_of_that_enterprise(
    sys_object_id: str | None, expected: tuple[str, ...]
) -> None:
    assert extra_oids_for(sys_object_id) == expected


def test_every_extra_oid_asked_for_a_real_device_is_one_it_answered() -> None:
    for row in ROWS:
        assert set(row["extra"]) <= set(extra_oids_for(row["sys_object_id"])), row_id(row)


def test_a_vendor_mib_answer_in_an_unexpected_form_is_ignored_not_trusted() -> None:
    fortigate = next(row for row in ROWS if row_id(row).startswith("fortigate_60f@"))
    garbled = {oid: "noSuchObject" for oid in fortigate["extra"]}
    identity = identify(fortigate["sys_object_id"], fortigate["sys_descr"], garbled)
    assert (identity.os_name, identity.os_version) == ("FortiOS", None)
    assert identity.rule == "sysobjectid:1.3.6.1.4.1.12356.101.1"


def test_an_ios_xe_image_of_an_unknown_iosd_train_has_no_release_rather_than_a_wrong_one() -> None:
    descr = "Cisco IOS Software, ISR Software (X86_64_LINUX_IOSD-UNIVERSALK9-M), Version 15.9(9)S"
    identity = identify("1.3.6.1.4.1.9.1.2093", descr)
    assert (identity.os_name, identity.os_version) == ("IOS-XE", None)
    assert "IOSd 15.9(9)S" in identity.evidence


def test_an_unregistered_maker_keeps_no_vendor_and_nothing_is_made_up() -> None:
    identity = identify("1.3.6.1.4.1.4000000000.1", "Widget 3000")
    assert identity == Identity(None, None, None, None, None, rule="enterprise",
                                evidence="sysObjectID 1.3.6.1.4.1.4000000000.1")  # fmt: skip


def test_nothing_answered_gives_an_empty_identity() -> None:
    assert identify(None, None) == Identity(None, None, None, None, None)


@given(
    st.one_of(st.none(), st.text(max_size=80), st.from_regex(r"1\.3\.6\.1\.4\.1(\.\d{1,12}){0,6}")),
    st.one_of(st.none(), st.text(max_size=600)),
    st.dictionaries(st.sampled_from(extra_oids_for("1.3.6.1.4.1.12356")), st.text(max_size=60)),
)
def test_identify_never_raises_on_what_a_device_sends(
    sys_object_id: str | None, sys_descr: str | None, extra: dict[str, str]
) -> None:
    identity = identify(sys_object_id, sys_descr, extra)
    assert identity.os_version is None or identity.os_name is not None
