"""The invigilator's actions: each checks the attempt's (or sitting's) state and appends one
signed event carrying the acting user (`invigilator:NAME`). The console, the CLI and the tests
all go through these functions.

Rules implemented (../shared/rules/szakmai-vizsga.md): identity is checked before the start
(admit, 278. § (1)); time away from the room keeps running (278. § (1)); time lost for reasons
not the candidate's fault is given back as an extension, with a reason (279. § (3)); on an
irregularity the work is suspended, the exact time, the nature and both statements are recorded,
then the candidate continues (280. §).

Plugins hear the lifecycle events among them (start, pause, resume, suspension, force-submit,
void) through `attempt_lifecycle`, once the transaction that holds them has committed: whichever
process runs these functions (the centre service for the console) announces them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kiosk.crypto import passwords
from kiosk.domain import accounts
from kiosk.domain import attempts as A
from kiosk.domain import room as R
from kiosk.domain import sittings as S
from kiosk.domain.attempts import AttemptState
from kiosk.errors import KioskError
from kiosk.ledger.store import Event, Ledger, NewEvent

EXTENSION_CAUSES = ("accommodation", "lost_time")
MAX_EXTENSION_MINUTES = 600
MAX_TEXT = 2000
EXIT_PIN_CHANGED = "exit_pin_changed"


class ActionRefused(KioskError):
    """The action does not fit the attempt's or the sitting's state; nothing was written."""


@dataclass(frozen=True)
class Invigilator:
    name: str
    role: str = "invigilator"

    @property
    def actor(self) -> str:
        return f"{self.role}:{self.name}"


def users(ledger: Ledger) -> dict[str, accounts.User]:
    return accounts.fold_users(ledger.events(kind=("user_added", "user_disabled")))


def login(ledger: Ledger, name: str, password: str,
          roles: tuple[str, ...] = ("invigilator",)) -> Invigilator:
    """The authenticated user; one generic failure whatever was wrong."""
    user = accounts.authenticate(users(ledger), name.strip(), password,
                                 check=passwords.check_password)
    if user is None or user.role not in roles:
        raise KioskError("Unknown user name or wrong password.")
    return Invigilator(user.name, user.role)


# -- reading state ----------------------------------------------------------------------------


def sitting(ledger: Ledger, sitting_id: str) -> S.Sitting:
    found = S.sittings(ledger.events(kind=S.KINDS))
    if sitting_id not in found:
        raise KioskError(f"no sitting {sitting_id!r} (kiosk sitting list shows them)")
    return found[sitting_id]


def attempt_state(ledger: Ledger, attempt: str) -> AttemptState:
    created = next(ledger.events(kind=A.ATTEMPT_CREATED, attempt=attempt), None)
    if created is None:
        raise KioskError(f"no attempt {attempt!r}")
    sid = str(created.body.get("sitting", ""))
    return A.fold_events(ledger.attempt_events(attempt, A.SITTING_WIDE), sitting=sid)


def _text(value: str | None, what: str, *, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ActionRefused(f"{what} is required")
    if len(text) > MAX_TEXT:
        raise ActionRefused(f"{what} is longer than {MAX_TEXT} characters")
    return text


def _running(state: AttemptState, what: str) -> None:
    if state.voided:
        raise ActionRefused(f"cannot {what}: the attempt is voided")
    if state.submitted:
        raise ActionRefused(f"cannot {what}: the attempt is already submitted")
    if not state.started:
        raise ActionRefused(f"cannot {what}: the attempt has not started")


def _append(ledger: Ledger, user: Invigilator, kind: str, body: dict[str, Any],
            attempt: str | None = None, room: Iterable[str] = ()) -> Event:
    """Append one event; `room` are the attempts a room-wide event concerns (for plugins)."""
    event = ledger.append(kind, body, actor=user.actor, attempt=attempt)
    _announce(ledger, [event], room)
    return event


def _append_many(ledger: Ledger, new: list[NewEvent]) -> list[Event]:
    events = ledger.append_many(new)
    _announce(ledger, events)
    return events


def _announce(ledger: Ledger, events: list[Event], room: Iterable[str] = ()) -> None:
    """Tell plugins once the events are durable (after the service's group commit)."""
    from kiosk.plugins import notify_events

    attempts = list(room)
    ledger.after_commit(lambda: notify_events(events, attempts))


# -- one candidate ----------------------------------------------------------------------------


def admit(ledger: Ledger, user: Invigilator, attempt: str, *, document: str = "") -> Event:
    """Identity checked (278. § (1)): the candidate may be started."""
    state = attempt_state(ledger, attempt)
    if state.finished:
        raise ActionRefused("cannot admit: the attempt is finished")
    if not state.logged_in:
        raise ActionRefused("cannot admit: the candidate has not logged in")
    if state.admitted:
        raise ActionRefused("the candidate is already admitted")
    body = {"document": document.strip()} if document.strip() else {}
    return _append(ledger, user, A.ADMITTED, body, attempt)


def start(ledger: Ledger, user: Invigilator, attempt: str) -> Event:
    state = attempt_state(ledger, attempt)
    if state.finished:
        raise ActionRefused("cannot start: the attempt is finished")
    if state.started:
        raise ActionRefused("the attempt has already started")
    if not state.admitted:
        raise ActionRefused("cannot start: admit the candidate first (identity check)")
    return _append(ledger, user, A.STARTED, {"part": state.parts[0] if state.parts else ""},
                   attempt)


def pause(ledger: Ledger, user: Invigilator, attempt: str, reason: str) -> Event:
    state = attempt_state(ledger, attempt)
    _running(state, "pause")
    if state.attempt_paused:
        raise ActionRefused("the attempt is already paused")
    return _append(ledger, user, A.PAUSED, {"reason": _text(reason, "a reason", required=True)},
                   attempt)


def resume(ledger: Ledger, user: Invigilator, attempt: str, reason: str = "") -> Event:
    """Resume a paused attempt, or let a suspended candidate continue."""
    state = attempt_state(ledger, attempt)
    _running(state, "resume")
    body = {"reason": _text(reason, "the reason", required=False)}
    if state.suspended:
        return _append(ledger, user, A.UNSUSPENDED, body, attempt)
    if state.attempt_paused:
        return _append(ledger, user, A.RESUMED, body, attempt)
    if state.sitting_paused:
        raise ActionRefused("the whole room is paused: resume all")
    raise ActionRefused("the attempt is not paused")


def extend(ledger: Ledger, user: Invigilator, attempt: str, minutes: float, reason: str,
           cause: str = "lost_time", part: str | None = None) -> Event:
    """More time for the current (or given) part: an accommodation, or time lost for reasons
    not the candidate's fault (279. § (3))."""
    state = attempt_state(ledger, attempt)
    _running(state, "extend the time")
    body = _extension(minutes, reason, cause)
    if part is not None:
        if part not in state.parts or part in state.submitted_parts:
            raise ActionRefused(f"part {part!r} is not open in this attempt")
        body["part"] = part
    return _append(ledger, user, A.EXTENDED, body, attempt)


def _extension(minutes: float, reason: str, cause: str) -> dict[str, Any]:
    if isinstance(minutes, bool) or not isinstance(minutes, int | float) or not (
            0 < minutes <= MAX_EXTENSION_MINUTES):
        raise ActionRefused(f"minutes must be between 0 and {MAX_EXTENSION_MINUTES} "
                            f"(got {minutes!r})")
    if cause not in EXTENSION_CAUSES:
        raise ActionRefused(f"cause must be one of {', '.join(EXTENSION_CAUSES)} (got {cause!r})")
    value: int | float = int(minutes) if float(minutes).is_integer() else float(minutes)
    return {"minutes": value, "cause": cause,
            "reason": _text(reason, "a reason", required=True)}


def left_room(ledger: Ledger, user: Invigilator, attempt: str, reason: str = "") -> Event:
    """The candidate left the room; the clock keeps running (278. § (1))."""
    state = attempt_state(ledger, attempt)
    _running(state, "mark the candidate away")
    if state.away:
        raise ActionRefused("the candidate is already marked away")
    return _append(ledger, user, A.LEFT_ROOM,
                   {"reason": _text(reason, "the reason", required=False)}, attempt)


def returned(ledger: Ledger, user: Invigilator, attempt: str) -> Event:
    state = attempt_state(ledger, attempt)
    if not state.away:
        raise ActionRefused("the candidate is not marked away")
    return _append(ledger, user, A.RETURNED, {}, attempt)


def suspend(ledger: Ledger, user: Invigilator, attempt: str, reason: str = "irregularity"
            ) -> Event:
    """Stop the candidate's work while an irregularity is recorded (280. §): the clock stops and
    the event's time is the exact time of the suspension."""
    state = attempt_state(ledger, attempt)
    _running(state, "suspend")
    if state.suspended:
        raise ActionRefused("the candidate is already suspended")
    return _append(ledger, user, A.SUSPENDED,
                   {"reason": _text(reason, "a reason", required=True)}, attempt)


def record_irregularity(ledger: Ledger, user: Invigilator, attempt: str, *, nature: str,
                        candidate_statement: str = "", supervisor_statement: str,
                        suspended_seq: int | None = None, resume_after: bool = True,
                        informed: bool = False) -> list[Event]:
    """The irregularity's record (nature, both statements, the time of the suspension it
    belongs to); with `resume_after` the candidate continues in the same transaction.

    `informed` records what Szkr 280. § (3) asks the record to contain: "azt, hogy a vizsgázót
    tájékoztatták a szabálytalanság elbírálásával kapcsolatos eljárásról és a bebizonyított
    szabálytalanság következményeiről" — always written (False is recorded as False, and the
    minutes say it was not done), never assumed."""
    state = attempt_state(ledger, attempt)
    if state.voided:
        raise ActionRefused("cannot record: the attempt is voided")
    body: dict[str, Any] = {
        "nature": _text(nature, "the nature of the irregularity", required=True),
        "candidate_statement": _text(candidate_statement, "the candidate's statement",
                                     required=False),
        "supervisor_statement": _text(supervisor_statement, "the supervisor's statement",
                                      required=True),
        "informed_of_procedure": bool(informed),
    }
    if suspended_seq is not None:
        suspended = ledger.get(suspended_seq)
        if suspended is None or suspended.kind != A.SUSPENDED or suspended.attempt != attempt:
            raise ActionRefused(f"event #{suspended_seq} is not a suspension of this attempt")
        body["suspended_seq"] = suspended_seq
        body["suspended_at"] = suspended.ts
    new = [NewEvent(R.IRREGULARITY, body, user.actor, attempt)]
    if resume_after and state.suspended and not state.finished:
        new.append(NewEvent(A.UNSUSPENDED, {"reason": "irregularity recorded"}, user.actor,
                            attempt))
    return _append_many(ledger, new)


def void(ledger: Ledger, user: Invigilator, attempt: str, reason: str) -> Event:
    state = attempt_state(ledger, attempt)
    if state.voided:
        raise ActionRefused("the attempt is already voided")
    return _append(ledger, user, A.VOIDED, {"reason": _text(reason, "a reason", required=True)},
                   attempt)


def move_seat(ledger: Ledger, user: Invigilator, attempt: str, seat: str, reason: str) -> Event:
    """Let the attempt continue at `seat`: a login there takes it over and the old terminal is
    locked out (kiosk/session.py)."""
    state = attempt_state(ledger, attempt)
    if state.finished:
        raise ActionRefused("cannot move: the attempt is finished")
    seat = _text(seat, "the new seat", required=True)
    current = state.moved_to or state.seat
    if seat == current:
        raise ActionRefused(f"the candidate is already at seat {seat}")
    return _append(ledger, user, A.SEAT_MOVED,
                   {"seat": seat, "from": current or "",
                    "reason": _text(reason, "a reason", required=True)}, attempt)


def force_submit(ledger: Ledger, user: Invigilator, attempt: str, reason: str = "") -> list[Event]:
    """Submit the attempt at the end (every open part, reason "forced"), in one transaction."""
    state = attempt_state(ledger, attempt)
    _running(state, "force-submit")
    return _append_many(ledger, _forced(state, user, reason))


def _forced(state: AttemptState, user: Invigilator, reason: str) -> list[NewEvent]:
    note = _text(reason, "the reason", required=False)
    new = [NewEvent(A.PART_SUBMITTED, {"part": p, "reason": "forced", "note": note,
                                       "consumed_ms": state.consumed_ms.get(p, 0)},
                    user.actor, state.attempt)
           for p in state.parts if p not in state.submitted_parts]
    new.append(NewEvent(A.SUBMITTED, {"reason": "forced", "note": note}, user.actor,
                        state.attempt))
    return new


# -- the whole room ---------------------------------------------------------------------------


def _room_states(ledger: Ledger, sitting_id: str) -> list[AttemptState]:
    room = R.build_room(sitting_id, [], ledger.events())
    return [t.state for t in room.tracks.values()]


def start_all(ledger: Ledger, user: Invigilator, sitting_id: str) -> list[Event]:
    """Start every admitted candidate who has not started yet, in one transaction. Per attempt
    rather than sitting-wide, so a candidate arriving later still waits for the identity check."""
    s = _open_sitting(ledger, sitting_id)
    new = [NewEvent(A.STARTED, {"part": st.parts[0] if st.parts else "", "sitting": s.id},
                    user.actor, st.attempt)
           for st in _room_states(ledger, s.id)
           if st.admitted and not st.started and not st.finished]
    if not new:
        raise ActionRefused("nobody to start: admit candidates first")
    return _append_many(ledger, new)


def pause_all(ledger: Ledger, user: Invigilator, sitting_id: str, reason: str) -> Event:
    s = _open_sitting(ledger, sitting_id)
    if _room_paused(ledger, s.id):
        raise ActionRefused("the room is already paused")
    return _append(ledger, user, A.PAUSED,
                   {"sitting": s.id, "reason": _text(reason, "a reason", required=True)},
                   room=_running_attempts(ledger, s.id))


def resume_all(ledger: Ledger, user: Invigilator, sitting_id: str, reason: str = "") -> Event:
    s = sitting(ledger, sitting_id)
    if not _room_paused(ledger, s.id):
        raise ActionRefused("the room is not paused")
    return _append(ledger, user, A.RESUMED,
                   {"sitting": s.id, "reason": _text(reason, "the reason", required=False)},
                   room=_running_attempts(ledger, s.id))


def extend_all(ledger: Ledger, user: Invigilator, sitting_id: str, minutes: float, reason: str,
               cause: str = "lost_time") -> Event:
    s = _open_sitting(ledger, sitting_id)
    body = _extension(minutes, reason, cause)
    body["sitting"] = s.id
    return _append(ledger, user, A.EXTENDED, body)


def force_submit_all(ledger: Ledger, user: Invigilator, sitting_id: str, reason: str = ""
                     ) -> list[Event]:
    s = sitting(ledger, sitting_id)
    new: list[NewEvent] = []
    for st in _room_states(ledger, s.id):
        if st.started and not st.finished:
            new += _forced(st, user, reason)
    if not new:
        return []
    return _append_many(ledger, new)


def _running_attempts(ledger: Ledger, sitting_id: str) -> list[str]:
    return [st.attempt for st in _room_states(ledger, sitting_id)
            if st.started and not st.finished]


def _room_paused(ledger: Ledger, sitting_id: str) -> bool:
    paused = False
    for e in ledger.events(kind=(A.PAUSED, A.RESUMED)):
        if e.attempt is None and e.body.get("sitting") == sitting_id:
            paused = e.kind == A.PAUSED
    return paused


# -- the sitting ------------------------------------------------------------------------------


def _open_sitting(ledger: Ledger, sitting_id: str) -> S.Sitting:
    s = sitting(ledger, sitting_id)
    if not s.open:
        raise ActionRefused(f"sitting {s.id} is closed")
    return s


def assign_seat(ledger: Ledger, user: Invigilator, sitting_id: str, candidate: str, seat: str
                ) -> Event:
    """The seating plan (279. §: part of the minutes). Once the candidate sits at a terminal,
    a different seat is a move (`move_seat`)."""
    s = _open_sitting(ledger, sitting_id)
    wanted = candidate.strip().casefold()
    match = next((c for c in s.candidates if c.casefold() == wanted), None)
    if match is None:
        raise ActionRefused(f"candidate {candidate!r} is not in sitting {s.id}")
    seat = _text(seat, "the seat", required=True)
    room = R.build_room(s.id, s.candidates, ledger.events(), seats=s.seats)
    taken = next((c for c in s.candidates if c != match and room.seat_of(c) == seat), None)
    if taken is not None:
        raise ActionRefused(f"seat {seat} is already {taken}'s")
    state = room.state_of(match)
    if state is not None and state.logged_in and not state.finished:
        raise ActionRefused(f"{match} is already at a terminal: move the candidate instead")
    return _append(ledger, user, R.SEAT_ASSIGNED,
                   {"sitting": s.id, "candidate": match, "seat": seat})


def open_sitting(ledger: Ledger, user: Invigilator, sitting_id: str) -> Event:
    s = sitting(ledger, sitting_id)
    if s.open:
        raise ActionRefused(f"sitting {s.id} is already open")
    return _append(ledger, user, S.OPENED, {"sitting": s.id})


def close_sitting(ledger: Ledger, user: Invigilator, sitting_id: str, *,
                  force_submit_running: bool = False, reason: str = "") -> list[Event]:
    """Close the sitting (no more logins). Refused while attempts still run, unless they are
    force-submitted first in the same transaction."""
    s = _open_sitting(ledger, sitting_id)
    running = [st for st in _room_states(ledger, s.id) if st.started and not st.finished]
    if running and not force_submit_running:
        raise ActionRefused(f"{len(running)} attempt(s) still running: force-submit them first")
    new: list[NewEvent] = []
    for st in running:
        new += _forced(st, user, reason or "sitting closed")
    new.append(NewEvent(S.CLOSED, {"sitting": s.id}, user.actor))
    return _append_many(ledger, new)


def exit_pin_changed(ledger: Ledger, user: Invigilator) -> Event:
    """The PIN itself is never recorded: only who changed it and when."""
    return _append(ledger, user, EXIT_PIN_CHANGED, {})


#: Longest message an invigilator can send to the screens (a few lines on a kiosk).
MESSAGE_MAX = 300


def send_message(ledger: Ledger, user: Invigilator, sitting_id: str, text: str,
                 attempt: str | None = None) -> Event:
    """A message on the candidates' screens: the whole room's, or one attempt's. It is a
    ledger event so the minutes carry what was said to whom and when."""
    _open_sitting(ledger, sitting_id)
    body: dict[str, Any] = {"sitting": sitting_id,
                            "text": _text(text, "the message", required=True)[:MESSAGE_MAX]}
    if attempt is not None:
        state = attempt_state(ledger, attempt)
        if state.sitting != sitting_id:
            raise ActionRefused("that attempt is not in this sitting")
        body["candidate"] = state.candidate
    return _append(ledger, user, A.MESSAGE, body, attempt)
