"""Encrypted exam packages (`.kpkg`): an exam file and its banks sealed with a passphrase.

Layout of a package::

    b"KPKG1" | header length (4 bytes, big-endian) | header (JSON) | AES-256-GCM ciphertext

The header holds the KDF parameters (scrypt n, r, p and a random salt) and the GCM nonce. Every
byte before the ciphertext is the GCM associated data, so changing any byte of the file (header
or ciphertext) makes decryption fail exactly as a wrong passphrase does: the two cannot be told
apart, and neither yields any content.

The sealed payload is JSON: {format, exam, title, exam_file, banks, files: {name: TOML text},
media?: {sha256: base64}}. Bank files are named by the path the exam's `banks` list gives
(relative to the exam file), so the exam text needs no rewriting. `media` holds the contents of
the items' attachments (images, passages) by hash, inside the same encryption; a package without
attachments has no `media` key, byte for byte as before.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import struct
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from kiosk.domain import toml_lines
from kiosk.errors import KioskError

MAGIC = b"KPKG1"
PAYLOAD_FORMAT = 1
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
NONCE_BYTES = 12
MIN_PASSPHRASE = 8
# The header is read before it can be authenticated: bound what it may ask of scrypt, or a
# doctored file could demand gigabytes of memory.
N_RANGE = (2**14, 2**18)
R_RANGE = (1, 16)
P_RANGE = (1, 4)
MAX_HEADER = 4096
EXAM_ID_RE = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]*$")


class PackageError(KioskError):
    """The package cannot be opened: wrong passphrase, modified, or not a package at all."""


def tampered(name: str) -> PackageError:
    return PackageError(f"{name}: wrong passphrase or the package was modified")


@dataclass(frozen=True)
class Payload:
    exam: str
    title: str
    exam_file: str
    banks: tuple[str, ...]
    files: Mapping[str, str]
    #: Attachment contents by sha256.
    media: Mapping[str, bytes] = field(default_factory=dict)

    def to_bytes(self) -> bytes:
        data: dict[str, Any] = {
            "format": PAYLOAD_FORMAT, "exam": self.exam, "title": self.title,
            "exam_file": self.exam_file, "banks": list(self.banks), "files": dict(self.files)}
        if self.media:
            data["media"] = {sha: base64.b64encode(blob).decode("ascii")
                             for sha, blob in sorted(self.media.items())}
        return json.dumps(data, ensure_ascii=False).encode("utf-8")

    @property
    def file_names(self) -> list[str]:
        return list(self.files)


# --- sealing and opening --------------------------------------------------------------------


def _key(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def seal(plain: bytes, passphrase: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R,
         p: int = SCRYPT_P) -> bytes:
    """Encrypt `plain` into package bytes under a key derived from `passphrase`."""
    salt = os.urandom(SALT_BYTES)
    nonce = os.urandom(NONCE_BYTES)
    header = json.dumps(
        {"kdf": "scrypt", "n": n, "r": r, "p": p, "salt": base64.b64encode(salt).decode(),
         "cipher": "AES-256-GCM", "nonce": base64.b64encode(nonce).decode()},
        sort_keys=True, separators=(",", ":"),
    ).encode()
    prefix = MAGIC + struct.pack(">I", len(header)) + header
    return prefix + AESGCM(_key(passphrase, salt, n, r, p)).encrypt(nonce, plain, prefix)


def _in(value: Any, bounds: tuple[int, int]) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and bounds[0] <= value <= bounds[1]


def unseal(blob: bytes, passphrase: str, name: str = "package") -> bytes:
    """The plain bytes, or PackageError naming `name` (never a partial result)."""
    if not blob.startswith(MAGIC):
        raise PackageError(f"{name}: not a kiosk exam package, or the package was modified")
    start = len(MAGIC) + 4
    if len(blob) < start:
        raise tampered(name)
    (size,) = struct.unpack(">I", blob[len(MAGIC):start])
    if size > MAX_HEADER or len(blob) < start + size:
        raise tampered(name)
    try:
        header = json.loads(blob[start:start + size])
        n, r, p = header["n"], header["r"], header["p"]
        salt = base64.b64decode(header["salt"], validate=True)
        nonce = base64.b64decode(header["nonce"], validate=True)
        ok = (header["kdf"] == "scrypt" and header["cipher"] == "AES-256-GCM"
              and _in(n, N_RANGE) and n & (n - 1) == 0 and _in(r, R_RANGE) and _in(p, P_RANGE)
              and len(salt) == SALT_BYTES and len(nonce) == NONCE_BYTES)
    except (ValueError, KeyError, TypeError):
        ok = False
    if not ok:
        raise tampered(name)
    prefix = blob[:start + size]
    try:
        return AESGCM(_key(passphrase, salt, n, r, p)).decrypt(nonce, blob[start + size:], prefix)
    except InvalidTag:
        raise tampered(name) from None


# --- the payload ----------------------------------------------------------------------------


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


def _attachment_hashes(text: str) -> set[str]:
    try:
        items = tomllib.loads(text).get("items", [])
    except tomllib.TOMLDecodeError:
        return set()
    return {a["sha256"] for item in items if isinstance(item, dict)
            for a in (item.get("attachments") if isinstance(item.get("attachments"), list) else [])
            if isinstance(a, dict) and isinstance(a.get("sha256"), str)}


def _bank_media(bank_path: Path, text: str) -> dict[str, bytes]:
    """The attachment contents a bank file names, from `media/` beside it (checked by hash)."""
    from kiosk.domain.banks import MEDIA_DIR

    out = {}
    for sha in sorted(_attachment_hashes(text)):
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
    from kiosk.domain.exams import check_exam

    check = check_exam(exam_path)
    if check.errors or check.exam is None:
        return None, check.errors or [f"{exam_path}: not a usable exam"]
    payload = collect(exam_path)
    return replace(payload, exam=check.exam.id, title=check.exam.title,
                   banks=tuple(sorted(check.banks))), []


def payload_errors(payload: Payload) -> list[str]:
    """Structural problems of a payload whose content was validated when it was sealed."""
    errors = []
    if not EXAM_ID_RE.match(payload.exam):
        errors.append(f"exam id {payload.exam!r} is not usable as a name")
    if payload.exam_file not in payload.files:
        errors.append(f"the exam file {payload.exam_file!r} is missing")
    parsed: dict[str, Any] = {}
    for name, text in payload.files.items():
        try:
            parsed[name] = toml_lines.loads(text)
        except tomllib.TOMLDecodeError as exc:
            errors.append(f"{name}: TOML syntax error: {exc}")
    for sha, blob in payload.media.items():
        if hashlib.sha256(blob).hexdigest() != sha:
            errors.append(f"attachment {sha[:12]}… does not match its hash")
    for name, text in payload.files.items():
        for sha in sorted(_attachment_hashes(text) - set(payload.media)):
            errors.append(f"{name}: attachment {sha[:12]}… is not in the package")
    head = parsed.get(payload.exam_file, {}).get("exam", {})
    if payload.exam_file in parsed:
        if not isinstance(head, dict) or head.get("id") != payload.exam:
            errors.append(f"{payload.exam_file}: exam id does not match the package's "
                          f"{payload.exam!r}")
        else:
            for rel in head.get("banks") or []:
                if rel not in payload.files:
                    errors.append(f"{payload.exam_file}: bank file {rel!r} is not in the package")
    return errors


def decode_payload(plain: bytes, name: str) -> Payload:
    """Payload from decrypted bytes; KioskError when it is not one this version can use."""
    try:
        data = json.loads(plain.decode("utf-8"))
        if data.get("format") != PAYLOAD_FORMAT:
            raise KioskError(f"{name}: package format {data.get('format')!r} is not supported "
                             f"by this kiosk (expected {PAYLOAD_FORMAT})")
        files = data["files"]
        if not isinstance(files, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in files.items()):
            raise TypeError("files")
        raw_media = data.get("media", {})
        if not isinstance(raw_media, dict):
            raise TypeError("media")
        media = {str(sha): base64.b64decode(blob, validate=True)
                 for sha, blob in raw_media.items()}
        payload = Payload(str(data["exam"]), str(data["title"]), str(data["exam_file"]),
                          tuple(str(b) for b in data["banks"]), files, media)
    except KioskError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError):
        raise KioskError(f"{name}: the package content is not an exam package") from None
    errors = payload_errors(payload)
    if errors:
        raise KioskError(f"{name}: {errors[0]}" + (f" (and {len(errors) - 1} more problems)"
                                                    if len(errors) > 1 else ""))
    return payload
