"""What one text (sysDescr, `show version`) says about a device's operating system."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

# The device kinds the CMDB knows (switch, router, firewall, server, wireless_controller,
# video_endpoint) plus two discovery meets that are not network gear: hypervisors and storage.
DeviceClass = Literal[
    "switch",
    "router",
    "firewall",
    "server",
    "hypervisor",
    "wireless_controller",
    "storage",
    "video_endpoint",
]


@dataclass(frozen=True)
class OsIdentity:
    vendor: str | None = None
    os_name: str | None = None
    os_version: str | None = None
    kernel: str | None = None  # Linux only: the running kernel release
    device_class: DeviceClass | None = None
    rule: str | None = None  # the sysDescr rule that matched: evidence for whoever reads it
    evidence: str | None = None  # the text that rule matched


# A rule's reader turns its match (and the whole text, for hints elsewhere in it) into an identity.
Reader = Callable[[re.Match[str], str], OsIdentity]

ClassHints = tuple[tuple[re.Pattern[str], DeviceClass], ...]


def class_hint(text: str, hints: ClassHints) -> DeviceClass | None:
    """The first device class whose pattern occurs in the text."""
    return next((device_class for pattern, device_class in hints if pattern.search(text)), None)


# Words any vendor uses for what the box is, for text no family rule knows.
GENERIC_CLASS_HINTS: ClassHints = (
    (re.compile(r"\bfirewall\b", re.I), "firewall"),
    (re.compile(r"\b(?:switch|swch)\b", re.I), "switch"),
    (re.compile(r"\brouter\b", re.I), "router"),
)
