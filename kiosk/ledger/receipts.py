"""Receipt codes: a short, copyable code for the chain head at an event."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

# Crockford base32: no I, L, O, U, so a code copied by hand cannot be misread.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_READ_AS = {"O": "0", "I": "1", "L": "1"}
LENGTH = 12


def receipt_code(head_hash: str) -> str:
    """12 characters (60 bits) in three groups of four, e.g. `7K3M-Q9XW-2HTB`."""
    digest = hashlib.sha256(b"kiosk-receipt-v1\n" + head_hash.encode()).digest()
    number = int.from_bytes(digest[:8], "big") >> 4
    chars = []
    for _ in range(LENGTH):
        chars.append(ALPHABET[number & 31])
        number >>= 5
    code = "".join(reversed(chars))
    return "-".join(code[i : i + 4] for i in range(0, LENGTH, 4))


def normalise(code: str) -> str | None:
    """Accept lower case, spaces, dashes and the usual misreadings; None if not a code."""
    cleaned = "".join(_READ_AS.get(c, c) for c in code.upper() if c not in " -")
    if len(cleaned) != LENGTH or any(c not in ALPHABET for c in cleaned):
        return None
    return "-".join(cleaned[i : i + 4] for i in range(0, LENGTH, 4))


#: Events that change an attempt's outcome (after its submission, or voiding it): each gives
#: the attempt a new receipt code, so a later rollback or cut that drops the change is caught by
#: the code printed in the minutes and on the result sheet.
CHANGE_KINDS = frozenset({"marked", "remarked", "attempt_voided", "appeal_decided"})
SUBMITTED = "attempt_submitted"


@dataclass(frozen=True)
class AttemptReceipt:
    seq: int
    kind: str
    ts: str
    code: str


def attempt_receipts(events: Iterable[Any]) -> dict[str, list[AttemptReceipt]]:
    """attempt id → its receipt codes in ledger order: the (first) submission's, then one for
    every change to the attempt (marks, re-marks, voids, appeal decisions). The last one is the
    attempt's current receipt: the chain head right after its latest change."""
    out: dict[str, list[AttemptReceipt]] = {}
    submitted: set[str] = set()
    for e in events:
        attempt = e.attempt
        if not attempt:
            continue
        if e.kind == SUBMITTED:
            if attempt in submitted:
                continue
            submitted.add(attempt)
        elif e.kind not in CHANGE_KINDS:
            continue
        out.setdefault(attempt, []).append(AttemptReceipt(e.seq, e.kind, e.ts, receipt_code(e.hash)))
    return out


def latest_receipts(events: Iterable[Any]) -> dict[str, str]:
    """attempt id → the receipt code after its latest change, for attempts changed after
    submission (or voided); attempts with only their submission are left out."""
    return {a: codes[-1].code for a, codes in attempt_receipts(events).items()
            if codes[-1].kind != SUBMITTED}
