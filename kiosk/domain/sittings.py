"""Sittings (one exam in one room at one time) and their access codes.

A sitting is created by a `sitting_created` event and closed by `sitting_closed` (reopened by
`sitting_opened`). Its access code is shown once, when the sitting is created; the ledger keeps
only a scrypt hash with a random salt, so reading the ledger does not reveal the code.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

CREATED = "sitting_created"
OPENED = "sitting_opened"
CLOSED = "sitting_closed"
KINDS = (CREATED, OPENED, CLOSED)

# No 0/O, 1/I/L, 5/S or 8/B: a code read off a whiteboard is typed right the first time.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY234679"
CODE_LENGTH = 8
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
KDF_NAME = f"scrypt:{SCRYPT_N}:{SCRYPT_R}:{SCRYPT_P}"


class _Event(Protocol):
    seq: int
    ts: str
    kind: str
    body: dict[str, Any]


# --- secrets: access codes and PINs ---------------------------------------------------------


def generate_code() -> str:
    """8 characters from CODE_ALPHABET, grouped 4-4: `KX7M-3QRT`."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_code(code: str) -> str:
    """Upper case without spaces and dashes (how a code is compared and hashed)."""
    return "".join(c for c in code.upper() if c not in " -\t")


def _kdf(secret: str, salt: bytes, kdf: str = KDF_NAME) -> bytes:
    name, n, r, p = kdf.split(":")
    if name != "scrypt":
        raise ValueError(f"unknown kdf {kdf!r}")
    return hashlib.scrypt(secret.encode("utf-8"), salt=salt, n=int(n), r=int(r), p=int(p),
                          maxmem=128 * int(n) * int(r) * int(p) + 1024 * 1024, dklen=32)


def hash_secret(secret: str) -> dict[str, str]:
    """{hash, salt, kdf} (hex) of a code or PIN; the secret itself is kept nowhere."""
    salt = secrets.token_bytes(SALT_BYTES)
    return {"hash": _kdf(secret, salt).hex(), "salt": salt.hex(), "kdf": KDF_NAME}


def check_secret(secret: str, hash_hex: str, salt_hex: str, kdf: str = KDF_NAME) -> bool:
    """Constant-time comparison of `secret` with a stored hash."""
    try:
        salt = bytes.fromhex(salt_hex)
        expected = bytes.fromhex(hash_hex)
        got = _kdf(secret, salt, kdf)
    except ValueError:
        return False
    return hmac.compare_digest(got, expected)


def hash_code(code: str) -> dict[str, str]:
    return hash_secret(normalise_code(code))


def check_code(code: str, hash_hex: str, salt_hex: str, kdf: str = KDF_NAME) -> bool:
    return check_secret(normalise_code(code), hash_hex, salt_hex, kdf)


def burn_check() -> None:
    """Spend the time of one code check, so an unknown candidate id answers as slowly as a
    wrong code does."""
    _kdf("x", b"\0" * SALT_BYTES)


# --- sittings in the ledger -----------------------------------------------------------------


@dataclass(frozen=True)
class Sitting:
    id: str
    exam: str
    room: str = ""
    date: str = ""
    candidates: tuple[str, ...] = ()
    seats: Mapping[str, str] = field(default_factory=dict)
    code_hash: str = ""
    code_salt: str = ""
    code_kdf: str = KDF_NAME
    self_start: bool = False
    open: bool = True
    seq: int = 0
    ts: str = ""

    def has(self, candidate: str) -> bool:
        return candidate in self.candidates

    def check_code(self, code: str) -> bool:
        return check_code(code, self.code_hash, self.code_salt, self.code_kdf)


def sitting_body(sitting_id: str, exam: str, *, room: str, date: str, candidates: Iterable[str],
                 code: str, self_start: bool, seats: Mapping[str, str] | None = None
                 ) -> dict[str, Any]:
    hashed = hash_code(code)
    return {
        "sitting": sitting_id, "exam": exam, "room": room, "date": date,
        "candidates": list(candidates), "seats": dict(seats or {}),
        "code_hash": hashed["hash"], "code_salt": hashed["salt"], "code_kdf": hashed["kdf"],
        "self_start": bool(self_start),
    }


def fold_sitting(state: dict[str, Sitting], event: _Event) -> dict[str, Sitting]:
    """Reducer: sittings by id (extended in place and returned)."""
    body = event.body
    if event.kind == CREATED:
        sid = str(body["sitting"])
        state[sid] = Sitting(
            id=sid, exam=str(body["exam"]), room=str(body.get("room", "")),
            date=str(body.get("date", "")), candidates=tuple(body.get("candidates") or ()),
            seats=dict(body.get("seats") or {}), code_hash=str(body.get("code_hash", "")),
            code_salt=str(body.get("code_salt", "")),
            code_kdf=str(body.get("code_kdf", KDF_NAME)),
            self_start=bool(body.get("self_start", False)), open=True, seq=event.seq,
            ts=event.ts,
        )
    elif event.kind in (OPENED, CLOSED):
        sid = str(body.get("sitting", ""))
        if sid in state:
            state[sid] = replace(state[sid], open=event.kind == OPENED)
    return state


def sittings(events: Iterable[_Event]) -> dict[str, Sitting]:
    state: dict[str, Sitting] = {}
    for event in events:
        fold_sitting(state, event)
    return state
