"""The layer contracts are live: a back-import or a cycle added to a copy of the code fails
`lint-imports`, and the code as it is passes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("atalaya", "collectors", "cmdb", "compliance", "web", "lab", "policies")
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _copy(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    tree.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "static", "templates", "translations")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tree / package, ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    return tree


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    # cwd first on the path: the copy's packages, not the checkout's, are analysed
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tree,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tree)},
        check=False,
    )


def _append(path: Path, line: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


def test_the_code_keeps_every_contract(tmp_path: Path) -> None:
    result = _lint(_copy(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "bad_import", "broken"),
    [
        ("cmdb/queries.py", "from atalaya.settings import Settings", "Layers"),
        ("collectors/snmp.py", "import cmdb.models", "Layers"),
        ("compliance/engine.py", "import collectors.base", "Layers"),
        ("cmdb/factset.py", "import compliance.engine", "cmdb imports layer 1 contracts only"),
        ("web/sites.py", "import atalaya.jobs.collection", "web never polls"),
        ("web/sites.py", "import collectors.snmp", "web never polls"),
        ("compliance/policy_reader.py", "import compliance.engine", "No import cycle"),
    ],
)
def test_a_back_import_breaks_its_contract(
    tmp_path: Path, module: str, bad_import: str, broken: str
) -> None:
    tree = _copy(tmp_path)
    _append(tree / module, bad_import)
    result = _lint(tree)
    assert result.returncode != 0
    broken_lines = [line for line in result.stdout.splitlines() if "BROKEN" in line]
    assert any(broken in line for line in broken_lines), result.stdout
