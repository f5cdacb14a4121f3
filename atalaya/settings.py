"""Settings: parsed once at start into a typed object that fails loudly on a bad value.

Order of precedence: built-in defaults < TOML file (``--config`` or ``ATALAYA_CONFIG``) <
``ATALAYA_<SECTION>_<KEY>`` environment variables. Secrets are never settings values: they
are referenced by name and resolved by `Secrets.resolve` from ``ATALAYA_SECRET_<NAME>``,
``ATALAYA_SECRET_<NAME>_FILE`` or a file ``<secrets dir>/<name>`` with restricted permissions.
"""

from __future__ import annotations

import dataclasses
import os
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, get_type_hints

from atalaya.settings_auth import AuthSettings


class SettingsError(ValueError):
    """A setting is missing, malformed or of the wrong type; the message names it."""


class SecretError(LookupError):
    """A secret reference could not be resolved; the message says where it was looked for."""


@dataclass
class DatabaseSettings:
    url: str = ""  # empty: sqlite:///<data_dir>/atalaya.db
    echo: bool = False
    busy_timeout_s: float = 30.0  # SQLite: how long a writer waits for another one


@dataclass
class InventorySettings:
    path: str = ""  # TOML inventory imported by `atalaya init --inventory` / `make demo`


@dataclass
class CollectSettings:
    reachability_interval_s: int = 60
    snmp_interval_s: int = 900
    software_interval_s: int = 3600
    ssh_interval_s: int = 3600
    discovery_interval_s: int = 21600
    # Link load: WAN counters of each site's VPN gateway; 5 min, as carriers bill the 95th
    # percentile of 5-minute samples.
    linkload_interval_s: int = 300
    # Discovery sweeps the sites' declared management prefixes: this many ICMP echoes a
    # second across the whole sweep (a /24 at 100/s takes ~3 s), one echo per address.
    discovery_rate_pps: int = 100
    # A declared prefix wider than this (a /16 typed for a /26) is refused at import.
    discovery_widest_prefix: int = 22
    concurrency: int = 64
    ssh_concurrency: int = 16
    device_deadline_s: float = 20.0
    ping_count: int = 3
    ping_timeout_s: float = 1.0
    snmp_timeout_s: float = 2.0
    snmp_retries: int = 1
    snmp_max_repetitions: int = 25
    poller_group: str = ""
    regions: list[str] = field(default_factory=list)  # empty: every region
    # Runs polled while the CMDB cannot be written wait in <data_dir>/spool/ up to this size
    # (compressed); past it the oldest are dropped, counted and logged. 0: no spool.
    spool_max_mb: float = 256.0

    def loop_intervals(self) -> dict[str, int]:
        """Each collection loop's interval in seconds; 0 or less turns the loop off."""
        return {
            "reachability": self.reachability_interval_s,
            "snmp": self.snmp_interval_s,
            "software": self.software_interval_s,
            "ssh": self.ssh_interval_s,
            "discovery": self.discovery_interval_s,
            "linkload": self.linkload_interval_s,
        }


@dataclass
class ComplianceSettings:
    policies_dir: str = ""  # empty: the policies/ folder shipped with Atalaya
    grace_days: int = 0
    evaluate_interval_s: int = 900  # `serve` re-evaluates this often; 0: only on demand


@dataclass
class WebSettings:
    host: str = "127.0.0.1"
    port: int = 8470
    secret_key: str = ""  # name of a secret; empty: generated and kept in <data_dir>/web-secret
    metrics: str = "open"  # open | token | off
    metrics_token: str = ""  # name of a secret holding the bearer token
    allow_public: bool = False
    tls_cert: str = ""
    tls_key: str = ""
    threads: int = 8


@dataclass
class LabSettings:
    state_dir: str = ""  # empty: <data_dir>/lab
    seed: int = 7
    scale: float = 1.0


@dataclass
class SecretsSettings:
    dir: str = ""  # empty: <data_dir>/secrets


@dataclass
class LoggingSettings:
    level: str = "INFO"
    file: str = ""


@dataclass
class Settings:
    data_dir: str = "var"
    timezone: str = "America/Lima"
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    inventory: InventorySettings = field(default_factory=InventorySettings)
    collect: CollectSettings = field(default_factory=CollectSettings)
    compliance: ComplianceSettings = field(default_factory=ComplianceSettings)
    web: WebSettings = field(default_factory=WebSettings)
    auth: AuthSettings = field(default_factory=AuthSettings)
    lab: LabSettings = field(default_factory=LabSettings)
    secrets: SecretsSettings = field(default_factory=SecretsSettings)
    logging: LoggingSettings = field(default_factory=LoggingSettings)
    source: str = "built-in defaults"

    # -- derived paths -------------------------------------------------------------
    @property
    def data_path(self) -> Path:
        return Path(self.data_dir)

    @property
    def database_url(self) -> str:
        return self.database.url or f"sqlite:///{self.data_path / 'atalaya.db'}"

    @property
    def lab_dir(self) -> Path:
        return Path(self.lab.state_dir) if self.lab.state_dir else self.data_path / "lab"

    @property
    def secrets_dir(self) -> Path:
        return Path(self.secrets.dir) if self.secrets.dir else self.data_path / "secrets"

    @property
    def policies_path(self) -> Path:
        if self.compliance.policies_dir:
            return Path(self.compliance.policies_dir)
        import policies  # the data package: next to the code in a checkout and in a wheel

        return policies.DIRECTORY

    def secret(self, name: str) -> str:
        return Secrets(self.secrets_dir).resolve(name)


