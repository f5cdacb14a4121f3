"""The 79 sites of the national network: read from examples/inventory.toml when it exists.

examples/inventory.toml is the one source of truth for regions, sites and links. Until the
foundation engineer ships it, `builtin_sites` builds the same shape (headquarters, contingency
data centre, 8 regional offices, 69 establishments) so the lab runs either way.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

EXAMPLE_INVENTORY = Path(__file__).resolve().parent.parent / "examples" / "inventory.toml"


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    seat: str


@dataclass(frozen=True)
class Site:
    number: int  # 1-based position: the third octet of its devices' addresses
    code: str
    name: str
    kind: str  # headquarters | data_centre | regional_office | establishment
    region: str
    city: str
    latitude: float
    longitude: float
    uplink: str  # "" for the headquarters
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Link:
    site: str
    peer: str
    kind: str = "vpn"
    bandwidth_mbps: int = 20
    provider: str = "Operador A"


@dataclass(frozen=True)
class Network:
    regions: list[Region]
    sites: list[Site]
    links: list[Link]
    source: str  # where the sites came from


# (code, name, seat, latitude, longitude, establishments)
_REGIONS = (
    ("LIM", "Lima", "Lima", -12.0464, -77.0428, 17),
    ("NOR", "Norte – Chiclayo", "Chiclayo", -6.7714, -79.8409, 11),
    ("SUR", "Sur – Arequipa", "Arequipa", -16.4090, -71.5375, 7),
    ("CEN", "Centro – Huancayo", "Huancayo", -12.0651, -75.2049, 9),
    ("ORI", "Oriente – Huánuco", "Huánuco", -9.9306, -76.2422, 6),
    ("SOR", "Sur Oriente – Cusco", "Cusco", -13.5319, -71.9675, 7),
    ("NOO", "Nor Oriente – San Martín", "Tarapoto", -6.4825, -76.3733, 7),
    ("ALT", "Altiplano – Puno", "Puno", -15.8402, -70.0219, 5),
)


def builtin_sites() -> Network:
    """The fallback site list: same codes and kinds as examples/inventory.toml promises."""
    regions = [Region(code, name, seat) for code, name, seat, _, _, _ in _REGIONS]
    sites = [
        Site(1, "LIM-HQ", "Sede Central", "headquarters", "LIM", "Lima", -12.0464, -77.0428, ""),
        Site(2, "LIM-DC2", "Centro de Datos de Contingencia", "data_centre", "LIM", "Lima",
             -12.0860, -76.9770, "LIM-HQ"),
    ]
    for code, name, seat, lat, lon, _ in _REGIONS:
        sites.append(Site(len(sites) + 1, f"{code}-OR", f"Oficina Regional {name}",
                          "regional_office", code, seat, lat, lon, "LIM-HQ"))
    for code, _, seat, lat, lon, count in _REGIONS:
        for n in range(1, count + 1):
            # small offsets keep establishments apart on a map without pretending precision
            sites.append(Site(len(sites) + 1, f"{code}-EP-{n:02d}", f"E.P. {seat} {n}",
                              "establishment", code, seat, round(lat + 0.05 * n, 4),
                              round(lon - 0.04 * n, 4), f"{code}-OR"))
    links = [Link(s.code, s.uplink) for s in sites if s.uplink]
    return Network(regions, sites, links, "builtin")


def load_network(path: Path | None = None) -> Network:
    """Regions, sites and links from an inventory TOML (its devices, if any, are ignored)."""
    file = path or EXAMPLE_INVENTORY
    if not file.is_file():
        return builtin_sites()
    data = tomllib.loads(file.read_text(encoding="utf-8"))
    regions = [Region(r["code"], r.get("name", r["code"]), r.get("seat", "")) for r in
               data.get("region", [])]
    known = {"code", "name", "kind", "region", "city", "latitude", "longitude", "uplink"}
    sites = [
        Site(i + 1, s["code"], s.get("name", s["code"]), s["kind"], s["region"], s.get("city", ""),
             float(s.get("latitude", 0.0)), float(s.get("longitude", 0.0)), s.get("uplink", ""),
             {k: v for k, v in s.items() if k not in known})
        for i, s in enumerate(data.get("site", []))
    ]
    if len(sites) > 250:
        raise ValueError(f"{file}: {len(sites)} sites; the address scheme holds at most 250")
    links = [Link(lk["site"], lk["peer"], lk.get("kind", "vpn"), int(lk.get("bandwidth_mbps", 20)),
                  lk.get("provider", "Operador A")) for lk in data.get("link", [])]
    if not links:
        links = [Link(s.code, s.uplink) for s in sites if s.uplink]
    return Network(regions, sites, links, str(file))
