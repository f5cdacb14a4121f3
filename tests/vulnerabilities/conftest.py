"""Advisory files for the import tests: the real fixtures, and altered copies of them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.compliance.advisories.conftest import FIXTURES, document

__all__ = ["FIXTURES", "document", "write"]


def write(folder: Path, name: str, content: dict[str, Any] | str) -> Path:
    path = folder / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), "utf-8")
    return path
