import json
from pathlib import Path
from typing import Any

import pytest

from collectors.sysdescr import identify

CASES = json.loads((Path(__file__).parent / "fixtures/sysdescr/cases.json").read_text())


@pytest.mark.parametrize("case", CASES, ids=lambda case: case["sys_descr"][:40] or "empty")
def test_sysdescr_identifies_os_family_and_release(case: dict[str, Any]) -> None:
    identity = identify(case["sys_descr"])
    assert (identity.vendor, identity.os_name, identity.os_version) == (
        case["vendor"],
        case["os_name"],
        case["os_version"],
    )
    if "kernel" in case:
        assert identity.kernel == case["kernel"]
