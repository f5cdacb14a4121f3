"""Vendors' product names turned into the OS family names Atalaya's collectors report.

The collectors name operating systems "IOS", "IOS-XE", "FortiOS", "RoomOS", "Debian", "Ubuntu",
"Windows Server" (collectors/sysdescr.py, collectors/ssh_parsers.py, lab/catalog.py); advisories
say "Cisco IOS XE Software", `cpe:2.3:o:cisco:ios_xe`, "Ubuntu:24.04:LTS". A name with no entry
here keeps the advisory's own spelling, so it simply matches no device.
"""

from __future__ import annotations

from compliance.advisories.model import MatchKey

# CSAF product_name / product_family / product branch names, lower-cased
_PRODUCT_NAMES = {
    "ios": "IOS",
    "cisco ios": "IOS",
    "cisco ios software": "IOS",
    "ios xe": "IOS-XE",
    "ios-xe": "IOS-XE",
    "cisco ios xe": "IOS-XE",
    "cisco ios xe software": "IOS-XE",
    "fortios": "FortiOS",
    "fortinet fortios": "FortiOS",
    "roomos": "RoomOS",
    "cisco roomos software": "RoomOS",
}

# CPE 2.3 vendor and product. debian:debian_linux and canonical:ubuntu_linux are left out on
# purpose: NVD marks whole distribution releases vulnerable when one of their packages is, and
# matching those would flag every Debian 12 server for every such CVE.
_CPE_PRODUCTS = {
    ("cisco", "ios"): "IOS",
    ("cisco", "ios_xe"): "IOS-XE",
    ("fortinet", "fortios"): "FortiOS",
    ("cisco", "roomos"): "RoomOS",
}

_SCHEMES = {"IOS": "ios", "IOS-XE": "ios-xe", "FortiOS": "fortios"}
_DPKG_DISTRIBUTIONS = ("Debian", "Ubuntu")


def from_product_name(name: str) -> str:
    """The family a CSAF product branch names ("Cisco IOS XE Software" -> "IOS-XE")."""
    return _PRODUCT_NAMES.get(" ".join(name.lower().split()), name.strip())


def product_name_prefix(full_name: str) -> tuple[str, str] | None:
    """A known product name at the start of `full_name` and the rest ("Cisco IOS 15.2(7)E4")."""
    words = full_name.split()
    for cut in range(len(words) - 1, 0, -1):
        family = _PRODUCT_NAMES.get(" ".join(words[:cut]).lower())
        if family is not None:
            return family, " ".join(words[cut:])
    return None


def from_cpe(vendor: str, product: str) -> str:
    """The family a CPE names; unknown ones keep a `cpe:vendor:product` key no device has."""
    return _CPE_PRODUCTS.get((vendor, product), f"cpe:{vendor}:{product}")


def distribution_ecosystem(osv_ecosystem: str) -> str:
    """OSV's ecosystem as a device's distribution: "Ubuntu:Pro:16.04:LTS" -> "Ubuntu:16.04".

    Ubuntu Pro (ESM) fixes are kept under the release they patch: a 16.04 server without a Pro
    subscription is still affected, it only cannot install the fix.
    """
    parts = [p for p in osv_ecosystem.split(":") if p not in ("Pro", "LTS", "FIPS")]
    return ":".join(parts)


def device_ecosystem(os_name: str, os_version: str) -> str | None:
    """The OSV ecosystem a device's packages belong to: ("Debian", "12") -> "Debian:12"."""
    if os_name not in _DPKG_DISTRIBUTIONS or not os_version.strip():
        return None
    version = os_version.strip()
    if os_name == "Debian":  # os-release says "12"; point releases (12.4) share the archive
        version = version.split(".")[0]
    return f"{os_name}:{version}"


def scheme_for(key: MatchKey) -> str:
    """The version scheme releases of `key` are numbered in."""
    if key.package:
        distribution = key.family.split(":")[0]
        return "dpkg" if distribution in _DPKG_DISTRIBUTIONS else "generic"
    if key.family.startswith("Forti"):  # FortiProxy, FortiManager: FortiOS's numbering
        return "fortios"
    return _SCHEMES.get(key.family, "generic")
