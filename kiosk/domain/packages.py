"""What an exam package (`.kpkg`) holds: the payload, and its checks once decrypted.

Sealing, opening and gathering the files from disk are kiosk.packages' work (the envelope is
kiosk.crypto.envelope); this module only turns bytes into a checked Payload and back.

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
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kiosk.domain import toml_lines
from kiosk.errors import KioskError

PAYLOAD_FORMAT = 1
MIN_PASSPHRASE = 8
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


# --- the payload ----------------------------------------------------------------------------


def attachment_hashes(text: str) -> set[str]:
    try:
        items = tomllib.loads(text).get("items", [])
    except tomllib.TOMLDecodeError:
        return set()
    out: set[str] = set()
    for item in items if isinstance(items, list) else []:
        attachments = item.get("attachments") if isinstance(item, dict) else None
        for a in attachments if isinstance(attachments, list) else []:
            if isinstance(a, dict) and isinstance(a.get("sha256"), str):
                out.add(a["sha256"])
    return out


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
        for sha in sorted(attachment_hashes(text) - set(payload.media)):
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
