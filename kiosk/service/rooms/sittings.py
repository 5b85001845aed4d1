"""Sittings: create one (the regime's rules checked first), seat candidates, open and close.

`create_sitting` is the one way a sitting comes into being (the demo and the tests use it on a
ledger directly); the `sitting.*` use cases wrap it and the invigilation functions for the
service's callers."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from datetime import date as Date
from typing import Any

from kiosk.crypto import passwords
from kiosk.domain import exam_rules as R
from kiosk.domain import sittings as S
from kiosk.domain.exams import Exam
from kiosk.domain.roster import roster
from kiosk.errors import KioskError
from kiosk.exam_store import LOADED, latest_loads
from kiosk.ledger.centre import Centre
from kiosk.ledger.store import Ledger, NewEvent
from kiosk.service.usecases import ANY_STAFF, OPERATOR, Context, use_case

ACTOR = "invigilator"
#: Who creates sittings: the office, or an invigilator / examiner / admin logged in.
ORGANISERS = (OPERATOR, "admin", "examiner", "invigilator")
ROOM_STAFF = ("invigilator", "examiner", "admin")


def resolve_candidates(ledger: Ledger, wanted: str | Iterable[str]) -> list[str]:
    """Registered candidate ids for "all" or a list of ids (matched case-insensitively)."""
    registered = roster(ledger)
    if isinstance(wanted, str):
        if wanted.strip().lower() == "all":
            if not registered:
                raise KioskError("no candidates registered (kiosk roster import FILE)")
            return list(registered)
        wanted = [w for w in wanted.split(",")]
    by_fold = {cid.casefold(): cid for cid in registered}
    out: list[str] = []
    unknown: list[str] = []
    for raw in wanted:
        cid = raw.strip()
        if not cid:
            continue
        match = by_fold.get(cid.casefold())
        if match is None:
            unknown.append(cid)
        elif match not in out:
            out.append(match)
    if unknown:
        raise KioskError(f"--candidates: not registered: {', '.join(unknown)} "
                         "(kiosk roster list shows who is)")
    if not out:
        raise KioskError("--candidates: no candidate given (use all or ID,ID)")
    return out


def create_sitting(ledger: Ledger, exam_id: str, *, room: str = "", candidates: str |
                   Iterable[str] = "all", self_start: bool = False, day: str | None = None,
                   actor: str = ACTOR, extra: dict[str, object] | None = None,
                   exam: Exam | None = None, start: str | None = None, resit: bool = False,
                   overrides: Mapping[str, str] | None = None, override_actor: str = ""
                   ) -> tuple[S.Sitting, str]:
    """Append `sitting_created`; returns the sitting and its access code (shown once).

    With `exam` (the loaded exam, which `kiosk sitting create` always passes) the regime's rules
    are checked first (kiosk.domain.exam_rules: special-needs time caps, the day window, written
    exams a day, 8 hours a day, the 30-day completion window) and the sitting records `regime`,
    `minutes`, `start`, `group` and `resit` so later sittings can be checked against it.
    `overrides` = candidate -> reason: an examiner (`override_actor`) lets that candidate's
    accommodation exceed the cap; each is a signed `time_cap_overridden` event."""
    if exam_id not in latest_loads(ledger.events(kind=LOADED)):
        raise KioskError(f"exam {exam_id!r} is not loaded in this centre (kiosk load "
                         "PACKAGE.kpkg)")
    ids = resolve_candidates(ledger, candidates)
    day = day or Date.today().isoformat()
    sitting_id = f"S-{day.replace('-', '')}-{secrets.token_hex(3)}"
    code = passwords.generate_code()
    body = S.sitting_body(sitting_id, exam_id, room=room, date=day, candidates=ids,
                          code_hash=passwords.hash_code(code),
                          self_start=self_start)
    body.update(extra or {})
    new_overrides: list[NewEvent] = []
    if exam is not None:
        body.update(_rule_fields(exam, start, resit))
        new_overrides = _check_rules(ledger, exam, body, ids, overrides or {}, override_actor)
    events = ledger.append_many([NewEvent(S.CREATED, body, actor), *new_overrides])
    sitting = S.sittings(events[:1])[sitting_id]
    return sitting, code


def _rule_fields(exam: Exam, start: str | None, resit: bool) -> dict[str, object]:
    fields: dict[str, object] = {"regime": exam.regime, "minutes": exam.minutes,
                                 "group": str(exam.extra.get("vocational_exam") or exam.id),
                                 "resit": resit}
    if start:
        try:
            fields["start"] = R.parse_start(start).strftime("%H:%M")
        except ValueError:
            raise KioskError(f"--start: expected HH:MM, got {start!r}") from None
    return fields


def _check_rules(ledger: Ledger, exam: Exam, body: dict[str, object], ids: list[str],
                 overrides: Mapping[str, str], override_actor: str) -> list[NewEvent]:
    people = roster(ledger)
    acc = {c: people[c].accommodations for c in ids if c in people}
    unknown = [c for c in overrides if c not in ids]
    if unknown:
        raise KioskError(f"--override-time-cap: {', '.join(unknown)} is not a candidate of this "
                         "sitting")
    from kiosk.plugins import regime_rules

    rules = regime_rules()
    errors = R.time_cap_errors(exam.regime, {c: (a.extra_minutes, a.oral_prep_minutes)
                                             for c, a in acc.items()}, overrides, rules)
    planned = R.Planned.from_body(body)
    assert planned is not None
    existing = [p for p in (R.Planned.from_body(e.body) for e in ledger.events(kind=S.CREATED))
                if p is not None]
    errors += R.schedule_errors(planned, existing, {c: a.extra_minutes for c, a in acc.items()},
                                rules)
    if errors:
        raise RuleErrors(errors)
    caps = R.rules_for(exam.regime, rules).time_caps
    out = []
    for cid, reason in overrides.items():
        a = acc[cid]
        if caps is None or (a.extra_minutes <= caps[0] and a.oral_prep_minutes <= caps[1]):
            continue  # within the caps: nothing to override
        out.append(NewEvent(R.OVERRIDE, {
            "sitting": body["sitting"], "exam": exam.id, "candidate": cid,
            "extra_minutes": a.extra_minutes, "oral_prep_minutes": a.oral_prep_minutes,
            "caps": list(caps), "reason": reason}, override_actor))
    return out


class RuleErrors(KioskError):
    """The sitting breaks its regime's rules: every line, then a summary."""

    def __init__(self, errors: list[str]) -> None:
        n = len(errors)
        super().__init__(f"{errors[0]}" + (f" (and {n - 1} more)" if n > 1 else "")
                         + "; no sitting created", errors=errors)


