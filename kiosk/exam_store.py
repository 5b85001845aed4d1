"""Exam content loaded into a centre, kept encrypted on the lab machine's disk.

`kiosk load` opens a package in memory and stores its content as `exams/<exam id>.kexam`,
encrypted again with AES-256-GCM under a key derived (HKDF-SHA256, info "kiosk exam content v1",
random salt per file) from the centre's Ed25519 private key. Question text therefore never rests
on disk in clear text; whoever holds the centre key can read it, so centres that must keep
exams from a local administrator encrypt the key (`kiosk init --passphrase`).

Layout of a `.kexam` file: b"KEXAM1" | header length (4 bytes, big-endian) | header JSON
(exam id, salt, nonce) | ciphertext, with everything before the ciphertext as associated data:
a file renamed to another exam's name does not decrypt.

The ledger records each load as an `exam_loaded` event (ids, file names, hashes; never question
text). Reading content back checks it against the latest such event, so an older `.kexam` copied
over the current one is refused.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from kiosk.domain.banks import Bank
from kiosk.domain.exams import Exam, ExamCheck, ExamError
from kiosk.domain.packages import EXAM_ID_RE, Payload, decode_payload, unseal
from kiosk.errors import KioskError
from kiosk.ledger import keys
from kiosk.ledger.centre import PASSPHRASE_ENV, Centre
from kiosk.ledger.store import Event

EXAMS_DIR = "exams"
SUFFIX = ".kexam"
MAGIC = b"KEXAM1"
INFO = b"kiosk exam content v1"
LOADED = "exam_loaded"
SALT_BYTES = 16
NONCE_BYTES = 12


def exam_file(centre: Centre, exam_id: str) -> Path:
    if not EXAM_ID_RE.match(exam_id):
        raise KioskError(f"exam id {exam_id!r}: not a valid exam id")
    return centre.path / EXAMS_DIR / f"{exam_id}{SUFFIX}"


def _private(centre: Centre, passphrase: str | None) -> Ed25519PrivateKey:
    return keys.read_private(centre.private_key_path,
                             passphrase or os.environ.get(PASSPHRASE_ENV) or None)


def _key(private: Ed25519PrivateKey, salt: bytes) -> bytes:
    raw = private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                serialization.NoEncryption())
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=INFO).derive(raw)


def encrypt_content(private: Ed25519PrivateKey, exam_id: str, plain: bytes) -> bytes:
    salt, nonce = os.urandom(SALT_BYTES), os.urandom(NONCE_BYTES)
    header = json.dumps(
        {"exam": exam_id, "cipher": "AES-256-GCM", "kdf": "HKDF-SHA256",
         "salt": base64.b64encode(salt).decode(), "nonce": base64.b64encode(nonce).decode()},
        sort_keys=True, separators=(",", ":"),
    ).encode()
    prefix = MAGIC + struct.pack(">I", len(header)) + header
    return prefix + AESGCM(_key(private, salt)).encrypt(nonce, plain, prefix)


def decrypt_content(private: Ed25519PrivateKey, exam_id: str, blob: bytes, name: str) -> bytes:
    bad = KioskError(f"{name}: stored exam content is damaged or was not written by this "
                     "centre (load the package again with --replace)")
    start = len(MAGIC) + 4
    if not blob.startswith(MAGIC) or len(blob) < start:
        raise bad
    (size,) = struct.unpack(">I", blob[len(MAGIC):start])
    try:
        header = json.loads(blob[start:start + size])
        salt = base64.b64decode(header["salt"], validate=True)
        nonce = base64.b64decode(header["nonce"], validate=True)
        if header["exam"] != exam_id or len(nonce) != NONCE_BYTES:
            raise ValueError("exam")
        prefix = blob[:start + size]
        return AESGCM(_key(private, salt)).decrypt(nonce, blob[start + size:], prefix)
    except (ValueError, KeyError, TypeError, InvalidTag):
        raise bad from None


def write_atomically(target: Path, data: bytes) -> None:
    """Replace `target` with `data` so a crash leaves the old file or the new one, never half."""
    tmp = _write_temp(target, data)
    try:
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(target.parent)


def _write_temp(target: Path, data: bytes) -> Path:
    """Write to a temporary file beside `target`, durably; the caller renames it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def latest_loads(events: Iterable[Event]) -> dict[str, Event]:
    """The most recent `exam_loaded` event per exam id."""
    return {e.body["exam"]: e for e in events if e.kind == LOADED}


