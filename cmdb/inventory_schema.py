"""Validation of declared inventory records (TOML tables or CSV rows) into typed records.

Each record is checked field by field; an error names the file, the line or row, the field
and what was expected, so a newcomer can fix it without reading code.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cmdb.models import DEVICE_KINDS, LIFECYCLE_STATUSES, SITE_KINDS

PLATFORMS = ("cisco_ios", "cisco_asa", "fortios", "cisco_roomos", "linux", "windows", "other")
LINK_KINDS = ("vpn", "mpls", "internet", "lan")


class InventoryError(ValueError):
    """Bad inventory input; `where` is 'file:line' or 'file row N'."""

    def __init__(self, where: str, field: str, message: str) -> None:
        self.where, self.field = where, field
        super().__init__(f"{where}: field {field!r}: {message}")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    parse: Callable[[Any], Any]
    expected: str
    required: bool = False
    default: Any = None


def _text(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise ValueError
    return value.strip()


def _nonempty(value: Any) -> str:
    text = _text(value)
    if not text:
        raise ValueError
    return text


def _choice(options: tuple[str, ...]) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = _text(value)
        if text not in options:
            raise ValueError
        return text

    return parse


def _float_or_none(value: Any) -> float | None:
    if value in ("", None):
        return None
    if isinstance(value, bool):
        raise ValueError
    return float(value)


def _port(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError
    port = int(value)
    if not 0 < port < 65536:
        raise ValueError
    return port


def _int_positive(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError
    number = int(value)
    if number < 0:
        raise ValueError
    return number


def _address(value: Any) -> str:
    return str(ipaddress.ip_address(_nonempty(value)))


def _date_or_none(value: Any) -> dt.date | None:
    if value in ("", None):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(_text(value))


def _prefixes(value: Any) -> str:
    """A list of IPv4/IPv6 networks (TOML array, or one text with commas or spaces in CSV),
    kept as one space-separated text; an address with host bits set is refused."""
    items = value if isinstance(value, list) else _text(value).replace(",", " ").split()
    return " ".join(str(ipaddress.ip_network(_nonempty(item), strict=True)) for item in items)


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in ("true", "yes", "1", "sí", "si"):
        return True
    if text in ("false", "no", "0", ""):
        return False
    raise ValueError


REGION = (
    FieldSpec("code", _nonempty, "a short unique code such as 'NOR'", required=True),
    FieldSpec("name", _nonempty, "the region's name", required=True),
    FieldSpec("seat", _text, "the city of the regional office", default=""),
)
SITE = (
    FieldSpec("code", _nonempty, "a unique site code such as 'NOR-EP-01'", required=True),
    FieldSpec("name", _nonempty, "the site's name", required=True),
    FieldSpec("kind", _choice(SITE_KINDS), "one of " + ", ".join(SITE_KINDS), required=True),
    FieldSpec("region", _nonempty, "a region code", required=True),
    FieldSpec("city", _text, "a city name", default=""),
    FieldSpec("latitude", _float_or_none, "a number (degrees)"),
    FieldSpec("longitude", _float_or_none, "a number (degrees)"),
    FieldSpec("uplink", _text, "the code of the site its VPN link reaches", default=""),
    FieldSpec("has_lan", _bool, "true or false", default=True),
    FieldSpec("in_continuity_plan", _bool, "true or false", default=False),
    FieldSpec(
        "management_prefixes",
        _prefixes,
        "a list of networks such as [\"10.12.3.0/26\"] (network address, no host bits)",
        default="",
    ),
)
CREDENTIAL = (
    FieldSpec("name", _nonempty, "a credential name", required=True),
    FieldSpec("type", _choice(("snmp", "ssh")), "'snmp' or 'ssh'", required=True),
    FieldSpec("version", _choice(("2c", "3", "")), "'2c' or '3'", default=""),
    FieldSpec("community", _text, "the NAME of the secret holding the community", default=""),
    FieldSpec("user", _text, "the SNMPv3 user name", default=""),
    FieldSpec(
        "auth_protocol", _choice(("sha", "sha256", "md5", "")), "sha or sha256", default="sha"
    ),
    FieldSpec("auth_key", _text, "the NAME of the secret holding the auth key", default=""),
    FieldSpec("priv_protocol", _choice(("aes", "des", "")), "aes", default="aes"),
    FieldSpec("priv_key", _text, "the NAME of the secret holding the privacy key", default=""),
    FieldSpec("username", _text, "the SSH user name", default=""),
    FieldSpec("password", _text, "the NAME of the secret holding the SSH password", default=""),
    FieldSpec("key_file", _text, "a path to an SSH private key", default=""),
    FieldSpec(
        "enable_secret", _text, "the NAME of the secret holding the enable secret", default=""
    ),
)
DEVICE = (
    FieldSpec("hostname", _nonempty, "a unique host name", required=True),
    FieldSpec("site", _nonempty, "a site code", required=True),
    FieldSpec("kind", _choice(DEVICE_KINDS), "one of " + ", ".join(DEVICE_KINDS), required=True),
    FieldSpec("platform", _choice(PLATFORMS), "one of " + ", ".join(PLATFORMS), required=True),
    FieldSpec("address", _address, "an IPv4 or IPv6 address", required=True),
    FieldSpec("snmp_port", _port, "a port number 1-65535", default=161),
    FieldSpec("ssh_port", _port, "a port number 1-65535", default=22),
    FieldSpec("snmp_credential", _text, "a credential name", default=""),
    FieldSpec("ssh_credential", _text, "a credential name", default=""),
    FieldSpec("vendor", _text, "a vendor name", default=""),
    FieldSpec("model", _text, "a model name", default=""),
    FieldSpec("serial", _text, "a serial number", default=""),
    FieldSpec("owner", _text, "the owning unit or person", default=""),
    FieldSpec("purchase_date", _date_or_none, "a date YYYY-MM-DD"),
    FieldSpec(
        "lifecycle_status",
        _choice(LIFECYCLE_STATUSES),
        "one of " + ", ".join(LIFECYCLE_STATUSES),
        default="active",
    ),
)
LINK = (
    FieldSpec("site", _nonempty, "a site code", required=True),
    FieldSpec("peer", _text, "the site code at the other end", default=""),
    FieldSpec("kind", _choice(LINK_KINDS), "one of " + ", ".join(LINK_KINDS), default="vpn"),
    FieldSpec("probe", _address, "the IP address probed for this link", required=True),
    FieldSpec("bandwidth_mbps", _float_or_none, "a number of Mbit/s"),
    FieldSpec("provider", _text, "the carrier's name", default=""),
)
LICENSE = (
    FieldSpec("product", _nonempty, "the licensed product's name", required=True),
    FieldSpec("seats", _int_positive, "a whole number of seats ≥ 0", required=True),
    FieldSpec("contract", _text, "a contract reference", default=""),
    FieldSpec("expires", _date_or_none, "a date YYYY-MM-DD"),
)
SECTIONS: dict[str, tuple[FieldSpec, ...]] = {
    "region": REGION,
    "site": SITE,
    "credential": CREDENTIAL,
    "device": DEVICE,
    "link": LINK,
    "license": LICENSE,
}


def validate_record(
    section: str, raw: Mapping[str, Any], where: str, field_line: Callable[[str], str] | None = None
) -> dict[str, Any]:
    """Return a clean dict for one record, or raise InventoryError naming the bad field."""
    specs = SECTIONS[section]
    known = {spec.name for spec in specs}
    located = field_line or (lambda _field: where)
    for key in raw:
        if key not in known:
            raise InventoryError(
                located(key),
                key,
                f"unknown field in [[{section}]] (known: {', '.join(sorted(known))})",
            )
    record: dict[str, Any] = {}
    for spec in specs:
        value = raw.get(spec.name)
        if value is None or value == "":
            if spec.required:
                raise InventoryError(
                    located(spec.name), spec.name, f"missing; expected {spec.expected}"
                )
            record[spec.name] = spec.default
            continue
        try:
            record[spec.name] = spec.parse(value)
        except (ValueError, TypeError):
            raise InventoryError(
                located(spec.name), spec.name, f"expected {spec.expected}, got {value!r}"
            ) from None
    return record
