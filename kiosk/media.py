"""Attachment contents (images, shared passages) by hash, for whoever shows an item.

Contents are found, in order: in the in-memory store that a process fills from an exam package
(`register`), or in `media/<sha256>` beside the bank file the item came from. Every content is
checked against its sha256 before it is returned, so a changed file is never shown.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kiosk.domain.banks import MAX_MEDIA_BYTES, MEDIA_DIR
from kiosk.domain.items import Item

_STORE: dict[str, bytes] = {}


def register(files: Mapping[str, bytes]) -> None:
    """Make contents (sha256 -> bytes, e.g. from a decrypted package) available; wrong ones are
    ignored."""
    for sha, data in files.items():
        if hashlib.sha256(data).hexdigest() == sha:
            _STORE[sha] = data


def content(item: Item, attachment: Mapping[str, Any]) -> bytes | None:
    """The attachment's bytes, or None when they are not available or do not match the hash."""
    sha = attachment.get("sha256")
    if not isinstance(sha, str):
        return None
    if sha in _STORE:
        return _STORE[sha]
    if item.source:
        path = Path(item.source).parent / MEDIA_DIR / sha
        try:
            if path.is_file() and path.stat().st_size <= MAX_MEDIA_BYTES:
                data = path.read_bytes()
                if hashlib.sha256(data).hexdigest() == sha:
                    return data
        except OSError:
            return None
    return None


def images(item: Item) -> list[Mapping[str, Any]]:
    return [a for a in item.attachments if a.get("kind", "image") == "image"]


def passages(item: Item) -> list[Mapping[str, Any]]:
    return [a for a in item.attachments if a.get("kind") == "passage"]


def describe(attachment: Mapping[str, Any], data: bytes | None) -> str:
    """One line for people: alt text (or the name), format and size in pixels when known."""
    label = str(attachment.get("alt") or attachment.get("name") or "image")
    if data is None:
        return f"{label} (not available)"
    try:
        import io

        from PIL import Image

        with Image.open(io.BytesIO(data)) as img:
            return f"{label} ({img.format} {img.width}×{img.height})"
    except Exception:  # not an image Pillow can read: still say what it is
        return f"{label} ({len(data)} bytes)"
