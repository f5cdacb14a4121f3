"""A real OpenLDAP `slapd` for the directory-login tests: its own config, database and
self-signed certificate in a scratch folder, on a loopback port, StartTLS offered, the memberof
overlay (groups listed on the user, as Active Directory does) and ppolicy (a locked account).
Started and stopped by PID."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

BASE = "dc=inpe,dc=test"
ADMIN_DN = f"cn=admin,{BASE}"
ADMIN_PASSWORD = "slapd-admin-Pw-7731"
SCHEMAS = ("core", "cosine", "inetorgperson", "nis")
# user -> groups; "bloqueado" is locked by ppolicy, "sin-grupo" is in no mapped group
USERS = {
    "ana": ("atalaya-admins",),
    "nestor": ("atalaya-red",),
    "sofia": ("atalaya-seguridad",),
    "victor": ("atalaya-lectores",),
    "bloqueado": ("atalaya-admins",),
    "sin-grupo": (),
}
USER_PASSWORD = "clave-del-directorio-1"


@dataclass
class Slapd:
    url: str
    ca_file: Path
    process: subprocess.Popen[bytes]
    folder: Path
    port: int

    def stop(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            self.process.wait(10)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                          serialization.NoEncryption())
    )  # fmt: skip
    return cert_path, key_path


def _config(folder: Path, cert: Path, key: Path) -> Path:
    schemas = "\n".join(f"include /etc/ldap/schema/{name}.schema" for name in SCHEMAS)
    (folder / "db").mkdir()
    conf = folder / "slapd.conf"
    conf.write_text(
        f"""{schemas}
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload memberof
moduleload ppolicy
pidfile {folder}/slapd.pid
TLSCertificateFile {cert}
TLSCertificateKeyFile {key}
database mdb
suffix "{BASE}"
rootdn "{ADMIN_DN}"
rootpw {ADMIN_PASSWORD}
directory {folder}/db
overlay memberof
overlay ppolicy
ppolicy_default "cn=default,ou=policies,{BASE}"
access to attrs=userPassword by anonymous auth by self write by * none
access to * by * read
"""
    )
    return conf


def _entries() -> str:
    parts = [
        f"dn: {BASE}\nobjectClass: dcObject\nobjectClass: organization\ndc: inpe\no: INPE\n",
        f"dn: ou=people,{BASE}\nobjectClass: organizationalUnit\nou: people\n",
        f"dn: ou=groups,{BASE}\nobjectClass: organizationalUnit\nou: groups\n",
        f"dn: ou=policies,{BASE}\nobjectClass: organizationalUnit\nou: policies\n",
        # without a policy ppolicy checks nothing, not even a locked account
        f"dn: cn=default,ou=policies,{BASE}\nobjectClass: organizationalRole\n"
        "objectClass: pwdPolicy\ncn: default\npwdAttribute: userPassword\npwdLockout: TRUE\n",
    ]
    for user in USERS:
        locked = "pwdAccountLockedTime: 000001010000Z\n" if user == "bloqueado" else ""
        parts.append(
            f"dn: uid={user},ou=people,{BASE}\nobjectClass: inetOrgPerson\nuid: {user}\n"
            f"cn: {user}\nsn: {user}\nuserPassword: {USER_PASSWORD}\n{locked}"
        )
    groups = sorted({g for names in USERS.values() for g in names})
    for group in groups:
        members = "".join(
            f"member: uid={u},ou=people,{BASE}\n" for u, names in USERS.items() if group in names
        )
        parts.append(f"dn: cn={group},ou=groups,{BASE}\nobjectClass: groupOfNames\ncn: {group}\n"
                     f"{members}")  # fmt: skip
    return "\n".join(parts)


def start_slapd(folder: Path) -> Slapd:
    """slapd on a free loopback port with the users above; raises if it does not answer."""
    assert shutil.which("/usr/sbin/slapd"), "install slapd and ldap-utils (scripts/install-deps)"
    cert, key = _certificate(folder)
    conf = _config(folder, cert, key)
    port = _free_port()
    url = f"ldap://127.0.0.1:{port}"
    process = subprocess.Popen(
        ["/usr/sbin/slapd", "-d", "0", "-h", url, "-f", str(conf)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    server = Slapd(url, cert, process, folder, port)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        added = subprocess.run(
            ["ldapadd", "-x", "-H", url, "-D", ADMIN_DN, "-w", ADMIN_PASSWORD],
            input=_entries().encode(), capture_output=True, check=False,
        )  # fmt: skip
        if added.returncode == 0:
            return server
        if process.poll() is not None:
            raise RuntimeError(f"slapd exited: {process.stderr.read().decode()[-2000:]}")
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"slapd did not accept the entries: {added.stderr.decode()}")
