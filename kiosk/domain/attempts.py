"""One attempt's state as a pure fold over its ledger events.

The events are those whose `attempt` column is the attempt id, merged in ledger order with the
sitting-wide ones (attempt null, `body.sitting` = the attempt's sitting): a room-wide start, pause,
resume or extension applies to every attempt of the sitting. docs/session-api.md lists the kinds
and bodies.

The fold is defensive: an answer, flag or navigation for a part that is already submitted, or
after the attempt was submitted or voided, changes nothing, so a stale writer cannot reopen a
closed part.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

ATTEMPT_CREATED = "attempt_created"
LOGGED_IN = "candidate_logged_in"
ADMITTED = "candidate_admitted"
STARTED = "attempt_started"
ANSWER = "answer_saved"
FLAG = "flag_set"
NAVIGATED = "navigated"
TICK = "time_tick"
PAUSED = "paused"
RESUMED = "resumed"
SUSPENDED = "suspended"
UNSUSPENDED = "unsuspended"
LEFT_ROOM = "left_room"
RETURNED = "returned"
EXTENDED = "time_extended"
PART_SUBMITTED = "part_submitted"
SUBMITTED = "attempt_submitted"
VOIDED = "attempt_voided"
SEAT_MOVED = "seat_moved"
LOGIN_FAILED = "login_failed"
KIOSK_EXIT = "kiosk_exit"

#: Kinds that, with attempt null and `body.sitting`, apply to every attempt of a sitting.
#: An invigilator's message shown on the candidate's screen: to the whole room (no attempt,
#: body.sitting) or to one candidate (the attempt). Carries no result.
MESSAGE = "invigilator_message"
SITTING_WIDE = frozenset({STARTED, PAUSED, RESUMED, EXTENDED, MESSAGE})

# Statuses, most significant first (see AttemptState.status).
CREATED = "created"
LOGGED_IN_STATUS = "logged_in"
ADMITTED_STATUS = "admitted"
IN_PROGRESS = "in_progress"
PAUSED_STATUS = "paused"
SUSPENDED_STATUS = "suspended"
AWAY = "away"
SUBMITTED_STATUS = "submitted"
TIMED_OUT = "timed_out"
VOIDED_STATUS = "voided"
FINISHED = frozenset({SUBMITTED_STATUS, TIMED_OUT, VOIDED_STATUS})


class LedgerEvent(Protocol):
    """A ledger row as the folds read it (kiosk.ledger's Event, or a test's stand-in)."""

    seq: int
    ts: str
    actor: str
    attempt: str | None
    kind: str
    body: dict[str, Any]
    hash: str


@dataclass
class AttemptState:
    attempt: str = ""
    sitting: str = ""
    exam: str = ""
    candidate: str = ""
    seed: str = ""
    parts: list[str] = field(default_factory=list)
    paper: list[list[str]] = field(default_factory=list)
    presentation: dict[str, dict[str, Any]] = field(default_factory=dict)
    created: bool = False
    logged_in: bool = False
    admitted: bool = False
    started: bool = False
    part_index: int = 0
    index: int = 0
    answers: dict[str, Any] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    consumed_ms: dict[str, int] = field(default_factory=dict)
    extensions_ms: dict[str, int] = field(default_factory=dict)
    #: room-wide extensions folded before this attempt's `attempt_created` (a late candidate):
    #: (part or None, ms), given to the attempt's parts when it is created
    early_extensions: list[tuple[str | None, int]] = field(default_factory=list)
    submitted_parts: dict[str, str] = field(default_factory=dict)  # part id -> reason
    attempt_paused: bool = False
    sitting_paused: bool = False
    suspended: bool = False
    away: bool = False
    submitted: bool = False
    submit_reason: str | None = None
    submitted_seq: int | None = None
    submitted_hash: str | None = None
    voided: bool = False
    seat: str | None = None
    session: str | None = None
    language: str | None = None
    moved_to: str | None = None
    last_seq: int = 0
    #: invigilator messages in ledger order: (seq, text)
    messages: list[tuple[int, str]] = field(default_factory=list)

    # -- derived ---------------------------------------------------------------------------

    @property
    def paused(self) -> bool:
        return self.attempt_paused or self.sitting_paused

    @property
    def finished(self) -> bool:
        return self.submitted or self.voided

    @property
    def status(self) -> str:
        if self.voided:
            return VOIDED_STATUS
        if self.submitted:
            return TIMED_OUT if self.submit_reason == "timeout" else SUBMITTED_STATUS
        if self.started:
            if self.suspended:
                return SUSPENDED_STATUS
            if self.paused:
                return PAUSED_STATUS
            if self.away:
                return AWAY
            return IN_PROGRESS
        if self.admitted:
            return ADMITTED_STATUS
        if self.logged_in:
            return LOGGED_IN_STATUS
        return CREATED

    @property
    def clock_runs(self) -> bool:
        """Time is charged: started, not finished, not paused or suspended. Time away from the
        room counts (Szkr 278. § (1)), so `away` keeps the clock running."""
        return (self.started and not self.finished and not self.paused and not self.suspended
                and self.current_part is not None)

    @property
    def current_part(self) -> str | None:
        if self.finished or not (0 <= self.part_index < len(self.parts)):
            return None
        part = self.parts[self.part_index]
        return None if part in self.submitted_parts else part

    def part_items(self, part: str | None) -> list[str]:
        if part is None:
            return []
        try:
            return self.paper[self.parts.index(part)]
        except (ValueError, IndexError):
            return []

    def part_of(self, item_key: str) -> str | None:
        for part, keys in zip(self.parts, self.paper, strict=False):
            if item_key in keys:
                return part
        return None

    def is_open(self, part: str | None) -> bool:
        return part is not None and part == self.current_part

    def copy(self) -> AttemptState:
        return copy.deepcopy(self)


def _consumed(state: AttemptState, part: Any, body: dict[str, Any]) -> None:
    value = body.get("consumed_ms")
    if isinstance(part, str) and isinstance(value, int | float) and not isinstance(value, bool):
        # Persisted time only grows: a late or replayed value never gives time back.
        state.consumed_ms[part] = max(state.consumed_ms.get(part, 0), int(value))


def _next_part(state: AttemptState) -> None:
    for i, part in enumerate(state.parts):
        if part not in state.submitted_parts:
            state.part_index = i
            state.index = 0
            return
    state.part_index = len(state.parts)


def fold_attempt(state: AttemptState, event: LedgerEvent) -> AttemptState:
    """Reducer: apply one event (extends `state` in place and returns it). The event kinds are
    dispatched through three tables: sitting-wide events, events that apply whatever the
    attempt's state, and events of a running attempt (ignored once it is finished)."""
    kind = event.kind
    state.last_seq = max(state.last_seq, event.seq)
    if event.attempt is None:
        if kind in SITTING_WIDE and state.sitting and event.body.get("sitting") == state.sitting:
            _sitting_wide(state, event)
        return state
    if (always := _ALWAYS.get(kind)) is not None:
        always(state, event)
        return state
    if state.finished:
        return state
    if (flag := _TOGGLES.get(kind)) is not None:
        setattr(state, flag[0], flag[1])
    elif (running := _RUNNING.get(kind)) is not None:
        running(state, event, event.body.get("part"))
    return state


