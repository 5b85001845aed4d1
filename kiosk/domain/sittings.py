"""Sittings (one exam in one room at one time) and their access codes.

A sitting is created by a `sitting_created` event and closed by `sitting_closed` (reopened by
`sitting_opened`). Its access code is shown once, when the sitting is created; the ledger keeps
only a scrypt hash with a random salt, so reading the ledger does not reveal the code.
"""

from __future__ import annotations

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
#: The kdf recorded by sittings written before the field existed (kiosk.crypto.passwords').
KDF_NAME = "scrypt:16384:8:1"


class _Event(Protocol):
    seq: int
    ts: str
    kind: str
    body: dict[str, Any]


# --- access codes ---------------------------------------------------------------------------
# Generating and hashing codes (randomness, scrypt) is kiosk.crypto.passwords' work; the domain
# keeps what a code looks like and the stored hash fields.


def normalise_code(code: str) -> str:
    """Upper case without spaces and dashes (how a code is compared and hashed)."""
    return "".join(c for c in code.upper() if c not in " -\t")


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


def sitting_body(sitting_id: str, exam: str, *, room: str, date: str, candidates: Iterable[str],
                 code_hash: Mapping[str, str], self_start: bool,
                 seats: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The `sitting_created` body; `code_hash` is kiosk.crypto.passwords.hash_code(code)."""
    hashed = code_hash
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
