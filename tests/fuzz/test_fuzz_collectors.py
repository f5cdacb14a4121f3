"""Bad device answers, fuzzed: raw SNMP values and CLI output the parsers do not expect.

The contract checked: every decoding function gives facts (within the ranges the CMDB columns
hold) or, for the SSH parsers, raises `Unparsed` (which the collector records as a skipped
part); never another exception, which would fail the whole device or the ingest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from cmdb import db
from cmdb.ingest import ingest_device_facts
from cmdb.models import Device, InstalledSoftware, Interface, Region, Site
from collectors import snmp_mib as mib
from collectors import ssh_parsers
from collectors.base import DeviceFacts
from collectors.ssh_parsers import Unparsed
from collectors.sysdescr import identify

FUZZ = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
FIXTURES = Path(__file__).resolve().parents[1] / "collectors" / "fixtures" / "ssh"

# What gufo-snmp hands over: bytes for OCTET STRING (any octets, not only UTF-8), int for the
# integer types (an agent may encode any length), str for OIDs, float for Opaque, None.
raw_values = st.one_of(
    st.none(),
    st.binary(max_size=300),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.text(max_size=300),
    st.floats(allow_nan=True),
    st.booleans(),
    # digits past Python's 4,300-digit int() limit, as text and as an OCTET STRING
    st.integers(4_301, 5_000).map(lambda n: "9" * n),
    st.integers(4_301, 5_000).map(lambda n: b"7" * n),
)
odd_text = st.one_of(
    st.binary(max_size=400).map(lambda b: b.decode("latin-1")),
    st.text(max_size=400),
    st.sampled_from(["", "\x00" * 50, "Linux", "Cisco IOS Software Version", "Windows Version"]),
)


@given(raw_values)
def test_raw_value_decoders_never_raise(value: mib.ValueType) -> None:
    assert isinstance(mib.text(value), str)
    number = mib.integer(value, mib.GAUGE32)
    assert number is None or 0 <= number <= 2**32 - 1
    assert mib.mac(value) == "" or len(mib.mac(value)) == 17
    version = mib.forti_version(value)
    assert version is None or version[0].isdigit()


@given(st.lists(st.tuples(st.text(max_size=40), raw_values), max_size=20))
def test_walk_rows_keep_only_indexes_an_agent_can_send(
    rows: list[tuple[str, mib.ValueType]],
) -> None:
    column = mib.IF_COLUMNS["descr"]
    rows = rows + [(f"{column}.{index}", value) for index, (_, value) in enumerate(rows)]
    indexed = mib.by_index(rows, column)
    assert all(0 <= index <= 2**31 - 1 for index in indexed)


columns = st.dictionaries(
    st.sampled_from(sorted(mib.IF_COLUMNS)),
    st.dictionaries(st.integers(1, 2**31 - 1), raw_values, max_size=6),
    max_size=len(mib.IF_COLUMNS),
)


@FUZZ
@given(columns)
def test_interface_columns_become_facts_within_snmp_ranges(
    table: dict[str, dict[int, mib.ValueType]],
) -> None:
    for fact in mib.interfaces(table):
        assert fact.speed_bps is None or 0 <= fact.speed_bps <= (2**32 - 1) * 1_000_000
        assert fact.mtu is None or 0 <= fact.mtu <= 2**31 - 1
        assert fact.kind is None or 1 <= fact.kind <= 2**31 - 1
        assert isinstance(fact.name, str) and isinstance(fact.alias, str)


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(["descr", "unit", "size", "used"]),
        st.dictionaries(st.integers(1, 20), raw_values, max_size=4),
    ),
    st.lists(raw_values, max_size=20),
)
def test_storage_and_software_values_become_facts(
    table: dict[str, dict[int, mib.ValueType]], names: list[mib.ValueType]
) -> None:
    for storage in mib.storage(table):
        assert 0 <= storage.size_bytes < 2**63 and 0 <= storage.used_bytes < 2**63
    for software in mib.software(names):
        assert software.name and len(software.name) <= mib.MAX_SOFTWARE_LABEL


@FUZZ
@given(odd_text)
def test_sys_descr_identification_never_raises(sys_descr: str) -> None:
    identity = identify(sys_descr)
    assert identity.os_version is None or identity.os_name


def test_sys_descr_with_an_absurd_build_number_is_not_a_crash() -> None:
    # int() of more than 4,300 digits raises ValueError: it used to escape identify()
    identity = identify("Hardware: x86 Windows Version 6.3 (Build " + "9" * 5_000 + ")")
    assert identity.os_name in (None, "Windows")


@pytest.fixture(scope="module")
def cmdb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = db.make_engine(f"sqlite:///{tmp_path_factory.mktemp('fuzzdb') / 'atalaya.db'}")
    db.upgrade(engine)
    with Session(engine) as session, session.begin():
        region = Region(code="NORTE", name="Norte")
        session.add(region)
        session.flush()
        site = Site(code="NOR-EP-01", name="EP 1", kind="establishment", region_id=region.id)
        session.add(site)
        session.flush()
        session.add(
            Device(hostname="sw1", site_id=site.id, kind="switch", platform="cisco_ios", address="")
        )
    yield engine
    engine.dispose()


def _length(model: type[Any], column: str) -> int:
    length: int = model.__table__.c[column].type.length
    return length


@FUZZ
@given(
    columns,
    st.lists(st.one_of(raw_values, st.text(min_size=200, max_size=400)), max_size=8),
    odd_text,
)
def test_fuzzed_snmp_facts_ingest_within_the_column_sizes(
    cmdb: Engine,
    table: dict[str, dict[int, mib.ValueType]],
    names: list[mib.ValueType],
    descr: str,
) -> None:
    facts = DeviceFacts("sw1", "snmp", dt.datetime.now(dt.UTC))
    facts.interfaces = mib.interfaces(table)
    facts.software = mib.software(names)
    facts.sys_descr = descr.replace("\x00", "")
    identity = identify(facts.sys_descr)
    facts.os_name, facts.os_version = identity.os_name, identity.os_version
    facts.model = facts.sys_descr  # a model string of any length, as a broken agent sends
    with Session(cmdb) as session:
        session.begin()
        ingest_device_facts(session, facts)
        session.flush()
        device = session.scalar(select(Device).where(Device.hostname == "sw1"))
        assert device is not None
        assert len(device.model) <= _length(Device, "model")
        limits = {c: _length(Interface, c) for c in ("name", "description", "mac")}
        for interface in device.interfaces:
            for column, length in limits.items():
                assert len(getattr(interface, column)) <= length
        name_length = _length(InstalledSoftware, "name")
        assert all(len(s.name) <= name_length for s in device.software)
        session.rollback()  # every example starts from the same empty device


def _recorded_outputs() -> list[str]:
    return [(case / "output.txt").read_text() for case in sorted(FIXTURES.iterdir())]


# Real outputs cut at any point, random text, and bytes that are not text at all (decoded the
# way netmiko decodes: UTF-8 with replacement characters).
cli_output = st.one_of(
    st.text(max_size=600),
    st.binary(max_size=600).map(lambda b: b.decode("utf-8", errors="replace")),
    st.tuples(st.sampled_from(_recorded_outputs()), st.floats(0, 1)).map(
        lambda pair: pair[0][: int(len(pair[0]) * pair[1])]
    ),
    st.tuples(st.sampled_from(_recorded_outputs()), st.text(max_size=40)).map(
        lambda pair: pair[0].replace("\n", pair[1] + "\n", 3)
    ),
)
PARSERS = [
    ssh_parsers.show_version,
    ssh_parsers.show_inventory,
    ssh_parsers.ikev2_sas,
    ssh_parsers.os_release,
    ssh_parsers.packages,
    ssh_parsers.sshd_t,
    ssh_parsers.units_active,
    ssh_parsers.remote_syslog,
    ssh_parsers.count,
]


@FUZZ
@given(cli_output)
def test_cli_parsers_give_facts_or_unparsed(text: str) -> None:
    outcomes = []
    for parser in PARSERS:
        try:
            parser(text)
            outcomes.append("facts")
        except Unparsed as exc:
            assert str(exc), parser.__name__  # the reason recorded in DeviceFacts.skipped
            outcomes.append("skipped")
    assert len(outcomes) == len(PARSERS)


def test_ike_sa_with_an_absurd_dh_group_is_skipped_not_a_crash() -> None:
    text = (FIXTURES / "ikev2_sa_ready" / "output.txt").read_text()
    broken = text.replace("DH Grp:", "DH Grp:" + "1" * 5_000, 1)
    assert "DH Grp:" in text
    for sa in ssh_parsers.ikev2_sas(broken):
        assert sa.dh_group is None or sa.dh_group < 10**9