def _sitting_wide(state: AttemptState, event: LedgerEvent) -> None:
    kind = event.kind
    if kind == PAUSED:
        state.sitting_paused = True
    elif kind == RESUMED:
        state.sitting_paused = False
    elif kind == STARTED:
        state.started = True
    elif kind == EXTENDED:
        _extend(state, event.body)
    elif kind == MESSAGE:
        _message(state, event)


def _created(state: AttemptState, event: LedgerEvent) -> None:
    body = event.body
    state.attempt = str(body.get("attempt", event.attempt))
    state.sitting = str(body.get("sitting", ""))
    state.exam = str(body.get("exam", ""))
    state.candidate = str(body.get("candidate", ""))
    state.seed = str(body.get("seed", ""))
    state.paper = [list(keys) for keys in body.get("paper", [])]
    state.parts = [str(p) for p in body.get("parts") or
                   [str(i + 1) for i in range(len(state.paper))]]
    state.presentation = dict(body.get("presentation") or {})
    state.created = True
    state.part_index = 0
    # A room-wide extension given before this candidate's first login reaches them too
    # (docs/session-api.md "Time"): the named part, else the first part.
    for part, ms in state.early_extensions:
        target = part if part in state.parts else (state.parts[0] if state.parts else None)
        if target is not None:
            state.extensions_ms[target] = state.extensions_ms.get(target, 0) + ms
    state.early_extensions = []


def _logged_in(state: AttemptState, event: LedgerEvent) -> None:
    body = event.body
    state.logged_in = True
    state.seat = body.get("seat")
    state.session = body.get("session")
    state.language = body.get("language")


def _admitted(state: AttemptState, event: LedgerEvent) -> None:
    state.admitted = True


def _seat_moved(state: AttemptState, event: LedgerEvent) -> None:
    state.moved_to = event.body.get("seat")


