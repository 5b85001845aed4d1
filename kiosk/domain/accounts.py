"""Invigilator and examiner accounts: a fold over `user_*` events; passwords only as scrypt
hashes (the password itself never reaches the ledger, a log or an export). Hashing and checking
is kiosk.crypto.passwords' work: `authenticate` is given its checker."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

ROLES = ("invigilator", "examiner")
NAME_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
MIN_PASSWORD = 8


@dataclass(frozen=True)
class User:
    name: str
    role: str
    password_hash: str
    active: bool = True
    added_seq: int = 0
    disabled_reason: str | None = None


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


def authenticate(users: dict[str, User], name: str, password: str, role: str | None = None, *,
                 check: Callable[[str, str | None], bool]) -> User | None:
    """The active user with this password (and role), else None — never says which part failed.

    `check(password, stored)` is kiosk.crypto.passwords.check_password; it is called for an
    unknown name too (with None) so timing does not reveal which names exist."""
    user = users.get(name)
    ok = check(password, user.password_hash if user else None)
    if user is None or not ok or not user.active or (role and user.role != role):
        return None
    return user
