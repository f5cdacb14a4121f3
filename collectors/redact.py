"""Remove secrets from device configurations before they leave the collector.

Each secret *value* is replaced by a fixed placeholder and the line is kept, so the
compliance rules still see that e.g. ``enable password 7`` or a type-7 ``username … password``
exists (NET-PWD-01) and the snapshot diff still shows *that* a key changed, never its value.

Deliberate exception: the well-known default SNMP communities ``public`` and ``private`` stay
visible. They protect nothing, they are the finding (NET-SNMP-01), and redacting them would
hide the one thing the security officer needs to see. Every other community is redacted.
"""

from __future__ import annotations

import re

PLACEHOLDER = "<removed>"
DEFAULT_COMMUNITIES = frozenset({"public", "private"})

_TYPE = r"(?: [0-9])?"  # Cisco's encryption type digit (0 clear, 5/8/9 hashes, 7 reversible)
_REST = r"(?P<value>\S.*?)"  # a value running to the end of the line
_WORD = r"(?P<value>\S+)"  # a value followed by more keywords

# (pattern with a <value> group, keep default communities visible)
RULES: tuple[tuple[re.Pattern[str], bool], ...] = tuple(
    (re.compile(pattern), keep_defaults)
    for pattern, keep_defaults in (
        (rf"^\s*enable (?:secret|password)(?: level \d+)?{_TYPE} {_REST}\s*$", False),
        (rf"^\s*username \S+(?: .*?)? (?:secret|password){_TYPE} {_REST}\s*$", False),
        (rf"^\s*snmp-server community {_WORD}", True),
        (rf"^\s*snmp-server host \S+(?: informs| traps)?(?: version (?:1|2c))? {_WORD}", True),
        (rf"^\s*snmp-server user \S+ \S+(?: remote \S+)? v3 .*?auth (?:md5|sha\S*) {_WORD}", False),
        (rf"^\s*snmp-server user \S+ \S+ .*? priv (?:des|3des|aes(?: \d+)?) {_WORD}", False),
        (rf"^\s*(?:password|secret){_TYPE} {_REST}\s*$", False),
        (rf"^\s*key-string{_TYPE} {_REST}\s*$", False),
        (rf"^\s*crypto isakmp key{_TYPE} {_WORD}", False),
        (rf"^\s*pre-shared-key(?: local| remote)?(?: hex)?{_TYPE} {_REST}\s*$", False),
        (rf"^\s*(?:tacacs|radius)-server(?: host \S+)?.*? key{_TYPE} {_REST}\s*$", False),
        # key inside tacacs/radius server blocks; a bare number is a key-chain key id
        (rf"^\s+key(?!\s+\d+\s*$){_TYPE} {_REST}\s*$", False),
        (rf"^\s*server-private \S+.*? key{_TYPE} {_REST}\s*$", False),
        # md5, and the stronger digests IOS XE 17 offers (the STIG's example is hmac-sha2-256)
        (rf"^\s*ntp authentication-key \d+ (?:md5|hmac-sha1|hmac-sha2-256|cmac-aes-128) {_WORD}",
         False),
        (rf"^\s*ip ospf authentication-key{_TYPE} {_REST}\s*$", False),
        (rf"^\s*ip ospf message-digest-key \d+ md5{_TYPE} {_REST}\s*$", False),
        (rf"^\s*standby(?: \d+)? authentication(?: md5 key-string)?{_TYPE} {_REST}\s*$", False),
        (rf"^\s*wpa-psk ascii{_TYPE} {_REST}\s*$", False),
    )
)


def redact_line(line: str) -> str:
    # A line may hold two secrets (snmp-server user … auth X priv Y): apply every rule.
    for pattern, keep_defaults in RULES:
        match = pattern.match(line)
        if match is None:
            continue
        value = match.group("value")
        if value == PLACEHOLDER or (keep_defaults and value.lower() in DEFAULT_COMMUNITIES):
            continue
        start, end = match.span("value")
        line = line[:start] + PLACEHOLDER + line[end:]
    return line


def redact_config(text: str) -> str:
    """Return ``text`` with every secret value replaced by ``<removed>``; lines are kept."""
    redacted = "\n".join(redact_line(line) for line in text.splitlines())
    return redacted + "\n" if text.endswith("\n") else redacted
