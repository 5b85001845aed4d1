"""The centre's TLS certificate for browser delivery on the lab network.

Self-signed on purpose: an offline centre has no public CA. The lab browsers trust this one
certificate (Windows certificate store, Safe Exam Browser's embedded certificates, or
Chromium's SPKI pin), and the fingerprint printed at creation is what staff compare, as for
the signing key."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import ipaddress
import os
import socket
import ssl
from pathlib import Path

from kiosk.errors import KioskError

TLS_DIR = "tls"
CERT = "centre.crt"
KEY = "centre-tls.key"
VALID_DAYS = 3 * 365


def default_hosts() -> list[str]:
    names = ["localhost", "127.0.0.1"]
    host = socket.gethostname()
    if host and host not in names:
        names.insert(0, host)
    return names


def create(directory: Path, hosts: list[str], centre_name: str = "kiosk") -> Path:
    """Write `centre.crt` and its key (0600) into `directory`; refuses to overwrite."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    cert_path, key_path = directory / CERT, directory / KEY
    if cert_path.exists() or key_path.exists():
        raise KioskError(f"{cert_path}: a TLS certificate exists already (use --replace)")
    sans: list[x509.GeneralName] = []
    for host in hosts:
        host = host.strip()
        if not host:
            continue
        try:
            sans.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            sans.append(x509.DNSName(host))
    if not sans:
        raise KioskError("--tls-host: at least one host name or address")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0][:64]),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, centre_name[:64] or "kiosk")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder()
            .subject_name(name).issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(days=VALID_DAYS))
            .add_extension(x509.SubjectAlternativeName(sans), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    directory.mkdir(parents=True, exist_ok=True)
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert_path


def _load(cert_path: Path):  # type: ignore[no-untyped-def]
    from cryptography import x509

    try:
        return x509.load_pem_x509_certificate(cert_path.read_bytes())
    except (OSError, ValueError) as exc:
        raise KioskError(f"{cert_path}: not a readable PEM certificate ({exc})") from exc


def fingerprint(cert_path: Path) -> str:
    """SHA-256 of the certificate, as browsers and Safe Exam Browser show it."""
    from cryptography.hazmat.primitives import hashes

    digest = _load(cert_path).fingerprint(hashes.SHA256()).hex().upper()
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


def spki_pin(cert_path: Path) -> str:
    """base64 SHA-256 of the public key: Chromium's --ignore-certificate-errors-spki-list."""
    from cryptography.hazmat.primitives import serialization

    spki = _load(cert_path).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(spki).digest()).decode("ascii")


def hosts_of(cert_path: Path) -> list[str]:
    from cryptography import x509

    try:
        san = _load(cert_path).extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return []
    return [str(v) for v in san.value.get_values_for_type(x509.DNSName)] + [
        str(v) for v in san.value.get_values_for_type(x509.IPAddress)]


def server_context(cert_path: Path, key_path: Path) -> ssl.SSLContext:
    """TLS 1.2+ only; a missing or unreadable file is one clear error (never plain HTTP)."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(cert_path, key_path)
    except FileNotFoundError as exc:
        raise KioskError(f"{exc.filename}: no such file (kiosk web cert creates the "
                         "centre's certificate)") from exc
    except (OSError, ssl.SSLError) as exc:
        raise KioskError(f"{cert_path}: cannot use this certificate and key ({exc})") from exc
    return context
