"""Reading anchors (heads shown outside the ledger) from the files that carry them: a heads
file, a sealed bundle, the organiser's merged.json, a PDF (minutes, result sheet) or any text
holding heads or receipt codes.

Outside kiosk.ledger because a sealed bundle is checked by kiosk.sealed, which knows the exam
rules (retention); the ledger itself knows no domain (an import contract keeps it so).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kiosk.errors import KioskError
from kiosk.ledger.store import HEADS_SLOT, read_heads
from kiosk.ledger.verify import Anchor, anchors_from_text
from kiosk.sealed import verify_bundle


def load_anchors(path: Path) -> list[Anchor]:
    """Known heads from a file: a heads file, a sealed bundle, the organiser's merged.json, a
    PDF (minutes, result sheet) or any text holding heads or receipt codes. KioskError if the
    file is unreadable or holds no head at all."""
    path = Path(path)
    source = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise KioskError(f"{path}: cannot read the anchor ({exc.strerror or exc})") from exc
    found: list[Anchor]
    if raw[:4] == b"PK\x03\x04":
        check = verify_bundle(path)
        if not check.ok:
            raise KioskError(f"{path}: the bundle does not verify, so its head is no anchor: "
                             f"{check.problems[0]}")
        found = [Anchor(source, seq=check.head_seq, hash=check.head_hash,
                        fingerprint=check.fingerprint)]
    elif raw[:5] == b"%PDF-":
        found = anchors_from_text(_pdf_text(path), source)
    else:
        text = raw.decode("utf-8", "replace")
        heads = '"format": "kiosk-heads"' in text[:2 * HEADS_SLOT]
        data: Any = None
        if not heads and text.lstrip().startswith("{"):
            try:
                data = json.loads(text)
            except ValueError:
                data = None
        if heads:
            found = [Anchor(source, checkpoint=read_heads(path))]
        elif isinstance(data, dict) and isinstance(data.get("bundles"), list):
            found = [Anchor(f"{source} ({b.get('centre')})", seq=int(b["head"]["seq"]),
                            hash=str(b["head"]["hash"]), fingerprint=str(b.get("fingerprint")))
                     for b in data["bundles"]
                     if isinstance(b, dict) and isinstance(b.get("head"), dict)
                     and b.get("status") in (None, "merged")]
        else:
            found = anchors_from_text(text, source)
    if not found:
        raise KioskError(f"{path}: holds no head or receipt code to check against")
    return found


def _pdf_text(path: Path) -> str:
    try:
        from pypdf import PdfReader
    except ImportError as exc:  # pragma: no cover - pypdf is a dependency
        raise KioskError(f"{path}: reading PDF anchors needs pypdf") from exc
    try:
        return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)
    except Exception as exc:  # pypdf raises many types for a damaged file
        raise KioskError(f"{path}: unreadable PDF ({exc})") from exc
