"""The SSH server of a simulated IOS device: its `ip ssh server algorithm` lines and `show ip ssh`.

Real IOS prints the algorithms it runs in `show ip ssh` whether or not they were configured; the
defaults differ by release (the lab's simplification: classic IOS 15.x and IOS XE before 17.9
offer CBC ciphers and HMAC-SHA1 by default, IOS XE 17.9 and later do not). A compliant device on
an older release therefore configures strong algorithms explicitly; one on 17.9+ relies on the
default; a seeded NET-SSH-02 configures weak ones. The host key is a well-formed ssh-rsa blob
whose modulus has the key size the device was given (1024 bits when NET-SSH-03 is seeded).
"""

from __future__ import annotations

import base64
import hashlib
import struct

from lab.model import Device

STRONG = ("aes256-ctr aes192-ctr aes128-ctr", "hmac-sha2-256 hmac-sha2-512")
WEAK = ("aes128-ctr aes256-ctr aes128-cbc 3des-cbc", "hmac-sha2-256 hmac-sha1")
OLD_DEFAULT = ("aes128-ctr,aes192-ctr,aes256-ctr,aes128-cbc,3des-cbc,aes192-cbc,aes256-cbc",
               "hmac-sha1,hmac-sha1-96")
NEW_DEFAULT = ("aes128-gcm,aes256-gcm,aes128-ctr,aes192-ctr,aes256-ctr",
               "hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,hmac-sha2-256,"
               "hmac-sha2-512")


def strong_by_default(device: Device) -> bool:
    if device.os_name != "IOS-XE":
        return False
    major, minor = (int(p) for p in device.os_version.split(".")[:2])
    return (major, minor) >= (17, 9)


def configured(device: Device) -> tuple[str, str] | None:
    """(ciphers, MACs) the configuration sets, or None when it relies on the release default."""
    if "NET-SSH-02" in device.violations:
        return WEAK
    return None if strong_by_default(device) else STRONG


def algorithm_lines(device: Device) -> list[str]:
    chosen = configured(device)
    if chosen is None:
        return []
    return [f"ip ssh server algorithm encryption {chosen[0]}",
            f"ip ssh server algorithm mac {chosen[1]}"]


def _mpint(value: int) -> bytes:
    raw = value.to_bytes(value.bit_length() // 8 + 1, "big")  # leading zero keeps it positive
    return struct.pack(">I", len(raw)) + raw


def host_key(device: Device) -> str:
    """An ssh-rsa public key blob (base64) with a modulus of the device's key size."""
    bits = 1024 if "NET-SSH-03" in device.violations else 2048
    stream = b"".join(hashlib.sha256(f"{device.hostname}:{n}".encode()).digest()
                      for n in range(bits // 256))
    modulus = int.from_bytes(stream, "big") | (1 << (bits - 1)) | 1
    name = b"ssh-rsa"
    blob = struct.pack(">I", len(name)) + name + _mpint(65537) + _mpint(modulus)
    return base64.b64encode(blob).decode()


def show_ip_ssh(device: Device) -> str:
    chosen = configured(device)
    if chosen is None:
        ciphers, macs = NEW_DEFAULT if strong_by_default(device) else OLD_DEFAULT
    else:
        ciphers, macs = chosen[0].replace(" ", ","), chosen[1].replace(" ", ",")
    version = "1.99" if "NET-SSH-01" in device.violations else "2.0"
    timeout = 120 if "NET-SSH-04" in device.violations else 60
    key = host_key(device)
    return "\n".join([
        f"SSH Enabled - version {version}",
        "Authentication methods:publickey,keyboard-interactive,password",
        "Authentication Publickey Algorithms:x509v3-ssh-rsa,ssh-rsa,rsa-sha2-256,rsa-sha2-512",
        "Hostkey Algorithms:x509v3-ssh-rsa,rsa-sha2-512,rsa-sha2-256,ssh-rsa",
        f"Encryption Algorithms:{ciphers}",
        f"MAC Algorithms:{macs}",
        "KEX Algorithms:diffie-hellman-group14-sha256,ecdh-sha2-nistp256,ecdh-sha2-nistp384",
        f"Authentication timeout: {timeout} secs; Authentication retries: 3",
        "Minimum expected Diffie Hellman key size : 2048 bits",
        f"IOS Keys in SECSH format(ssh-rsa, base64 encoded): {device.hostname.upper()}",
        # IOS wraps the key at 64 characters
        "ssh-rsa " + "\n".join(key[i:i + 64] for i in range(0, len(key), 64)),
        "",
    ])
