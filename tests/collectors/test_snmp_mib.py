import pytest

from collectors.snmp_mib import interfaces, mac, software, text


@pytest.mark.parametrize(
    ("label", "name", "version"),
    [
        ("openssh-server_1:9.2p1-2+deb12u3_amd64", "openssh-server", "1:9.2p1-2+deb12u3"),
        (
            "prometheus-node-exporter-collectors_0.0~git20230203.6f710f8-1+d",
            "prometheus-node-exporter-collectors",
            "0.0~git20230203.6f710f8-1+d",
        ),
        ("openssl-1.0.2k-26.el7_9.x86_64", "openssl", "1.0.2k-26.el7_9"),
        ("bash-4.2.46-35.el7_9.x86_64", "bash", "4.2.46-35.el7_9"),
        ("Mozilla Firefox 115.3.0", "Mozilla Firefox", "115.3.0"),
        ("Microsoft Office Professional Plus 2010", "Microsoft Office Professional Plus 2010", ""),
        ("7-Zip 19.00 (x64)", "7-Zip 19.00 (x64)", ""),
    ],
)
def test_installed_name_splits_into_name_and_version(label: str, name: str, version: str) -> None:
    [fact] = software([label.encode()])
    assert (fact.name, fact.version) == (name, version)


def test_duplicate_and_empty_software_rows_collapse() -> None:
    facts = software([b"a_1_all", b"a_1_all", b"", None, b"b_2_amd64"])
    assert [(f.name, f.version) for f in facts] == [("a", "1"), ("b", "2")]


def test_values_from_odd_agents_do_not_break_decoding() -> None:
    assert text(b"Gi0/1\x00\x00") == "Gi0/1"
    assert text(b"\xff\xfeport") == "\ufffd\ufffdport"
    assert mac(b"\x00\x1a\x2b\x3c\x4d\x5e") == "00:1a:2b:3c:4d:5e"
    assert mac(b"\x00\x01") == ""  # not 6 octets: no MAC rather than garbage


def test_interfaces_join_columns_by_index_and_fall_back_to_ifspeed() -> None:
    facts = interfaces(
        {
            "descr": {1: b"GigabitEthernet0/1", 2: b"Vlan1"},
            "name": {1: b"Gi0/1"},
            "admin": {1: 1, 2: 2},
            "oper": {1: 2, 2: 2},
            "high_speed": {1: 1000},
            "speed": {2: 100_000_000},
            "type": {1: 6, 2: 53},
        }
    )
    assert [(f.name, f.admin_up, f.oper_up, f.speed_bps) for f in facts] == [
        ("Gi0/1", True, False, 1_000_000_000),
        ("Vlan1", False, False, 100_000_000),
    ]
