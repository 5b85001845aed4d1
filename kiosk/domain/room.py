"""The invigilator's room view: one row per candidate of a sitting, as a fold over its events.

The fold is incremental: `RoomView.apply` takes only the events after `last_seq` and touches only
the attempts they name (a sitting-wide pause touches every attempt, as it must), so a console
refreshing twice a second over 500 candidates costs little. `applied` counts the events that
changed something, which is what the tests assert on instead of wall time.

Remaining time is an estimate: the candidate's terminal persists its consumed time at least every
5 s (docs/session-api.md); between two persisted values the room view adds the wall time since
the last one while the clock runs. The fold runs in the centre service; what it sends the
console is each row's `RowData` (no time in it), and `row_at(data, now)` — here, so both sides
compute it the same way — moves the clock on the console between two answers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

from kiosk.domain import attempts as A
from kiosk.domain import timing
from kiosk.domain.attempts import AttemptState, LedgerEvent, fold_attempt

SEAT_ASSIGNED = "seat_assigned"
IRREGULARITY = "irregularity_recorded"
SITTING_OPENED = "sitting_opened"
SITTING_CLOSED = "sitting_closed"
SITTING_CREATED = "sitting_created"

#: Last activity older than this (seconds) on a running attempt is highlighted.
STALE_AFTER_S = 30.0
#: A running terminal persists its clock at least every 5 s; once it is stale (silent for
#: STALE_AFTER_S) it is taken for dead and its clock is no longer counted down on the console:
#: a relogin resumes from the last persisted value, so counting on would only make the time
#: jump back.
DEAD_AFTER_S = STALE_AFTER_S
#: Wrong exit PINs at one seat from this many on raise an alert on the console.
PIN_ALERT_AFTER = 3
MESSAGE = "invigilator_message"

NOT_ARRIVED = "not_arrived"
STATUSES = (NOT_ARRIVED, A.LOGGED_IN_STATUS, A.ADMITTED_STATUS, A.IN_PROGRESS, A.PAUSED_STATUS,
            A.AWAY, A.SUSPENDED_STATUS, A.SUBMITTED_STATUS, A.TIMED_OUT, A.VOIDED_STATUS)
#: Statuses in which a terminal is expected to show signs of life: a running clock is persisted
#: at least every 5 s. A waiting (logged in, admitted) or away candidate writes nothing.
LIVE = frozenset({A.IN_PROGRESS})
#: Events that count as an incident in the row's incident column.
INCIDENT_KINDS = frozenset({A.SUSPENDED, A.VOIDED, A.SEAT_MOVED, A.KIOSK_EXIT,
                            "kiosk_exit_refused"})
ATTENTION = "attention"
SORT_KEYS = ("seat", "name", "candidate", "status", "answered", "remaining", "activity",
             "incidents")


def epoch(ts: str) -> float:
    """Seconds since the epoch of a ledger timestamp (UTC, `...Z`)."""
    try:
        return datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC).timestamp()
    except ValueError:
        return datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp()


@dataclass(frozen=True)
class ExamTiming:
    """What the room needs of an exam to compute remaining time."""

    part_minutes: Mapping[str, float]
    order: Sequence[str]
    accommodation: str = "first"

    def extras(self, extra_minutes: float) -> dict[str, float]:
        split = timing.accommodation_split([self.part_minutes[p] for p in self.order],
                                           extra_minutes, self.accommodation)
        return dict(zip(self.order, split, strict=True))


@dataclass(frozen=True)
class Row:
    candidate: str
    name: str
    seat: str
    status: str
    answered: int
    total: int
    remaining_s: float | None
    last_activity: float | None
    stale: bool
    incidents: int
    attempt: str | None = None
    login_seat: str | None = None
    #: the seat of the seating plan, when the candidate sits elsewhere
    planned_seat: str = ""
    extra_minutes: float = 0.0
    wrong_pins: int = 0

    @property
    def attention(self) -> bool:
        return (self.stale or self.status in (A.SUSPENDED_STATUS, A.AWAY)
                or self.wrong_pins >= PIN_ALERT_AFTER)


@dataclass(frozen=True)
class RowData:
    """One candidate's row as of the last event, independent of the time: `remaining_s` is the
    time left at `base` (epoch seconds) while the clock runs from there (None: it stands).
    `live` is the centre service's word on the terminal (a session that called lately): None
    where nobody knows (the room folded from the ledger alone), and then the last activity
    decides, as before."""

    candidate: str
    name: str
    seat: str
    status: str
    answered: int
    total: int
    remaining_s: float | None
    base: float | None
    last_activity: float | None
    incidents: int
    attempt: str | None = None
    login_seat: str | None = None
    planned_seat: str = ""
    extra_minutes: float = 0.0
    wrong_pins: int = 0
    away: bool = False
    suspended: bool = False
    #: started and not finished: the clock and the staleness move with the time
    running: bool = False
    #: (part number, question number, questions in the part), 1-based
    question: tuple[int, int, int] | None = None
    used_s: float = 0.0
    added_s: float = 0.0
    submitted_hash: str = ""
    live: bool | None = None

    def as_json(self) -> dict[str, Any]:
        # By hand rather than asdict(): asdict deep-copies, and 2,000 rows go out a second.
        out = {name: getattr(self, name) for name in _ROW_FIELDS}
        if self.question is not None:
            out["question"] = list(self.question)
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RowData:
        values = {k: v for k, v in data.items() if k in _ROW_FIELDS}
        if values.get("question") is not None:
            values["question"] = tuple(values["question"])
        return cls(**values)


_ROW_FIELDS = tuple(f.name for f in fields(RowData))


def _silent(data: RowData, now: float, after: float) -> bool:
    if data.live is not None:
        return data.status in LIVE and not data.live
    return (data.status in LIVE and data.last_activity is not None
            and now - max(data.last_activity, data.base or data.last_activity) > after)


def row_at(data: RowData, now: float) -> Row:
    """The row at `now`: a running clock counts down from `base` until its terminal falls
    silent (DEAD_AFTER_S without a sign of life, or the service says it is gone), after which
    the console shows what a relogin resumes from."""
    remaining = data.remaining_s
    if remaining is not None and data.base is not None and not _silent(data, now, DEAD_AFTER_S):
        remaining -= max(0.0, now - data.base)
    if remaining is not None:
        # As whole milliseconds, rounded up as `timing.remaining_ms` does.
        remaining = max(0, math.ceil(remaining * 1000 - 1e-6)) / 1000
    if data.live is not None:
        stale = data.status in LIVE and not data.live
    else:
        stale = (data.status in LIVE and data.last_activity is not None
                 and now - data.last_activity > STALE_AFTER_S)
    return Row(data.candidate, data.name, data.seat, data.status, data.answered, data.total,
               remaining, data.last_activity, stale, data.incidents, data.attempt,
               data.login_seat, planned_seat=data.planned_seat,
               extra_minutes=data.extra_minutes, wrong_pins=data.wrong_pins)


@dataclass
class _Track:
    state: AttemptState
    base: float | None = None  # since when the clock runs unmeasured (epoch seconds)
    unpersisted_ms: float = 0.0  # estimated run time not yet in a persisted consumed_ms
    last_activity: float | None = None
    incidents: int = 0
    wrong_pins: int = 0


@dataclass
class RoomView:
    sitting: str
    candidates: Sequence[str]
    names: Mapping[str, str] = field(default_factory=dict)
    seats: dict[str, str] = field(default_factory=dict)
    extra_minutes: Mapping[str, float] = field(default_factory=dict)
    timing: ExamTiming | None = None
    open: bool = True
    last_seq: int = 0
    #: Events that changed the view (the measure of a refresh's work).
    applied: int = 0
    #: Events read, relevant or not.
    scanned: int = 0
    tracks: dict[str, _Track] = field(default_factory=dict)  # by attempt id
    by_candidate: dict[str, str] = field(default_factory=dict)  # candidate -> attempt id
    wide: list[LedgerEvent] = field(default_factory=list)

    # -- folding ---------------------------------------------------------------------------

    def apply(self, events: Iterable[LedgerEvent]) -> set[str]:
        """Fold events after `last_seq`; returns the candidates whose row changed."""
        changed: set[str] = set()
        for event in events:
            if event.seq <= self.last_seq:
                continue
            self.last_seq = event.seq
            self.scanned += 1
            touched = self._apply_one(event)
            if touched:
                self.applied += 1
                changed |= touched
        return changed

    def _apply_one(self, event: LedgerEvent) -> set[str]:
        kind, body = event.kind, event.body
        if event.attempt is None:
            if body.get("sitting") != self.sitting:
                return set()
            if kind in A.SITTING_WIDE:
                self.wide.append(event)
                out = set()
                for each in self.tracks.values():
                    self._fold(each, event)
                    out.add(each.state.candidate)
                return out
            if kind == SITTING_CREATED:
                self.seats.update({str(k): str(v) for k, v in (body.get("seats") or {}).items()})
                return set(self.candidates)
            if kind == SEAT_ASSIGNED:
                cand = str(body.get("candidate", ""))
                self.seats[cand] = str(body.get("seat", ""))
                return {cand}
            if kind in (SITTING_OPENED, SITTING_CLOSED):
                self.open = kind == SITTING_OPENED
                return {""}  # the header changes, no row
            return set()
        if kind == A.ATTEMPT_CREATED:
            if body.get("sitting") != self.sitting:
                return set()
            state = AttemptState(sitting=self.sitting)
            new = _Track(state)
            for wide in self.wide:
                fold_attempt(state, wide)
            self._fold(new, event)
            self.tracks[event.attempt] = new
            self.by_candidate[state.candidate] = event.attempt
            return {state.candidate}
        track = self.tracks.get(event.attempt)
        if track is None:
            return set()
        at = self._fold(track, event)
        if kind in INCIDENT_KINDS:
            track.incidents += 1
        if kind == "kiosk_exit_refused":
            track.wrong_pins += 1
        if event.actor.startswith("candidate:"):
            track.last_activity = at
        return {track.state.candidate}

    def _fold(self, track: _Track, event: LedgerEvent) -> float:
        """Fold and move the remaining-time estimate; returns the event's time (epoch s)."""
        state = track.state
        was_running, was_part = state.clock_runs, state.current_part
        fold_attempt(state, event)
        at = epoch(event.ts)
        if event.body.get("part") == state.current_part and "consumed_ms" in event.body \
                or state.current_part != was_part:
            track.unpersisted_ms = 0.0  # the terminal's own measure replaces the estimate
            track.base = at if state.clock_runs else None
        elif was_running and not state.clock_runs:
            if track.base is not None:
                # Until the terminal persists where its clock stopped, keep the estimate.
                track.unpersisted_ms += max(0.0, at - track.base) * 1000
            track.base = None
        elif state.clock_runs and not was_running:
            track.base = at
        return at

    # -- reading ---------------------------------------------------------------------------

    def state_of(self, candidate: str) -> AttemptState | None:
        attempt = self.by_candidate.get(candidate)
        return self.tracks[attempt].state if attempt else None

    def seat_of(self, candidate: str) -> str:
        """Where the candidate really sits: the seat they were moved to, else the seat of their
        latest login, else the seating plan's."""
        state = self.state_of(candidate)
        if state is not None and state.moved_to:
            return state.moved_to
        if state is not None and state.seat:
            return state.seat
        return self.seats.get(candidate, "")

    def data(self, candidate: str) -> RowData:
        """The row without the time: what the centre service sends the console, which moves
        the clock itself between two changes (`row_at`)."""
        attempt = self.by_candidate.get(candidate)
        name = self.names.get(candidate, "")
        extra = float(self.extra_minutes.get(candidate, 0.0) or 0.0)
        planned = self.seats.get(candidate, "")
        seat = self.seat_of(candidate)
        if attempt is None:
            return RowData(candidate, name, seat, NOT_ARRIVED, 0, 0, self._full_ms(candidate),
                           None, None, 0, extra_minutes=extra)
        track = self.tracks[attempt]
        state = track.state
        status = NOT_ARRIVED if state.status == A.CREATED else state.status
        remaining: float | None = None
        base: float | None = None
        part = state.current_part
        if state.finished:
            remaining = 0.0
        elif self.timing is not None and part is not None and part in self.timing.part_minutes:
            extra_part = self.timing.extras(extra).get(part, 0.0)
            consumed = float(state.consumed_ms.get(part, 0)) + track.unpersisted_ms
            remaining = (timing.allowance_ms(self.timing.part_minutes[part], extra_part,
                                             state.extensions_ms.get(part, 0)) - consumed) / 1000
            if state.clock_runs and track.base is not None:
                base = track.base
        if remaining is None and not state.started:
            remaining = self._full_ms(candidate)
        question = None
        if part is not None and part in state.parts:
            i = state.parts.index(part)
            question = (i + 1, state.index + 1, len(state.paper[i]) if i < len(state.paper)
                        else 0)
        return RowData(
            candidate, name, seat, status,
            sum(1 for v in state.answers.values() if _answered(v)),
            sum(len(keys) for keys in state.paper), remaining, base, track.last_activity,
            track.incidents, attempt=attempt, login_seat=state.seat,
            planned_seat=planned if planned and planned != seat else "", extra_minutes=extra,
            wrong_pins=track.wrong_pins, away=state.away, suspended=state.suspended,
            running=state.started and not state.finished, question=question,
            used_s=sum(state.consumed_ms.values()) / 1000,
            added_s=sum(state.extensions_ms.values()) / 1000,
            submitted_hash=state.submitted_hash or "")

    def row(self, candidate: str, now: float) -> Row:
        return row_at(self.data(candidate), now)

    def _full_ms(self, candidate: str) -> float | None:
        """The first part's whole allowance, in seconds (a candidate not started yet)."""
        if self.timing is None or not self.timing.order:
            return None
        first = self.timing.order[0]
        extra = self.timing.extras(self.extra_minutes.get(candidate, 0.0)).get(first, 0.0)
        return timing.allowance_ms(self.timing.part_minutes[first], extra) / 1000

    def rows(self, now: float) -> list[Row]:
        return [self.row(c, now) for c in self.candidates]

    def running(self) -> list[str]:
        """Candidates whose remaining time or staleness moves with the clock."""
        return [s.candidate for s in (t.state for t in self.tracks.values())
                if s.started and not s.finished]

    def counts(self, now: float) -> dict[str, int]:
        out = dict.fromkeys(STATUSES, 0)
        for row in self.rows(now):
            out[row.status] += 1
        return out


