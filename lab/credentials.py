"""Credentials the lab declares in its inventory and the secret values behind them.

Secret values are drawn from the seed (so a lab is reproducible) and written one file per secret
name, mode 0600, into the secrets directory, as `atalaya.settings.Secrets` reads them.
"""

from __future__ import annotations

import os
import random
import string
from pathlib import Path
from typing import Any

from lab.generate import V3_REGION

V3_USER = "atalaya"
SSH_USER = "atalaya"


def credentials(regions: list[str]) -> list[dict[str, Any]]:
    """The [[credential]] tables: v2c per region, v3 for the V3 region, SSH for net and Linux."""
    creds: list[dict[str, Any]] = []
    for code in regions:
        low = code.lower()
        creds.append({"name": f"snmp-{low}", "type": "snmp", "version": "2c",
                      "community": f"snmp-{low}-community"})
        if code == V3_REGION:
            creds.append({"name": f"snmp-v3-{low}", "type": "snmp", "version": "3",
                          "user": V3_USER, "auth_protocol": "sha", "auth_key": f"snmpv3-{low}-auth",
                          "priv_protocol": "aes", "priv_key": f"snmpv3-{low}-priv"})
    creds.append({"name": "ssh-net", "type": "ssh", "username": SSH_USER,
                  "password": "ssh-net-password", "enable_secret": "ssh-net-enable"})
    creds.append({"name": "ssh-linux", "type": "ssh", "username": SSH_USER,
                  "password": "ssh-linux-password"})
    return creds


def secret_values(creds: list[dict[str, Any]], seed: int) -> dict[str, str]:
    """Secret name -> value for every secret the credentials reference."""
    rng = random.Random(f"secrets:{seed}")
    alphabet = string.ascii_letters + string.digits
    values: dict[str, str] = {}
    for cred in creds:
        for key in ("community", "auth_key", "priv_key", "password", "enable_secret"):
            name = cred.get(key)
            if name:
                # communities stay short and printable: snmpsim and IOS both cap them at 32
                values[name] = "".join(rng.choice(alphabet) for _ in range(16))
    return values


def write_secrets(directory: Path, values: dict[str, str]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, value in values.items():
        path = directory / name
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(value + "\n")
        os.chmod(path, 0o600)  # an existing file keeps its old mode through O_CREAT


def read_secrets(directory: Path, names: list[str]) -> dict[str, str]:
    return {name: (directory / name).read_text(encoding="utf-8").strip() for name in names
            if (directory / name).is_file()}


def snmp_secret_names(cred: dict[str, Any]) -> list[str]:
    return [cred[k] for k in ("community", "auth_key", "priv_key") if cred.get(k)]
