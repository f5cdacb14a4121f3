"""A VPN gateway's IKEv2/IPsec configuration and `show crypto ikev2 sa [detailed]` output.

Compliant gateways: AES-CBC-256, SHA-256, DH group 14 (config and SA agree), PFS, IKEv2 only.
Seeded violations change the proposal *and* the negotiated SA the same way.
"""

from __future__ import annotations

import hashlib

from lab.model import Device
from lab.violations import NO_CRYPTO


def hub_address(device: Device) -> str:
    """The peer the site's tunnel reaches (documentation range, never routed)."""
    return f"203.0.113.{sum(map(ord, device.region)) % 200 + 1}"


def local_address(device: Device) -> str:
    return f"198.51.100.{device.address.split('.')[2]}"


def crypto_config(device: Device, secret: str) -> list[str]:
    bad = device.violations
    enc = "3des" if "VPN-ENC-01" in bad else "aes-cbc-256"
    integ = "sha1" if "VPN-INT-01" in bad else "sha256"
    group = "2" if "VPN-DH-01" in bad else "14"
    esp_enc = "esp-3des" if "VPN-ENC-01" in bad else "esp-aes 256"
    esp_int = "esp-sha-hmac" if "VPN-INT-01" in bad else "esp-sha256-hmac"
    hub = hub_address(device)
    lines = [
        "crypto ikev2 proposal PROP-VPN", f" encryption {enc}", f" integrity {integ}",
        f" group {group}", "!", "crypto ikev2 policy POL-VPN", " proposal PROP-VPN", "!",
        "crypto ikev2 keyring KR-VPN", " peer HUB", f"  address {hub}",
        f"  pre-shared-key 6 {_obscure(secret)}", " !", "!",
        "crypto ikev2 profile PROF-VPN", f" match identity remote address {hub} 255.255.255.255",
        " authentication remote pre-share", " authentication local pre-share",
        " keyring local KR-VPN", " dpd 10 2 on-demand", "!",
    ]
    if "VPN-IKE-01" in bad:
        lines += ["crypto isakmp policy 10", " encr 3des", " hash md5",
                  # the legacy IKEv1 policy is VPN-IKE-01; its DH group follows VPN-DH-01
                  " authentication pre-share", f" group {group}",
                  "crypto isakmp key 0 cisco123 address "
                  f"{hub}", "!"]
    lines += [f"crypto ipsec transform-set TS-VPN {esp_enc} {esp_int}", " mode tunnel", "!",
              "crypto ipsec profile IPSEC-VPN", " set transform-set TS-VPN"]
    lines += [] if "VPN-PFS-01" in bad else [f" set pfs group{group}"]
    lines += [" set ikev2-profile PROF-VPN", "!"]
    return lines


def _obscure(secret: str) -> str:
    """A type-6 looking key: stable per secret, never the secret itself."""
    return hashlib.sha256(("psk" + secret).encode()).hexdigest()[:40].upper()


def tunnel_interface(device: Device) -> list[str]:
    site = device.address.split(".")[2]
    return ["interface Tunnel1", " description VPN-UPLINK",
            f" ip address 172.16.{site}.2 255.255.255.252", " ip mtu 1400",
            " tunnel source GigabitEthernet0/0/0", f" tunnel destination {hub_address(device)}",
            " tunnel mode ipsec ipv4",
            *([] if NO_CRYPTO in device.cases else [" tunnel protection ipsec profile IPSEC-VPN"]),
            "!"]


def _sa_summary(device: Device) -> list[str]:
    bad = device.violations
    encr = "Encr: 3DES" if "VPN-ENC-01" in bad else "Encr: AES-CBC, keysize: 256"
    prf, hash_ = ("SHA1", "SHA96") if "VPN-INT-01" in bad else ("SHA256", "SHA256")
    group = 2 if "VPN-DH-01" in bad else 14
    local, remote = f"{local_address(device)}/500", f"{hub_address(device)}/500"
    return [f"1         {local:<22}{remote:<22}{'none/none':<21}READY  ",
            f"      {encr}, PRF: {prf}, Hash: {hash_}, DH Grp:{group}, Auth sign: PSK, "
            "Auth verify: PSK",
            f"      Life/Active Time: 86400/{1000 + device.variant} sec"]


def show_ikev2_sa(device: Device, detailed: bool) -> str:
    head = ["", " IPv4 Crypto IKEv2  SA ", "",
            "Tunnel-id Local                 Remote                fvrf/ivrf            Status "]
    body: list[str] = []
    if "VPN-UP-01" not in device.violations:  # a dead tunnel leaves no SA at all
        body = _sa_summary(device)
        if detailed:
            body += [
                "      CE id: 1004, Session-id: 2",
                "      Status Description: Negotiation done",
                f"      Local spi: {device.variant:016X}       Remote spi: 8192A3B4C5D6E7F8",
                f"      Local id: {local_address(device)}",
                f"      Remote id: {hub_address(device)}",
                "      Local req msg id:  2              Remote req msg id:  0",
                "      Local next msg id: 2              Remote next msg id: 0",
                "      Local req queued:  2              Remote req queued:  0",
                "      Local window:      5              Remote window:      5",
                "      DPD configured for 10 seconds, retry 2",
                "      Fragmentation not  configured.",
                "      Dynamic Route Update: disabled",
                "      Extended Authentication not configured.",
                "      NAT-T is not detected  ",
                "      Cisco Trust Security SGT is disabled",
                "      Initiator of SA : Yes",
            ]
    return "\n".join([*head, *body, "", " IPv6 Crypto IKEv2  SA ", "", ""])
