"""Canonical bytes for events and checkpoints: what hashes and signatures cover."""

from __future__ import annotations

import hashlib
import json
from typing import Any

GENESIS_PREV = "0" * 64
CHECKPOINT_DOMAIN = b"kiosk-checkpoint-v1\n"
CHECKPOINT_DOMAIN_V2 = b"kiosk-checkpoint-v2\n"
#: The checkpoint format new checkpoints are written in (v1: before the chained checkpoints).
CHECKPOINT_VERSION = 2


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, UTF-8 kept: the same data always gives the same text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def event_hash(
    prev_hash: str, seq: int, ts: str, actor: str, attempt: str | None, kind: str, body: str
) -> str:
    """SHA-256 over the previous hash and the event's fields.

    Every text field is length-prefixed (so no field can bleed into the next; a null attempt is
    length -1) and the body is appended as the stored canonical text: a changed byte anywhere
    changes the hash. Cheaper than JSON-encoding a header, which matters for verify throughput.
    """
    a = "" if attempt is None else attempt
    n = -1 if attempt is None else len(a)
    return hashlib.sha256(
        f"{prev_hash}\x1e{seq}\x1f{len(ts)}:{ts}\x1f{len(actor)}:{actor}\x1f{n}:{a}"
        f"\x1f{len(kind)}:{kind}\x1e{body}".encode()
    ).hexdigest()


def checkpoint_message(
    cp_id: int,
    upto_seq: int,
    head_hash: str,
    ts: str,
    *,
    version: int = 1,
    fingerprint: str = "",
    prev: str = "",
) -> bytes:
    """What a checkpoint's signature covers.

    v1 (old ledgers): id, upto_seq, head_hash, ts; the key fingerprint column is not covered.
    v2: also the signing key's fingerprint and `prev`, the digest of the previous checkpoint
    record (`checkpoint_digest`, zeros for the first). So the newest signature commits to every
    earlier checkpoint record, and through their head hashes to every event before it.
    """
    if version == 1:
        return CHECKPOINT_DOMAIN + f"{cp_id}\n{upto_seq}\n{head_hash}\n{ts}".encode()
    if version == 2:
        return CHECKPOINT_DOMAIN_V2 + (
            f"{cp_id}\n{upto_seq}\n{head_hash}\n{ts}\n{fingerprint}\n{prev}".encode()
        )
    raise ValueError(f"unknown checkpoint version {version!r}")


def checkpoint_digest(message: bytes, signature: str) -> str:
    """The link to a checkpoint record: SHA-256 over its signed message and its signature."""
    return hashlib.sha256(message + b"\x1e" + signature.encode()).hexdigest()