def _voided(state: AttemptState, event: LedgerEvent) -> None:
    state.voided = True


def _answer(state: AttemptState, event: LedgerEvent, part: Any) -> None:
    item = event.body.get("item")
    if state.is_open(part) and item in state.part_items(part):
        state.answers[item] = event.body.get("response")
    _consumed(state, part, event.body)


def _flag(state: AttemptState, event: LedgerEvent, part: Any) -> None:
    item = event.body.get("item")
    if state.is_open(part) and item in state.part_items(part):
        if event.body.get("flagged"):
            state.flags.add(item)
        else:
            state.flags.discard(item)
    _consumed(state, part, event.body)


def _navigated(state: AttemptState, event: LedgerEvent, part: Any) -> None:
    index = event.body.get("index")
    if (state.is_open(part) and isinstance(index, int)
            and 0 <= index < len(state.part_items(part))):
        state.index = index
    _consumed(state, part, event.body)


def _tick(state: AttemptState, event: LedgerEvent, part: Any) -> None:
    _consumed(state, part, event.body)


def _extended(state: AttemptState, event: LedgerEvent, part: Any) -> None:
    _extend(state, event.body)


def _part_submitted(state: AttemptState, event: LedgerEvent, part: Any) -> None:
    if isinstance(part, str) and part in state.parts and part not in state.submitted_parts:
        _consumed(state, part, event.body)
        state.submitted_parts[part] = str(event.body.get("reason", "candidate"))
        if state.current_part is None:
            _next_part(state)


def _submitted(state: AttemptState, event: LedgerEvent, part: Any) -> None:
    state.submitted = True
    state.submit_reason = str(event.body.get("reason", "candidate"))
    state.submitted_seq = event.seq
    state.submitted_hash = event.hash
    for p in state.parts:
        state.submitted_parts.setdefault(p, state.submit_reason)


_ALWAYS: dict[str, Callable[[AttemptState, LedgerEvent], None]] = {
    MESSAGE: lambda state, event: _message(state, event),
    ATTEMPT_CREATED: _created, LOGGED_IN: _logged_in, ADMITTED: _admitted,
    SEAT_MOVED: _seat_moved, VOIDED: _voided,
}
#: Running-attempt events that only set a flag: kind -> (attribute, value).
_TOGGLES: dict[str, tuple[str, bool]] = {
    STARTED: ("started", True), PAUSED: ("attempt_paused", True),
    RESUMED: ("attempt_paused", False), SUSPENDED: ("suspended", True),
    UNSUSPENDED: ("suspended", False), LEFT_ROOM: ("away", True), RETURNED: ("away", False),
}
_RUNNING: dict[str, Callable[[AttemptState, LedgerEvent, Any], None]] = {
    ANSWER: _answer, FLAG: _flag, NAVIGATED: _navigated, TICK: _tick, EXTENDED: _extended,
    PART_SUBMITTED: _part_submitted, SUBMITTED: _submitted,
}


def _message(state: AttemptState, event: LedgerEvent) -> None:
    text = event.body.get("text")
    if isinstance(text, str) and text.strip():
        state.messages.append((event.seq, text.strip()))


def _extend(state: AttemptState, body: dict[str, Any]) -> None:
    minutes = body.get("minutes")
    if not isinstance(minutes, int | float) or isinstance(minutes, bool):
        return
    ms = int(round(minutes * 60_000))
    if not state.created:
        # Sitting-wide, before the attempt exists: kept until attempt_created names the parts.
        named = body.get("part")
        state.early_extensions.append((str(named) if named else None, ms))
        return
    part = body.get("part") or state.current_part or (state.parts[0] if state.parts else None)
    if part is None:
        return
    part = str(part)
    state.extensions_ms[part] = state.extensions_ms.get(part, 0) + ms


def fold_events(events: Iterable[LedgerEvent], sitting: str = "",
                state: AttemptState | None = None) -> AttemptState:
    """Fold a seq-ordered stream. Pass `sitting` when sitting-wide events may come before the
    attempt's own `attempt_created`."""
    if state is None:
        state = AttemptState(sitting=sitting)
    for event in events:
        fold_attempt(state, event)
    return state


def seen_items(events: Iterable[LedgerEvent], candidate: str) -> set[str]:
    """Item keys on the papers of a candidate's attempts (from `attempt_created` events)."""
    seen: set[str] = set()
    for event in events:
        if event.kind == ATTEMPT_CREATED and event.body.get("candidate") == candidate:
            for keys in event.body.get("paper", []):
                seen.update(keys)
    return seen
