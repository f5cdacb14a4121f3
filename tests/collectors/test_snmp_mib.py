import pytest

from collectors.snmp_mib import forti_version, interfaces, mac, software, text


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
        # a DisplayName holding its version keeps its whole text and gives the dotted number
        ("7-Zip 19.00 (x64)", "7-Zip 19.00 (x64)", "19.00"),
        ("WinRAR 3.93 (32-bit) 3.93.0", "WinRAR 3.93 (32-bit)", "3.93.0"),
        ("Microsoft SQL Server 2022", "Microsoft SQL Server 2022", ""),
        ("postgresql-server-13.14-1.el9_3.x86_64", "postgresql-server", "13.14-1.el9_3"),
        ("python3-pip-21.2.3-7.el9.noarch", "python3-pip", "21.2.3-7.el9"),
        ("postgresql-16_16.9-0ubuntu0.24.04.1_amd64", "postgresql-16", "16.9-0ubuntu0.24.04.1"),
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


def test_fortigate_version_comes_from_fgsysversion() -> None:
    assert forti_version(b"v7.4.8,build2662,250523 (GA.M)") == "7.4.8"
    assert forti_version(b"v6.2.15,build1378,230412 (GA)") == "6.2.15"
    assert forti_version(b"FortiGate-60F") is None
    assert forti_version(None) is None


def test_speed_is_ifspeed_below_its_ceiling_else_ifhighspeed() -> None:
    facts = interfaces(
        {
            "descr": {1: b"Software Loopback Interface 1", 2: b"Tunnel1", 3: b"Te1/1/1"},
            "speed": {1: 1_073_741_824, 2: 100_000, 3: 4_294_967_295},
            "high_speed": {1: 1_073, 2: 0, 3: 10_000},
        }
    )
    # ifHighSpeed alone would say 1,073,000,000 and 0; ifSpeed saturates at 10 Gbit/s
    assert [f.speed_bps for f in facts] == [1_073_741_824, 100_000, 10_000_000_000]


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
