"""The README's layout table names every package and only folders that exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _table_folders() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Layout") :]
    return set(re.findall(r"^\| \d \| `([^`]+)` \|", section, flags=re.MULTILINE))


def test_layout_table_matches_the_packages() -> None:
    packages = {
        f"{p.parent.relative_to(ROOT)}/"
        for p in ROOT.glob("*/__init__.py")
        if p.parent.name not in ("tests", "bench")
    }
    packages |= {f"atalaya/{p.parent.name}/" for p in ROOT.glob("atalaya/*/__init__.py")}
    packages -= {"atalaya/"}  # shown as its parts: commands/, jobs/, settings.py
    folders = _table_folders()
    assert folders - {"atalaya/settings.py"} == packages
    assert all((ROOT / folder).exists() for folder in folders)
