from __future__ import annotations

import os
from pathlib import Path

import pytest

from atalaya.settings import SecretError, Secrets, SettingsError, load_settings

REPO = Path(__file__).resolve().parents[2]


def test_example_config_documents_exactly_the_defaults() -> None:
    example = load_settings(REPO / "config.example.toml", environ={})
    defaults = load_settings(environ={})
    example.source = defaults.source
    assert example == defaults


def test_environment_overrides_file_and_converts_types(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[database]\nurl = "sqlite:///a.db"\n[web]\nport = 9000\n', encoding="utf-8")
    settings = load_settings(
        config,
        environ={
            "ATALAYA_DATABASE_URL": "postgresql://x@127.0.0.1/y",
            "ATALAYA_COLLECT_REGIONS": "nor, sur",
            "ATALAYA_WEB_ALLOW_PUBLIC": "yes",
        },
    )
    assert settings.database_url == "postgresql://x@127.0.0.1/y"
    assert settings.web.port == 9000
    assert settings.collect.regions == ["nor", "sur"]
    assert settings.web.allow_public is True


@pytest.mark.parametrize(
    ("text", "env", "message"),
    [
        ('[web]\nport = "eighty"\n', {}, "[web]: port: expected an integer, got 'eighty'"),
        ("[web]\nprot = 80\n", {}, "unknown setting 'prot'"),
        ("[colect]\n", {}, "unknown setting 'colect'"),
        ("", {"ATALAYA_WEB_PORT": "x"}, "environment ATALAYA_WEB_PORT: port: expected an integer"),
        ("", {"ATALAYA_WEBB_PORT": "1"}, "environment ATALAYA_WEBB_PORT: no such setting"),
        ("[web\n", {}, "not valid TOML"),
    ],
)
def test_bad_settings_name_the_file_and_the_setting(
    tmp_path: Path, text: str, env: dict[str, str], message: str
) -> None:
    config = tmp_path / "c.toml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError) as info:
        load_settings(config, environ=env)
    assert message in str(info.value)


def test_secrets_come_from_env_file_or_restricted_directory(tmp_path: Path) -> None:
    secret_file = tmp_path / "community"
    secret_file.write_text("s3cr3t-norte\n", encoding="utf-8")
    os.chmod(secret_file, 0o600)
    assert (
        Secrets(tmp_path, {"ATALAYA_SECRET_SNMP_NORTE": "from-env"}).resolve("snmp-norte")
        == "from-env"
    )
    assert (
        Secrets(tmp_path, {"ATALAYA_SECRET_SNMP_NORTE_FILE": str(secret_file)}).resolve(
            "snmp-norte"
        )
        == "s3cr3t-norte"
    )
    (tmp_path / "snmp-sur").write_text("dir-secret", encoding="utf-8")
    os.chmod(tmp_path / "snmp-sur", 0o600)
    assert Secrets(tmp_path, {}).resolve("snmp-sur") == "dir-secret"


def test_world_readable_secret_file_is_refused_with_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "snmp-sur"
    path.write_text("dir-secret", encoding="utf-8")
    os.chmod(path, 0o644)
    with pytest.raises(SecretError, match="chmod 600"):
        Secrets(tmp_path, {}).resolve("snmp-sur")
    with pytest.raises(SecretError, match="ATALAYA_SECRET_MISSING_ONE"):
        Secrets(tmp_path, {}).resolve("missing-one")