def open_package(path: Path, passphrase: str) -> tuple[Payload, bytes, bytes]:
    """(payload, decrypted bytes, package bytes), all in memory; PackageError when it fails."""
    try:
        blob = path.read_bytes()
    except FileNotFoundError:
        raise KioskError(f"{path}: no such file") from None
    except OSError as exc:
        raise KioskError(f"{path}: cannot read: {exc.strerror or exc}") from None
    plain = unseal(blob, passphrase, str(path))
    return decode_payload(plain, str(path)), plain, blob


def load_package(
    centre: Centre,
    path: Path,
    passphrase: str,
    *,
    replace: bool = False,
    centre_passphrase: str | None = None,
    actor: str = "examiner",
) -> Event:
    """Decrypt a package, store its content encrypted for this centre and record the load.

    Nothing is written unless everything succeeds: the content goes to a temporary file, the
    event is appended, and only then does the file take its name."""
    payload, plain, blob = open_package(path, passphrase)
    # The content was checked when it was sealed and GCM proves it unchanged since; checking
    # again catches a package sealed by a kiosk whose question types differ from this one's.
    check = _check_texts(payload)
    if check is not None and (check.errors or check.exam is None):
        first = check.errors[0] if check.errors else "not a usable exam"
        more = f" (and {len(check.errors) - 1} more)" if len(check.errors) > 1 else ""
        raise KioskError(f"{path}: nothing loaded: {first}{more}")
    target = exam_file(centre, payload.exam)
    private = _private(centre, centre_passphrase)
    with centre.ledger(centre_passphrase) as ledger:
        previous = latest_loads(ledger.events(kind=LOADED)).get(payload.exam)
        if (previous is not None or target.exists()) and not replace:
            if previous is None:
                raise KioskError(f"{path}: {target} exists but the ledger records no load of "
                                 f"exam {payload.exam!r}; use --replace to load it again")
            raise KioskError(f"{path}: exam {payload.exam!r} is already loaded in {centre.path} "
                             f"(event #{previous.seq} of {previous.ts}); use --replace to load "
                             "it again")
        tmp = _write_temp(target, encrypt_content(private, payload.exam, plain))
        body: dict[str, Any] = {
            "exam": payload.exam,
            "title": payload.title,
            "package": path.name,
            "package_sha256": hashlib.sha256(blob).hexdigest(),
            "content_sha256": hashlib.sha256(plain).hexdigest(),
            "files": payload.file_names,
            "banks": list(payload.banks),
        }
        if previous is not None:
            body["replaces"] = previous.seq
        try:
            event = ledger.append(LOADED, body, actor=actor)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        _fsync_dir(target.parent)
    return event


def load_payload(centre: Centre, exam_id: str, passphrase: str | None = None) -> Payload:
    """The loaded content of an exam, decrypted in memory and checked against the ledger."""
    target = exam_file(centre, exam_id)
    with centre.reader() as reader:
        event = latest_loads(reader.events(kind=LOADED)).get(exam_id)
    if event is None or not target.exists():
        raise KioskError(f"exam {exam_id!r} is not loaded in {centre.path} "
                         "(kiosk load PACKAGE.kpkg)")
    plain = decrypt_content(_private(centre, passphrase), exam_id, target.read_bytes(),
                            str(target))
    if hashlib.sha256(plain).hexdigest() != event.body.get("content_sha256"):
        raise KioskError(f"{target}: content differs from the load recorded in event "
                         f"#{event.seq} (load the package again with --replace)")
    return decode_payload(plain, str(target))


def load_exam_content(centre: Centre, exam_id: str, passphrase: str | None = None
                      ) -> dict[str, str]:
    """File name -> TOML text of a loaded exam (the exam file and its banks)."""
    return dict(load_payload(centre, exam_id, passphrase).files)


def _check_texts(payload: Payload) -> ExamCheck | None:
    """The exam checked against its banks in memory, or None while the exam loader cannot read
    from memory (it needs `kiosk.domain.exams.check_exam_texts(exam_file, files)`, the in-memory
    twin of `check_exam`; file names are the exam's `banks` strings)."""
    from kiosk.domain import exams

    check_texts = getattr(exams, "check_exam_texts", None)
    return None if check_texts is None else check_texts(payload.exam_file, dict(payload.files))


def exam_and_banks(centre: Centre, exam_id: str, passphrase: str | None = None
                   ) -> tuple[Exam, dict[str, Bank]]:
    """The loaded exam and its banks, parsed from the decrypted content without touching disk."""
    payload = load_payload(centre, exam_id, passphrase)
    # the items' attachments, for whatever this process shows (checked by hash again)
    from kiosk import media

    media.register(payload.media)
    check = _check_texts(payload)
    if check is None:
        raise KioskError("reading a loaded exam needs kiosk.domain.exams.check_exam_texts, "
                         "which this version does not have yet")
    if check.errors or check.exam is None:
        raise ExamError(check.errors)
    return check.exam, dict(check.banks)
