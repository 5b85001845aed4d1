"""Exam package files (`.kpkg`): gathering an exam and its banks from disk, sealing them with a
passphrase, and opening a package again.

The envelope (AES-256-GCM under a scrypt key, header authenticated) is kiosk.crypto.envelope's;
what the payload holds and how it is checked is kiosk.domain.packages'. Package files written by
earlier versions (the same `KPKG1` layout) open unchanged.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import replace
from pathlib import Path

from kiosk.crypto import envelope
from kiosk.domain import toml_lines
from kiosk.domain.banks import MEDIA_DIR
from kiosk.domain.packages import (
    EXAM_ID_RE,
    MIN_PASSPHRASE,
    PAYLOAD_FORMAT,
    PackageError,
    Payload,
    attachment_hashes,
    decode_payload,
    payload_errors,
    tampered,
)
from kiosk.errors import KioskError
from kiosk.loading import check_exam

__all__ = [
    "EXAM_ID_RE", "MAGIC", "MIN_PASSPHRASE", "PAYLOAD_FORMAT", "PackageError", "Payload",
    "build_payload", "collect", "decode_payload", "payload_errors", "seal", "unseal",
]

MAGIC = b"KPKG1"
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1


def seal(plain: bytes, passphrase: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R,
         p: int = SCRYPT_P) -> bytes:
    """Encrypt `plain` into package bytes under a key derived from `passphrase`."""
    return envelope.seal_with_passphrase(MAGIC, plain, passphrase, n=n, r=r, p=p)


def unseal(blob: bytes, passphrase: str, name: str = "package") -> bytes:
    """The plain bytes, or PackageError naming `name` (never a partial result). A wrong
    passphrase and a modified byte give the same message: they cannot be told apart."""
    if not blob.startswith(MAGIC):
        raise PackageError(f"{name}: not a kiosk exam package, or the package was modified")
    try:
        return envelope.open_with_passphrase(MAGIC, blob, passphrase)
    except envelope.EnvelopeError:
        raise tampered(name) from None


# --- gathering the files --------------------------------------------------------------------


def _text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise KioskError(f"{path}:1: not UTF-8 text") from None
    except OSError as exc:
        raise KioskError(f"{path}: cannot read: {exc.strerror or exc}") from None


def collect(exam_path: Path) -> Payload:
    """The exam file and its bank files as they are on disk (checked by the caller)."""
    exam_text = _text(exam_path)
    try:
        head = toml_lines.loads(exam_text).get("exam", {})
    except tomllib.TOMLDecodeError as exc:
        raise KioskError(f"{exam_path}: TOML syntax error: {exc}") from None
    bank_names = head.get("banks") if isinstance(head, dict) else None
    if not isinstance(bank_names, list) or not all(isinstance(b, str) for b in bank_names):
        raise KioskError(f"{exam_path}: exam banks is required: a list of bank file paths")
    files = {exam_path.name: exam_text}
    media: dict[str, bytes] = {}
    for rel in bank_names:
        files[rel] = _text(exam_path.parent / rel)
        media.update(_bank_media(exam_path.parent / rel, files[rel]))
    return Payload(str(head.get("id", "")), str(head.get("title", "")), exam_path.name,
                   (), files, media)


def _bank_media(bank_path: Path, text: str) -> dict[str, bytes]:
    """The attachment contents a bank file names, from `media/` beside it (checked by hash)."""
    out = {}
    for sha in sorted(attachment_hashes(text)):
        path = bank_path.parent / MEDIA_DIR / sha
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise KioskError(f"{path}: cannot read an attachment of {bank_path.name}: "
                             f"{exc.strerror or exc}") from None
        if hashlib.sha256(data).hexdigest() != sha:
            raise KioskError(f"{path}: does not match its hash (the attachment was changed)")
        out[sha] = data
    return out


def build_payload(exam_path: Path) -> tuple[Payload | None, list[str]]:
    """The payload for an exam, or every problem of the exam and its banks (nothing sealed)."""
    check = check_exam(exam_path)
    if check.errors or check.exam is None:
        return None, check.errors or [f"{exam_path}: not a usable exam"]
    payload = collect(exam_path)
    return replace(payload, exam=check.exam.id, title=check.exam.title,
                   banks=tuple(sorted(check.banks))), []
