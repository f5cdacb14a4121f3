"""Read the control catalogue and the Statement of Applicability seed from a policies directory.

`controls.toml` is reference data (ISO/IEC 27001 Annex A, both editions); `soa.toml` is the agency's
default Statement of Applicability, checked against that catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from compliance.catalogue_controls import ControlCatalogue, load_control_catalogue
from compliance.catalogue_soa import StatementOfApplicability, load_soa
from compliance.policy_reader import read_toml

CONTROLS_FILE = "controls.toml"
SOA_FILE = "soa.toml"


@dataclass(frozen=True)
class Catalogue:
    controls: ControlCatalogue
    soa: StatementOfApplicability


def load_catalogue(directory: str | Path) -> Catalogue:
    """The checked control catalogue and SoA seed of a policies directory."""
    root = Path(directory)
    controls = load_control_catalogue(str(root / CONTROLS_FILE), read_toml(root / CONTROLS_FILE))
    soa = load_soa(
        str(root / SOA_FILE),
        read_toml(root / SOA_FILE),
        controls.controls_2013,
        controls.controls_2022,
    )
    return Catalogue(controls, soa)


__all__ = ["CONTROLS_FILE", "SOA_FILE", "Catalogue", "load_catalogue", "read_toml"]