def _delivery(centre: Centre, exam_id: str, passphrase: str | None, self_start: bool
              ) -> list[str]:
    """Refuse (KioskError) an exam this machine cannot deliver in exam mode; practice warnings."""
    from kiosk.delivery import require_delivery
    from kiosk.exam_store import exam_and_banks

    with centre.reader() as reader:
        if exam_id not in latest_loads(reader.events(kind=LOADED)):
            return []  # create_sitting names the problem
    exam, banks = exam_and_banks(centre, exam_id, passphrase)
    return require_delivery(exam, banks, practice=self_start or exam.self_start)



def sitting_json(s: S.Sitting) -> dict[str, Any]:
    return {"sitting": s.id, "exam": s.exam, "room": s.room, "date": s.date,
            "candidates": list(s.candidates), "self_start": s.self_start, "open": s.open,
            "seq": s.seq}


@use_case("sitting.create", roles=ORGANISERS)
def create(ctx: Context, *, exam: str, room: str = "", candidates: str | list[str] = "all",
           self_start: bool = False, day: str | None = None, start: str | None = None,
           resit: bool = False, overrides: dict[str, str] | None = None) -> dict[str, Any]:
    """Create a sitting; the access code is in the answer once (only its hash is kept)."""
    from kiosk.exam_store import exam_and_banks
    from kiosk.exit_pin import ensure_pin

    if day is not None:
        try:
            day = Date.fromisoformat(day).isoformat()
        except ValueError:
            raise KioskError(f"--date: expected YYYY-MM-DD, got {day!r}") from None
    actor = ""
    if overrides:
        # Exceeding a regime's time cap is an examiner's decision, under their own name.
        if ctx.caller.role not in ("examiner", "admin"):
            raise KioskError("--override-time-cap needs --user EXAMINER (an examiner's "
                             "decision, recorded under their name)")
        from kiosk import marking

        actor = marking.examiner_actor(ctx.caller.name)
        if any(not " ".join(str(r).split()) for r in overrides.values()):
            raise KioskError("--override-time-cap needs --override-reason TEXT")
    warnings = _delivery(ctx.centre, exam, ctx.passphrase, self_start)
    loaded = exam in latest_loads(ctx.ledger.events(kind=LOADED))
    content = exam_and_banks(ctx.centre, exam, ctx.passphrase)[0] if loaded else None
    wanted = {c.casefold(): c for c in roster(ctx.ledger)}
    fixed = {wanted.get(c.casefold(), c): " ".join(str(r).split())
             for c, r in (overrides or {}).items()}
    sitting, code = create_sitting(ctx.ledger, exam, room=room, candidates=candidates,
                                   self_start=self_start, day=day, exam=content, start=start,
                                   resit=resit, overrides=fixed, override_actor=actor)
    return {"sitting": sitting_json(sitting), "code": code, "warnings": warnings,
            "day_window_unchecked": _day_window_unchecked(content, start),
            "pin": ensure_pin(ctx.centre)}


def _day_window_unchecked(exam: Exam | None, start: str | None) -> bool:
    from kiosk.plugins import regime_rules

    return bool(exam is not None and not start
                and R.rules_for(exam.regime, regime_rules()).day_window)


@use_case("sitting.list", roles=ANY_STAFF, writes=False)
def list_sittings(ctx: Context) -> list[dict[str, Any]]:
    return [sitting_json(s) for s in S.sittings(ctx.ledger.events(kind=S.KINDS)).values()]


def _user(ctx: Context) -> Any:
    from kiosk.invigilation import Invigilator

    return Invigilator(ctx.caller.name, ctx.caller.role)


@use_case("sitting.seat", roles=ROOM_STAFF)
def seat(ctx: Context, *, sitting: str, candidate: str, seat: str) -> dict[str, Any]:
    from kiosk import invigilation

    event = invigilation.assign_seat(ctx.ledger, _user(ctx), sitting, candidate, seat)
    return {"candidate": event.body["candidate"], "seat": event.body["seat"]}


@use_case("sitting.open", roles=ROOM_STAFF)
def open_(ctx: Context, *, sitting: str) -> dict[str, Any]:
    from kiosk import invigilation

    invigilation.open_sitting(ctx.ledger, _user(ctx), sitting)
    return {"sitting": sitting, "open": True}


@use_case("sitting.close", roles=ROOM_STAFF)
def close(ctx: Context, *, sitting: str, force_submit: bool = False) -> dict[str, Any]:
    from kiosk import invigilation

    events = invigilation.close_sitting(ctx.ledger, _user(ctx), sitting,
                                        force_submit_running=force_submit)
    return {"sitting": sitting, "open": False,
            "forced": sum(1 for e in events if e.kind == "attempt_submitted")}
