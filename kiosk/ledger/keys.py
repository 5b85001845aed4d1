"""The centre's Ed25519 key pair: creation, storage (owner-only, optionally encrypted), loading."""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kiosk.errors import KioskError


def generate() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def public_raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_b64(key: Ed25519PublicKey) -> str:
    return base64.b64encode(public_raw(key)).decode()


def public_from_b64(text: str) -> Ed25519PublicKey:
    try:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True))
    except Exception as exc:
        raise KioskError(f"not an Ed25519 public key: {text[:20]}…") from exc


def fingerprint(key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw public key, grouped for reading aloud and comparing on paper."""
    digest = hashlib.sha256(public_raw(key)).hexdigest()[:32].upper()
    return "SHA256:" + ":".join(digest[i : i + 4] for i in range(0, 32, 4))


def write_private(key: Ed25519PrivateKey, path: Path, passphrase: str | None) -> None:
    encryption: serialization.KeySerializationEncryption
    if passphrase:
        encryption = serialization.BestAvailableEncryption(passphrase.encode())
    else:
        encryption = serialization.NoEncryption()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    # Created 0600 from the start: never a moment where others could read it.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
        f.flush()
        os.fsync(f.fileno())


def write_public(key: Ed25519PublicKey, path: Path) -> None:
    pem = key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    path.write_bytes(pem)


def is_encrypted(path: Path) -> bool:
    return b"ENCRYPTED" in path.read_bytes()[:64]


def read_private(path: Path, passphrase: str | None) -> Ed25519PrivateKey:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KioskError(f"{path}: cannot read the centre key ({exc.strerror})") from exc
    encrypted = b"ENCRYPTED" in data[:64]
    if encrypted and not passphrase:
        raise KioskError(f"{path}: the centre key is encrypted; a passphrase is needed")
    try:
        key = serialization.load_pem_private_key(
            data, password=passphrase.encode() if encrypted and passphrase else None
        )
    except ValueError as exc:
        if encrypted:
            raise KioskError(f"{path}: wrong passphrase for the centre key") from exc
        raise KioskError(f"{path}: not a valid private key file") from exc
    except (TypeError, UnsupportedAlgorithm) as exc:
        raise KioskError(f"{path}: not a valid private key file") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise KioskError(f"{path}: not an Ed25519 key")
    return key


def read_public(path: Path) -> Ed25519PublicKey:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KioskError(f"{path}: cannot read the public key ({exc.strerror or exc})") from exc
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        # UnsupportedAlgorithm: a well-formed PEM of a key type this build does not know.
        raise KioskError(f"{path}: not a readable public key ({type(exc).__name__})") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise KioskError(f"{path}: not an Ed25519 public key")
    return key


def verify_signature(key: Ed25519PublicKey, signature_b64: str, message: bytes) -> bool:
    try:
        key.verify(base64.b64decode(signature_b64, validate=True), message)
    except (InvalidSignature, ValueError):
        return False
    return True


def sign(key: Ed25519PrivateKey, message: bytes) -> str:
    return base64.b64encode(key.sign(message)).decode()