def _answered(value: Any) -> bool:
    return value not in (None, "", [], {})


def build_room(sitting: str, candidates: Sequence[str], events: Iterable[LedgerEvent], *,
               names: Mapping[str, str] | None = None, seats: Mapping[str, str] | None = None,
               extra_minutes: Mapping[str, float] | None = None,
               timing: ExamTiming | None = None) -> RoomView:
    room = RoomView(sitting, list(candidates), dict(names or {}), dict(seats or {}),
                    dict(extra_minutes or {}), timing)
    room.apply(events)
    return room


# -- sorting and filtering -----------------------------------------------------------------------


def _seat_key(seat: str) -> tuple[Any, ...]:
    # "B204-10" after "B204-9": digits compare as numbers.
    return tuple(int(p) if p.isdigit() else p.casefold() for p in re.split(r"(\d+)", seat) if p)


SORTERS: dict[str, Callable[[Row], Any]] = {
    "seat": lambda r: (r.seat == "", _seat_key(r.seat), r.candidate),
    "name": lambda r: (r.name.casefold(), r.candidate),
    "candidate": lambda r: r.candidate.casefold(),
    "status": lambda r: (STATUSES.index(r.status), _seat_key(r.seat)),
    "answered": lambda r: (r.answered, r.candidate),
    "remaining": lambda r: (r.remaining_s is None, r.remaining_s or 0.0, r.candidate),
    "activity": lambda r: (r.last_activity is None, r.last_activity or 0.0, r.candidate),
    "incidents": lambda r: (-r.incidents, r.candidate),
}


def sort_rows(rows: Iterable[Row], key: str = "seat", reverse: bool = False) -> list[Row]:
    return sorted(rows, key=SORTERS.get(key, SORTERS["seat"]), reverse=reverse)


def matches(row: Row, text: str = "", status: str | None = None) -> bool:
    """Filter: `text` in the seat, id or name (case-insensitive); `status` one of STATUSES or
    "attention" (stale, away or suspended)."""
    if status == ATTENTION and not row.attention:
        return False
    if status and status != ATTENTION and row.status != status:
        return False
    needle = text.strip().casefold()
    return not needle or any(needle in f.casefold() for f in (row.seat, row.candidate, row.name))


def format_remaining(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    total = int(seconds + 0.999)  # a running clock shows 0:00 only when time is really up
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def format_age(last: float | None, now: float) -> str:
    if last is None:
        return "–"
    age = max(0, int(now - last))
    if age < 60:
        return f"{age} s"
    if age < 3600:
        return f"{age // 60} min"
    return f"{age // 3600} h"
