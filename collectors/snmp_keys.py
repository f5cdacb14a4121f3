"""SNMPv3 keys and reply-size errors for the SNMP collector (gufo-snmp)."""

from __future__ import annotations

import functools

from gufo.snmp import Aes128Key, Sha1Key, Sha256Key, SnmpDecodeError, SnmpError, User
from gufo.snmp.user import KeyType

from collectors.base import Unsupported


@functools.lru_cache(maxsize=64)
def v3_user(user: str, auth_protocol: str, auth_key: str, priv_key: str) -> User:
    """Derive master keys once per credential: passing passwords per session costs ~3x CPU."""
    auth_class = {"sha": Sha1Key, "sha1": Sha1Key, "sha256": Sha256Key}.get(auth_protocol.lower())
    if auth_class is None:
        raise Unsupported(f"SNMPv3 auth protocol {auth_protocol!r}: use sha or sha256")
    auth_master = auth_class.get_master_key(auth_key.encode())
    priv_master = auth_class.get_master_key(priv_key.encode())
    return User(
        user,
        auth_key=auth_class(auth_master, key_type=KeyType.Master),
        priv_key=Aes128Key(priv_master, key_type=KeyType.Master),
    )


def is_too_big(exc: SnmpError) -> bool:
    # A reply larger than the receive buffer surfaces as a decode error ("incomplete");
    # an agent that obeys RFC 3416 answers tooBig. Both mean: ask for fewer rows.
    return isinstance(exc, SnmpDecodeError) or "toobig" in str(exc).lower().replace(" ", "")
