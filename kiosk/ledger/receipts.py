"""Receipt codes: a short, copyable code for the chain head at an event."""

from __future__ import annotations

import hashlib

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
