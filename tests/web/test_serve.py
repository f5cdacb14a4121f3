"""`atalaya serve` as a real process: HTTPS with a certificate made here, and the refusal to
serve a public address in the clear."""

from __future__ import annotations

import datetime as dt
import http.client
import ipaddress
import os
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.conftest import REPO
from tests.postgres import free_port
from web.server import public_bind_refusal


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, as an administrator would make for a test."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "atalaya.test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    os.chmod(key_path, 0o600)
    return cert_path, key_path


def _env(tmp_path: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATALAYA_")}
    env["ATALAYA_DATA_DIR"] = str(tmp_path / "var")
    env.update({f"ATALAYA_{key.upper()}": value for key, value in settings.items()})
    return env


def _serve(env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "atalaya", "serve", *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _https_status(port: int, context: ssl.SSLContext) -> int | None:
    connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=5, context=context)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status
    except ConnectionRefusedError:
        return None
    finally:
        connection.close()


def test_serve_answers_https_with_the_configured_certificate_and_no_plain_http(
    tmp_path: Path,
) -> None:
    cert, key = self_signed(tmp_path)
    port = free_port()
    env = _env(tmp_path, web_port=str(port), web_tls_cert=str(cert), web_tls_key=str(key))
    process = _serve(env, "--role", "web")
    try:
        trusting = ssl.create_default_context(cafile=str(cert))
        deadline, status = time.monotonic() + 30, None
        while status is None and time.monotonic() < deadline and process.poll() is None:
            status = _https_status(port, trusting)
            time.sleep(0.2)
        assert status == 200, process.stderr.read().decode() if process.poll() else status
        # The client that does not trust the certificate is refused by its own TLS check.
        with pytest.raises(ssl.SSLCertVerificationError):
            _https_status(port, ssl.create_default_context())
        plain = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            plain.request("GET", "/healthz")
            plain_status: int | None = plain.getresponse().status
        except (http.client.HTTPException, ConnectionError):
            plain_status = None  # the TLS server dropped the clear-text request
        assert plain_status != 200
    finally:
        process.terminate()
        process.wait(20)
    assert process.returncode == 0


@pytest.mark.parametrize("host", ["0.0.0.0", "10.9.8.7"])
def test_public_address_without_tls_or_allow_public_is_refused_with_exit_2(
    tmp_path: Path, host: str
) -> None:
    process = _serve(_env(tmp_path, web_host=host, web_port=str(free_port())))
    _, err = process.communicate(timeout=60)
    assert process.returncode == 2
    assert f"refusing to serve on {host!r} (not loopback) without TLS" in err.decode()


def test_half_configured_tls_is_refused_before_serving(tmp_path: Path) -> None:
    cert, _ = self_signed(tmp_path)
    process = _serve(_env(tmp_path, web_tls_cert=str(cert), web_port=str(free_port())))
    _, err = process.communicate(timeout=60)
    assert process.returncode == 2
    assert "tls_cert and tls_key go together" in err.decode()


def test_a_public_address_is_allowed_with_tls_or_behind_a_declared_proxy() -> None:
    assert public_bind_refusal("0.0.0.0", tls=True, allow_public=False) is None
    assert public_bind_refusal("192.0.2.10", tls=False, allow_public=True) is None
    assert public_bind_refusal("127.0.0.2", tls=False, allow_public=False) is None
    assert public_bind_refusal("atalaya.example", tls=False, allow_public=False) is not None
