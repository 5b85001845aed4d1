"""The staff's use cases, named and authorised in one place: what the centre service runs for
the invigilator console, the marking app and the writing CLI commands.

A use case is a function `fn(ctx, **args) -> JSON-able` registered under a dotted name
("user.add", "sitting.create", …) with the roles that may call it. Its arguments and its result
are plain JSON: the same call travels over the service's socket (`POST /v1/call/{name}`) or,
in the embedded single-user setup with no service listening, runs in the caller's process on
the centre's ledger (`LocalCalls`). Either way the same function decides and appends; the click
command or the Textual screen only collects input and shows the answer.

Who may call: a staff member logged in with name and password (a token bound to their role and
Unix uid), or the *operator*: a process of the account the service itself runs as (SO_PEERCRED
uid), i.e. whoever already owns the centre directory and could open the ledger anyway. Account
and roster administration is the operator's (`kiosk user add` on the service account, as
`kiosk init` was).

Rooms register their use cases in their own modules (`kiosk/service/rooms/*.py`); `load_rooms`
imports them once.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kiosk.errors import KioskError

if TYPE_CHECKING:
    from kiosk.ledger.centre import Centre
    from kiosk.ledger.store import Event, Ledger

#: The role of the service's own account (no password: it owns the centre directory).
OPERATOR = "operator"
STAFF_ROLES = ("invigilator", "examiner", "admin")
ANY_STAFF = (*STAFF_ROLES, OPERATOR)


@dataclass(frozen=True)
class Caller:
    """Who is calling: a staff user (name, role) or the operator; `uid` from SO_PEERCRED."""

    name: str
    role: str
    uid: int | None = None


@dataclass
class Context:
    """What a use case gets: the centre, the ledger to read and append to (inside the service's
    group-commit transaction, or the embedded caller's own), and who calls."""

    centre: Centre
    ledger: Ledger
    caller: Caller
    passphrase: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class UseCase:
    name: str
    fn: Callable[..., Any]
    roles: tuple[str, ...]
    #: False: reads only; the service runs it on a reader connection beside the writer, so a
    #: long report never holds up a candidate's save.
    writes: bool = True
    #: Slow, pure preparation of the arguments (a password hash) run before the write job,
    #: off the writer thread.
    prepare: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    #: A reading use case that decrypts exam content (results, marking views) needs the key's
    #: passphrase in the embedded path; writing ones always do.
    needs_key: bool = False
    #: Slow reading a write rests on (a marking context: every attempt folded and scored),
    #: done first on a reader connection off the writer thread, so the write transaction does
    #: not hold up candidates' saves; its result reaches the write as `ctx.extra["first"]`, and
    #: the write re-checks inside its transaction what may have changed since.
    read_first: Callable[[Context, dict[str, Any]], Any] | None = None


USE_CASES: dict[str, UseCase] = {}


def use_case(name: str, *, roles: tuple[str, ...], writes: bool = True,
             prepare: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
             needs_key: bool = False,
             read_first: Callable[[Context, dict[str, Any]], Any] | None = None
             ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        if name in USE_CASES and USE_CASES[name].fn is not fn:
            raise RuntimeError(f"use case {name!r} registered twice")
        USE_CASES[name] = UseCase(name, fn, roles, writes, prepare, needs_key, read_first)
        return fn

    return register


ROOMS = ("accounts", "sittings", "exports", "invigilation", "marking", "records", "oral",
         "results", "documents")


def load_rooms() -> dict[str, UseCase]:
    import importlib

    for room in ROOMS:
        importlib.import_module(f"kiosk.service.rooms.{room}")
    return USE_CASES


def lookup(name: str) -> UseCase:
    found = load_rooms().get(name)
    if found is None:
        raise KioskError(f"no such call: {name}")
    return found


class NotAllowed(KioskError):
    """The caller's role may not make this call."""


def authorise(uc: UseCase, caller: Caller) -> None:
    if caller.role not in uc.roles:
        who = "the centre's operator account" if uc.roles == (OPERATOR,) else \
            " or ".join(r for r in uc.roles if r != OPERATOR) + " role"
        raise NotAllowed(f"{uc.name}: this needs {who}")


def clean_args(args: Any) -> dict[str, Any]:
    if not isinstance(args, dict):
        raise KioskError("a call's arguments must be a JSON object")
    return args


def run(uc: UseCase, ctx: Context, args: dict[str, Any]) -> Any:
    """Call the use case with its arguments; a wrong argument is one clear line, not a
    traceback."""
    try:
        # Checked against the signature first, so a TypeError from inside the use case stays
        # what it is (a bug), never mistaken for the caller's wrong argument.
        inspect.signature(uc.fn).bind(ctx, **args)
    except TypeError as exc:
        raise KioskError(f"{uc.name}: {exc}") from None
    return as_json(uc.fn(ctx, **args))


def event_json(event: Event) -> dict[str, Any]:
    return {"seq": event.seq, "ts": event.ts, "actor": event.actor, "attempt": event.attempt,
            "kind": event.kind, "body": event.body}


def as_json(value: Any) -> Any:
    """Results as they travel: what the embedded path returns is what the socket would."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=_default))


def _default(value: Any) -> Any:
    import dataclasses

    from kiosk.ledger.store import Event

    if isinstance(value, Event):
        return event_json(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"not JSON: {type(value).__name__}")


# -- the embedded path -----------------------------------------------------------------------


class LocalCalls:
    """The calls without a service: the single-user embedded setup (practice, demos, tests on
    one account). Opens the centre's ledger for writing, so it is only possible for the account
    that owns the centre directory — exactly the operator of a running service."""

    def __init__(self, centre: Centre,
                 passphrase: str | None | Callable[[], str | None] = None) -> None:
        self.centre = centre
        # Asked only when a call needs the key (a listing does not).
        self._passphrase = passphrase
        self.caller = Caller(OPERATOR, OPERATOR, _uid())
        self._ledger: Ledger | None = None

    @property
    def passphrase(self) -> str | None:
        if callable(self._passphrase):
            self._passphrase = self._passphrase()
        return self._passphrase

    @property
    def remote(self) -> bool:
        return False

    def ledger(self) -> Ledger:
        if self._ledger is None:
            self._ledger = self.centre.ledger(self.passphrase)
        return self._ledger

    def login(self, name: str, password: str, roles: tuple[str, ...] = ()) -> Caller:
        from kiosk import invigilation

        with self.centre.reader() as reader:
            user = invigilation.login(reader, name, password, roles or STAFF_ROLES)
        self.caller = Caller(user.name, user.role, _uid())
        return self.caller

    def call(self, use_case: str, /, **args: Any) -> Any:
        uc = lookup(use_case)
        authorise(uc, self.caller)
        args = as_json(clean_args(args))
        if uc.prepare is not None:
            args = uc.prepare(args)
        if not uc.writes:
            key = self.passphrase if uc.needs_key else None
            with self.centre.reader() as reader:
                return run(uc, Context(self.centre, reader, self.caller, key), args)
        extra: dict[str, Any] = {}
        if uc.read_first is not None:
            with self.centre.reader() as reader:
                extra["first"] = uc.read_first(
                    Context(self.centre, reader, self.caller, self.passphrase), args)
        ledger = self.ledger()
        with ledger.transaction():
            return run(uc, Context(self.centre, ledger, self.caller, self.passphrase,
                                   extra=extra), args)

    def close(self) -> None:
        if self._ledger is not None:
            self._ledger.close()
            self._ledger = None


def _uid() -> int | None:
    import os

    return os.geteuid() if hasattr(os, "geteuid") else None
