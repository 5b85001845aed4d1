"""Invigilator and examiner accounts: a fold over `user_*` events; passwords only as scrypt
hashes (the password itself never reaches the ledger, a log or an export)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

ROLES = ("invigilator", "examiner")
NAME_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
MIN_PASSWORD = 8
# scrypt cost: ~50 ms per check here, so guessing offline is slow and login still feels instant.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1


@dataclass(frozen=True)
class User:
    name: str
    role: str
    password_hash: str
    active: bool = True
    added_seq: int = 0
    disabled_reason: str | None = None


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        got = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r),
                             p=int(p), dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


def name_error(name: str) -> str | None:
    if not NAME_RE.match(name):
        return f"user name {name!r} must be 1–64 letters, digits, '.', '_' or '-'"
    return None


def password_error(password: str) -> str | None:
    if len(password) < MIN_PASSWORD:
        return f"the password must be at least {MIN_PASSWORD} characters"
    return None


def fold_users(events: Iterable[Any]) -> dict[str, User]:
    """Users by name from `user_added` / `user_disabled` events (in ledger order)."""
    users: dict[str, User] = {}
    for event in events:
        body = event.body
        if event.kind == "user_added" and body.get("user") not in users:
            users[body["user"]] = User(body["user"], body["role"], body["password_hash"],
                                       added_seq=event.seq)
        elif event.kind == "user_disabled" and body.get("user") in users:
            users[body["user"]] = replace(users[body["user"]], active=False,
                                          disabled_reason=body.get("reason"))
    return users


def authenticate(users: dict[str, User], name: str, password: str, role: str | None = None
                 ) -> User | None:
    """The active user with this password (and role), else None — never says which part failed."""
    user = users.get(name)
    # Check a password even for unknown users so timing does not reveal which names exist.
    stored = user.password_hash if user else hash_password("x", salt=b"\0" * 16)
    ok = check_password(password, stored)
    if user is None or not ok or not user.active or (role and user.role != role):
        return None
    return user