class Secrets:
    """Resolve a secret by name; the value never goes through logging or repr."""

    def __init__(self, directory: Path, environ: Mapping[str, str] | None = None) -> None:
        self.directory = directory
        self.environ = os.environ if environ is None else environ

    def resolve(self, name: str) -> str:
        key = "ATALAYA_SECRET_" + _env_name(name)
        if key in self.environ:
            return self.environ[key]
        if key + "_FILE" in self.environ:
            return _read_secret_file(Path(self.environ[key + "_FILE"]), name)
        path = self.directory / name
        if path.is_file():
            return _read_secret_file(path, name)
        raise SecretError(
            f"secret {name!r} not found: set {key} or {key}_FILE, or create {path} (mode 0600)"
        )


def _env_name(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name).upper()


def _read_secret_file(path: Path, name: str) -> str:
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise SecretError(f"secret {name!r}: cannot read {path}: {exc.strerror}") from exc
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SecretError(
            f"secret {name!r}: {path} is readable by group or others; run: chmod 600 {path}"
        )
    return path.read_text(encoding="utf-8").strip()


def _coerce(value: Any, typ: Any, where: str) -> Any:
    """Check a TOML value, or convert an environment string, to the declared type."""
    origin = getattr(typ, "__origin__", None)
    if isinstance(value, str) and typ is not str:
        text = value.strip()
        try:
            if typ is bool:
                if text.lower() in ("1", "true", "yes", "on"):
                    return True
                if text.lower() in ("0", "false", "no", "off"):
                    return False
                raise ValueError
            if typ is int:
                return int(text)
            if typ is float:
                return float(text)
            if origin is list:
                return [part.strip() for part in text.split(",") if part.strip()]
        except ValueError:
            raise SettingsError(f"{where}: expected {_type_name(typ)}, got {value!r}") from None
    if typ is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    expected = list if origin is list else typ
    if not isinstance(value, expected) or (typ is int and isinstance(value, bool)):
        raise SettingsError(f"{where}: expected {_type_name(typ)}, got {value!r}")
    return value


def _type_name(typ: Any) -> str:
    if getattr(typ, "__origin__", None) is list:
        return "a list of strings"
    return {bool: "true or false", int: "an integer", float: "a number", str: "a string"}.get(
        typ, str(typ)
    )


def _apply(target: Any, values: Mapping[str, Any], where: str) -> None:
    hints = get_type_hints(type(target))
    known = {f.name for f in fields(target)} - {"source"}
    for key, value in values.items():
        if key not in known:
            raise SettingsError(
                f"{where}: unknown setting {key!r} (known: {', '.join(sorted(known))})"
            )
        typ = hints[key]
        if dataclasses.is_dataclass(typ):
            if not isinstance(value, Mapping):
                raise SettingsError(f"{where}: [{key}] must be a table")
            _apply(getattr(target, key), value, f"{where} [{key}]")
        else:
            setattr(target, key, _coerce(value, typ, f"{where}: {key}"))


def load_settings(
    path: str | os.PathLike[str] | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Build the settings from defaults, the TOML file and ``ATALAYA_*`` overrides."""
    env = os.environ if environ is None else environ
    settings = Settings()
    file = (
        Path(path) if path else (Path(env["ATALAYA_CONFIG"]) if env.get("ATALAYA_CONFIG") else None)
    )
    if file is not None:
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise SettingsError(f"{file}: configuration file not found") from None
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"{file}: not valid TOML: {exc}") from None
        _apply(settings, data, str(file))
        settings.source = str(file)
    _apply_environment(settings, env)
    return settings


def _apply_environment(settings: Settings, env: Mapping[str, str]) -> None:
    hints = get_type_hints(Settings)
    for name, value in env.items():
        if not name.startswith("ATALAYA_") or name.startswith("ATALAYA_SECRET_"):
            continue
        if name == "ATALAYA_CONFIG":
            continue
        rest = name[len("ATALAYA_") :].lower()
        for section, typ in hints.items():
            if dataclasses.is_dataclass(typ) and rest.startswith(section + "_"):
                key = rest[len(section) + 1 :]
                _apply(getattr(settings, section), {key: value}, f"environment {name}")
                break
        else:
            if rest in ("data_dir", "timezone"):
                _apply(settings, {rest: value}, f"environment {name}")
            else:
                raise SettingsError(f"environment {name}: no such setting")
