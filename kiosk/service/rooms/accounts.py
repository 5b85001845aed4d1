"""Accounts and the roster: the operator's (and an admin's) administration of the centre."""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any

from kiosk.crypto import passwords
from kiosk.domain import accounts
from kiosk.domain import roster as rosters
from kiosk.errors import KioskError
from kiosk.ledger.store import NewEvent
from kiosk.service.usecases import ANY_STAFF, OPERATOR, Context, use_case

ADMINS = (OPERATOR, "admin")
#: Who registers candidates: the office (operator, admin) or an examiner, as before.
ROSTER_KEEPERS = (OPERATOR, "admin", "examiner")
ROSTER_ACTOR = "examiner"
USER_KINDS = ("user_added", "user_disabled")


def _users(ctx: Context) -> dict[str, accounts.User]:
    return accounts.fold_users(ctx.ledger.events(kind=USER_KINDS))


def _prepare_user(args: dict[str, Any]) -> dict[str, Any]:
    password = args.get("password")
    if not isinstance(password, str):
        raise KioskError("user.add: a password is required")
    if (err := accounts.password_error(password)) is not None:
        raise KioskError(err)
    out = {k: v for k, v in args.items() if k not in ("password", "password_hash")}
    out["password_hash"] = passwords.hash_password(password)
    return out


@use_case("user.add", roles=ADMINS, prepare=_prepare_user)
def add_user(ctx: Context, *, name: str, role: str, password_hash: str) -> dict[str, Any]:
    if (err := accounts.name_error(name)) is not None:
        raise KioskError(err)
    if role not in accounts.ROLES:
        raise KioskError(f"role {role!r}: one of {', '.join(accounts.ROLES)}")
    if name in _users(ctx):
        raise KioskError(f"user {name!r} already exists (names are never reused)")
    event = ctx.ledger.append("user_added", {"user": name, "role": role,
                                             "password_hash": password_hash}, actor="system")
    return {"user": name, "role": role, "seq": event.seq}


@use_case("user.disable", roles=ADMINS)
def disable_user(ctx: Context, *, name: str, reason: str) -> dict[str, Any]:
    user = _users(ctx).get(name)
    if user is None:
        raise KioskError(f"no user {name!r}")
    if not user.active:
        raise KioskError(f"user {name!r} is already disabled")
    if not reason.strip():
        raise KioskError("--reason: say why")
    event = ctx.ledger.append("user_disabled", {"user": name, "reason": reason}, actor="system")
    return {"user": name, "seq": event.seq}


@use_case("user.list", roles=ADMINS, writes=False)
def list_users(ctx: Context) -> list[dict[str, Any]]:
    """Accounts, never their password hashes."""
    return [{"user": u.name, "role": u.role, "active": u.active,
             "disabled_reason": u.disabled_reason} for u in _users(ctx).values()]


def _roster_notes(parsed: rosters.RosterFile, filename: str) -> list[str]:
    # The caps depend on the exam's regime, so they are enforced when a sitting is created;
    # say so now, while the clerk still has the file open.
    from kiosk.plugins import regime_rules

    caps = [r.time_caps for r in regime_rules().values() if r.time_caps is not None]
    if not caps:
        return []
    written, oral = min(c[0] for c in caps), min(c[1] for c in caps)
    notes = []
    for row in parsed.rows:
        acc = row.candidate.accommodations
        if acc.extra_minutes > written or acc.oral_prep_minutes > oral:
            notes.append(f"{filename}:{row.line}: note: {row.candidate.id} has "
                         f"{acc.extra_minutes}/{acc.oral_prep_minutes} extra minutes (written/"
                         f"oral preparation); in-school and vocational exams allow at most "
                         f"{written}/{oral}, so their sittings need an examiner's override")
    return notes


@use_case("roster.import", roles=ROSTER_KEEPERS)
def import_roster(ctx: Context, *, filename: str, data_b64: str, path: str = ""
                  ) -> dict[str, Any]:
    """Register the candidates of a CSV roster: all of them, or none when any row is wrong.
    The file travels as bytes (base64) so its encoding is judged here, as it would be locally;
    `path` is how the caller named it (for the error lines)."""
    where = path or filename
    try:
        data = base64.b64decode(data_b64, validate=True)
    except (binascii.Error, ValueError):
        raise KioskError(f"{where}: the file did not arrive intact") from None
    parsed = rosters.parse_roster(data, where)
    errors = list(parsed.errors) or rosters.conflicts(parsed, rosters.roster_registrations(
        ctx.ledger))
    if errors:
        n = len(errors)
        raise KioskError(f"{where}: {n} problem{'s' if n != 1 else ''}; nothing imported",
                         errors=errors)
    sha = hashlib.sha256(data).hexdigest()
    events = ctx.ledger.append_many([NewEvent(kind, body, ROSTER_ACTOR)
                                     for kind, body in rosters.import_bodies(parsed, filename,
                                                                             sha)])
    return {"count": len(parsed.rows), "first_seq": events[0].seq, "last_seq": events[-1].seq,
            "notes": _roster_notes(parsed, where)}


@use_case("roster.list", roles=ANY_STAFF, writes=False)
def list_roster(ctx: Context) -> list[dict[str, Any]]:
    regs = rosters.roster_registrations(ctx.ledger)
    return [{**r.candidate.as_dict(), "seq": r.seq, "registered": r.ts} for r in regs.values()]
