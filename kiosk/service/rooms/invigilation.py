"""The invigilation room: the invigilator console's reads and actions as use cases.

Every action of `kiosk.invigilation` is `invigilation.<verb>` here, for the room's staff
(invigilator, examiner, admin), under the caller's name: the console (and any other client) only
collects the reasons and shows the answer. The console's view of a room is one read,
`invigilation.room`, computed here: the fold of the sitting's events (`kiosk.domain.room`, kept
incrementally per sitting so a poll reads only the events since the last one), the service's own
knowledge of which terminals are live (`CandidateRoom.watch`), and the failure counters of
logins and exit PINs as alerts. A console polls it about once a second with the version it last
saw and gets `{"unchanged": true}`, or the rows that changed since.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from kiosk import invigilation as inv
from kiosk.domain import attempts as A
from kiosk.domain import room as R
from kiosk.domain import sittings as S
from kiosk.errors import KioskError
from kiosk.ledger.store import Event
from kiosk.service.usecases import OPERATOR, Context, event_json, use_case

ROOM_STAFF = ("invigilator", "examiner", "admin")
#: Who may look at a room: its staff, and the operator (the service's own account, which owns
#: the ledger anyway: `kiosk simulate`'s console measure, monitoring).
ROOM_READERS = (*ROOM_STAFF, OPERATOR)
#: Failures (logins, exit PINs) at one seat or by one candidate from this many on are an alert:
#: where the service's growing waits begin.
ALERT_AFTER = 3
#: How many of a candidate's latest events the detail view lists.
EVENTS_SHOWN = 12


def _user(ctx: Context) -> inv.Invigilator:
    return inv.Invigilator(ctx.caller.name, ctx.caller.role)


def _one(event: Event) -> dict[str, Any]:
    return {"seq": event.seq, "ts": event.ts, "kind": event.kind}


def _many(events: list[Event]) -> dict[str, Any]:
    return {"events": [_one(e) for e in events], "count": len(events)}


# -- one candidate ----------------------------------------------------------------------------


@use_case("invigilation.admit", roles=ROOM_STAFF)
def admit(ctx: Context, *, attempt: str, document: str = "") -> dict[str, Any]:
    return _one(inv.admit(ctx.ledger, _user(ctx), attempt, document=document))


@use_case("invigilation.start", roles=ROOM_STAFF)
def start(ctx: Context, *, attempt: str) -> dict[str, Any]:
    return _one(inv.start(ctx.ledger, _user(ctx), attempt))


@use_case("invigilation.pause", roles=ROOM_STAFF)
def pause(ctx: Context, *, attempt: str, reason: str) -> dict[str, Any]:
    return _one(inv.pause(ctx.ledger, _user(ctx), attempt, reason))


@use_case("invigilation.resume", roles=ROOM_STAFF)
def resume(ctx: Context, *, attempt: str, reason: str = "") -> dict[str, Any]:
    return _one(inv.resume(ctx.ledger, _user(ctx), attempt, reason))


@use_case("invigilation.extend", roles=ROOM_STAFF)
def extend(ctx: Context, *, attempt: str, minutes: float, reason: str,
           cause: str = "lost_time", part: str | None = None) -> dict[str, Any]:
    return _one(inv.extend(ctx.ledger, _user(ctx), attempt, minutes, reason, cause, part))


@use_case("invigilation.left_room", roles=ROOM_STAFF)
def left_room(ctx: Context, *, attempt: str, reason: str = "") -> dict[str, Any]:
    return _one(inv.left_room(ctx.ledger, _user(ctx), attempt, reason))


@use_case("invigilation.returned", roles=ROOM_STAFF)
def returned(ctx: Context, *, attempt: str) -> dict[str, Any]:
    return _one(inv.returned(ctx.ledger, _user(ctx), attempt))


@use_case("invigilation.suspend", roles=ROOM_STAFF)
def suspend(ctx: Context, *, attempt: str, reason: str = "irregularity") -> dict[str, Any]:
    return _one(inv.suspend(ctx.ledger, _user(ctx), attempt, reason))


@use_case("invigilation.record_irregularity", roles=ROOM_STAFF)
def record_irregularity(ctx: Context, *, attempt: str, nature: str, supervisor_statement: str,
                        candidate_statement: str = "", suspended_seq: int | None = None,
                        resume_after: bool = True, informed: bool = False) -> dict[str, Any]:
    return _many(inv.record_irregularity(
        ctx.ledger, _user(ctx), attempt, nature=nature, candidate_statement=candidate_statement,
        supervisor_statement=supervisor_statement, suspended_seq=suspended_seq,
        resume_after=resume_after, informed=informed))


@use_case("invigilation.void", roles=ROOM_STAFF)
def void(ctx: Context, *, attempt: str, reason: str) -> dict[str, Any]:
    return _one(inv.void(ctx.ledger, _user(ctx), attempt, reason))


@use_case("invigilation.move_seat", roles=ROOM_STAFF)
def move_seat(ctx: Context, *, attempt: str, seat: str, reason: str) -> dict[str, Any]:
    return _one(inv.move_seat(ctx.ledger, _user(ctx), attempt, seat, reason))


@use_case("invigilation.force_submit", roles=ROOM_STAFF)
def force_submit(ctx: Context, *, attempt: str, reason: str = "") -> dict[str, Any]:
    return _many(inv.force_submit(ctx.ledger, _user(ctx), attempt, reason))


@use_case("invigilation.send_message", roles=ROOM_STAFF)
def send_message(ctx: Context, *, sitting: str, text: str, attempt: str | None = None
                 ) -> dict[str, Any]:
    return _one(inv.send_message(ctx.ledger, _user(ctx), sitting, text, attempt))


# -- the whole room ---------------------------------------------------------------------------


@use_case("invigilation.start_all", roles=ROOM_STAFF)
def start_all(ctx: Context, *, sitting: str) -> dict[str, Any]:
    return _many(inv.start_all(ctx.ledger, _user(ctx), sitting))


@use_case("invigilation.pause_all", roles=ROOM_STAFF)
def pause_all(ctx: Context, *, sitting: str, reason: str) -> dict[str, Any]:
    return _one(inv.pause_all(ctx.ledger, _user(ctx), sitting, reason))


@use_case("invigilation.resume_all", roles=ROOM_STAFF)
def resume_all(ctx: Context, *, sitting: str, reason: str = "") -> dict[str, Any]:
    return _one(inv.resume_all(ctx.ledger, _user(ctx), sitting, reason))


@use_case("invigilation.extend_all", roles=ROOM_STAFF)
def extend_all(ctx: Context, *, sitting: str, minutes: float, reason: str,
               cause: str = "lost_time") -> dict[str, Any]:
    return _one(inv.extend_all(ctx.ledger, _user(ctx), sitting, minutes, reason, cause))


@use_case("invigilation.force_submit_all", roles=ROOM_STAFF)
def force_submit_all(ctx: Context, *, sitting: str, reason: str = "") -> dict[str, Any]:
    return _many(inv.force_submit_all(ctx.ledger, _user(ctx), sitting, reason))


@use_case("invigilation.set_exit_pin", roles=ROOM_STAFF)
def set_exit_pin(ctx: Context, *, pin: str = "") -> dict[str, Any]:
    """A new exit PIN for the centre's terminals (a random one when `pin` is empty): its hash
    goes into centre.toml, the ledger records only who changed it and when. The PIN is in the
    answer once, to be shown to the invigilator."""
    from kiosk.exit_pin import generate_pin, set_pin

    pin = pin.strip() or generate_pin()
    if not (pin.isdigit() and 4 <= len(pin) <= 12):
        raise inv.ActionRefused("the exit PIN is 4 to 12 digits")
    set_pin(ctx.centre, pin)
    event = inv.exit_pin_changed(ctx.ledger, _user(ctx))
    return {"pin": pin, "seq": event.seq}


LOCKOUT_CLEARED = "lockout_cleared"


@use_case("invigilation.clear_lockout", roles=ROOM_STAFF)
def clear_lockout(ctx: Context, *, sitting: str, seat: str = "", candidate: str = ""
                  ) -> dict[str, Any]:
    """Lift a lockout: the invigilator checked the person at the seat, who may try again at
    once (the service forgets that seat's, that candidate's and their attempt's failures). An
    event under the invigilator's name, for the minutes."""
    s = inv.sitting(ctx.ledger, sitting)
    seat = inv._text(seat, "the seat", required=False)[:64]
    cand = ""
    if candidate:
        cand = next((c for c in s.candidates if c.casefold() == candidate.strip().casefold()),
                    "")
        if not cand:
            raise inv.ActionRefused(f"candidate {candidate!r} is not in sitting {s.id}")
    if not seat and not cand:
        raise inv.ActionRefused("name the seat or the candidate")
    attempt = ""
    if cand:
        attempt = next((str(e.attempt) for e in ctx.ledger.events(kind=A.ATTEMPT_CREATED)
                        if e.body.get("sitting") == s.id and e.body.get("candidate") == cand),
                       "")
    room = ctx.extra.get("room")
    cleared = room.clear_failures(seat=seat, candidate=cand, attempt=attempt) if room else 0
    event = ctx.ledger.append(LOCKOUT_CLEARED, {"sitting": s.id, "seat": seat,
                                                "candidate": cand}, actor=_user(ctx).actor)
    return {"seq": event.seq, "cleared": cleared}


# -- reading: the room view -------------------------------------------------------------------


@dataclass
class _RoomCache:
    """One sitting's room view kept between polls (per service process). `n` counts the
    changes seen; each row remembers the `n` of its last change, so a console that saw version
    `epoch:k` gets only the rows changed since k. `last_hash` is the hash of the event the fold
    has reached (`room.last_seq`): a ledger whose event there differs is not the one folded."""

    room: R.RoomView
    sitting: S.Sitting
    exam_title: str
    last_hash: str = ""
    epoch: str = field(default_factory=lambda: secrets.token_hex(4))
    n: int = 1
    stamps: dict[str, int] = field(default_factory=dict)
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    header: dict[str, Any] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def version(self) -> str:
        return f"{self.epoch}:{self.n}"

    def fold(self, events: Iterable[Event]) -> set[str]:
        """Fold `events` into the room, remembering the hash of the last one folded."""
        last: list[Event] = []

        def seen() -> Iterator[Event]:
            for event in events:
                if event.seq > self.room.last_seq:
                    last[:] = [event]
                yield event

        changed = self.room.apply(seen())
        if last:
            self.last_hash = last[0].hash
        return changed

    def follows(self, ledger: Any) -> bool:
        """Whether `ledger` still holds the event this view has folded up to (not a ledger
        replaced, restored from a backup or rolled back under it)."""
        with self.lock:
            seq, digest = self.room.last_seq, self.last_hash
        event = ledger.get(seq)
        return event is not None and event.hash == digest


#: How many sittings' views a process keeps. A centre runs a few rooms at a time; a service that
#: runs for months would otherwise keep every sitting it was ever asked about. Past the bound the
#: least recently read closed sitting goes first, then the least recently read one.
MAX_ROOM_VIEWS = 16

_CACHES: OrderedDict[tuple[str, str], _RoomCache] = OrderedDict()
_CACHES_LOCK = threading.Lock()


def _new_cache(ctx: Context, sitting_id: str) -> _RoomCache:
    from kiosk.domain.roster import roster
    from kiosk.exam_store import LOADED, latest_loads

    reader = ctx.ledger
    sitting = inv.sitting(reader, sitting_id)
    people = roster(reader)
    room = R.RoomView(
        sitting.id, list(sitting.candidates),
        names={c: people[c].name for c in sitting.candidates if c in people},
        seats=dict(sitting.seats),
        extra_minutes={c: float(people[c].accommodations.extra_minutes)
                       for c in sitting.candidates if c in people},
        timing=exam_timing(ctx, sitting.exam), open=sitting.open)
    loaded = latest_loads(reader.events(kind=LOADED)).get(sitting.exam)
    cache = _RoomCache(room, sitting, str(loaded.body.get("title", "")) if loaded else "")
    cache.fold(reader.events(after=sitting.seq - 1))
    return cache


def exam_timing(ctx: Context, exam_id: str) -> R.ExamTiming | None:
    """Part minutes of a loaded exam; None when the exam cannot be read (the room view then
    shows no remaining time rather than a wrong one)."""
    from kiosk.exam_store import exam_and_banks

    try:
        exam, _ = exam_and_banks(ctx.centre, exam_id, ctx.passphrase)
    except KioskError:
        return None
    return R.ExamTiming({p.id: float(p.minutes) for p in exam.parts},
                        [p.id for p in exam.parts], str(exam.extra.get("accommodation", "first")))


def room_cache(ctx: Context, sitting_id: str) -> _RoomCache:
    """The kept view of a sitting, made anew when there is none or when the ledger is not the
    one it was folded from (its epoch changes, so every console gets the whole room again)."""
    key = (str(ctx.centre.path), sitting_id)
    with _CACHES_LOCK:
        cache = _CACHES.get(key)
        if cache is not None:
            _CACHES.move_to_end(key)
    if cache is not None and cache.follows(ctx.ledger):
        return cache
    fresh = _new_cache(ctx, sitting_id)
    with _CACHES_LOCK:
        now = _CACHES.get(key)
        if now is not None and now is not cache:
            return now  # another thread made it meanwhile, from the same ledger
        _CACHES[key] = fresh
        _CACHES.move_to_end(key)
        _evict()
    return fresh


def _evict() -> None:
    """Down to MAX_ROOM_VIEWS (under _CACHES_LOCK): closed sittings first, oldest read first."""
    while len(_CACHES) > MAX_ROOM_VIEWS:
        newest = next(reversed(_CACHES))
        closed = next((k for k, c in _CACHES.items() if not c.room.open and k != newest), None)
        del _CACHES[closed if closed is not None else next(iter(_CACHES))]


def cached_rooms() -> list[tuple[str, str]]:
    """(centre, sitting) of the views kept now, least recently read first (tests, monitoring)."""
    with _CACHES_LOCK:
        return list(_CACHES)


def _watch(ctx: Context) -> dict[str, Any] | None:
    """The service's memory of the candidates' room (None in the embedded path: no service)."""
    room = ctx.extra.get("room")
    return room.watch() if room is not None else None


def alerts(room: R.RoomView, failures: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The failure counters that concern this room, one per seat and candidate: a seat of the
    room (planned or logged in at), one of its candidates, or one of its attempts — and a seat
    nobody planned (someone trying at a spare terminal). Sorted, the latest lockout first."""
    by_seat: dict[str, str] = {}
    for cand in room.candidates:
        for seat in (room.seats.get(cand, ""), room.seat_of(cand)):
            if seat:
                by_seat[seat] = cand
    by_fold = {c.casefold(): c for c in room.candidates}
    merged: dict[tuple[str, str, str], dict[str, Any]] = {}
    for f in failures:
        if f["count"] < ALERT_AFTER:
            continue
        seat, cand = "", ""
        if f["key"] == "seat":
            seat = f["value"]
            cand = by_seat.get(seat, "")
        elif f["key"] == "candidate":
            cand = by_fold.get(f["value"], "")
            if not cand:
                continue  # another room's candidate (or a name nobody has)
            seat = room.seat_of(cand)
        elif f["key"] == "attempt":
            track = room.tracks.get(f["value"])
            if track is None:
                continue
            cand = track.state.candidate
            seat = room.seat_of(cand)
        else:
            continue
        key = (f["what"], seat, cand)
        old = merged.get(key)
        if old is None or f["count"] > old["count"]:
            merged[key] = {"what": f["what"], "seat": seat, "candidate": cand,
                           "name": room.names.get(cand, ""), "count": f["count"],
                           "locked_until": f["locked_until"]}
    # A failed login counts at its seat and for the candidate id typed: when one alert names
    # only the seat and another only the candidate, with the same count and lockout, they are
    # the same tries.
    for a in list(merged.values()):
        if a["seat"] or not a["candidate"]:
            continue
        twin = next((k for k, b in merged.items() if not b["candidate"]
                     and b["what"] == a["what"] and b["count"] == a["count"]
                     and abs((b["locked_until"] or 0) - (a["locked_until"] or 0)) < 1.0), None)
        if twin is not None:
            a["seat"] = merged.pop(twin)["seat"]
    return sorted(merged.values(), key=lambda a: (-(a["locked_until"] or 0), -a["count"],
                                                  a["seat"], a["candidate"]))


def _row_json(room: R.RoomView, cand: str, live: set[str] | None) -> dict[str, Any]:
    data = room.data(cand)
    out = data.as_json()
    if live is not None and data.attempt is not None:
        out["live"] = data.attempt in live
    return out


@use_case("invigilation.room", roles=ROOM_READERS, writes=False)
def room_view(ctx: Context, *, sitting: str, since: str | None = None) -> dict[str, Any]:
    """The room as the console shows it. With `since` (the version of the last answer): only
    what changed since then, or `{"unchanged": true}`."""
    from kiosk.exit_pin import has_pin

    if not isinstance(sitting, str):
        raise KioskError("sitting: a sitting id is required")
    since = since if isinstance(since, str) else None
    cache = room_cache(ctx, sitting)
    watch = _watch(ctx)
    live = set(watch["live"]) if watch is not None else None
    with cache.lock:
        room = cache.room
        changed: set[str] = set()
        if ctx.ledger.head_seq() > room.last_seq:
            changed = cache.fold(ctx.ledger.events(after=room.last_seq))
        candidates = list(room.candidates)
        fresh: dict[str, dict[str, Any]] = {}
        for cand in candidates:
            old = cache.rows.get(cand)
            if old is None or cand in changed or (
                    live is not None and old.get("attempt") is not None
                    and old.get("live") != (old["attempt"] in live)):
                fresh[cand] = _row_json(room, cand, live)
        header = {"open": room.open, "alerts": alerts(room, watch["failures"]) if watch else [],
                  "pin_set": has_pin(ctx.centre), "live_known": live is not None}
        moved = [c for c, row in fresh.items() if row != cache.rows.get(c)]
        if moved or header != cache.header:
            cache.n += 1
            for cand in moved:
                cache.rows[cand] = fresh[cand]
                cache.stamps[cand] = cache.n
            cache.header = header
        version = cache.version
        if since == version:
            return {"version": version, "unchanged": True}
        seen = _seen(since, cache.epoch)
        rows = [cache.rows[c] for c in candidates if cache.stamps.get(c, 0) > seen]
        s = cache.sitting
        return {"version": version, "full": seen == 0, "rows": rows, **cache.header,
                "sitting": {"id": s.id, "exam": s.exam, "room": s.room, "date": s.date,
                            "candidates": candidates},
                "exam_title": cache.exam_title}


def _seen(since: str | None, epoch: str) -> int:
    """The change count a console already has (0: it has nothing of this cache)."""
    if not since or not since.startswith(epoch + ":"):
        return 0
    try:
        return int(since.split(":", 1)[1])
    except ValueError:
        return 0


@use_case("invigilation.events", roles=ROOM_READERS, writes=False)
def attempt_events(ctx: Context, *, sitting: str, attempt: str, limit: int = EVENTS_SHOWN
                   ) -> list[dict[str, Any]]:
    """The latest events of one attempt of the sitting (and the sitting's room-wide ones that
    touched it), clock ticks left out: the console's candidate detail."""
    state = inv.attempt_state(ctx.ledger, attempt)
    if state.sitting != sitting:
        raise inv.ActionRefused("that attempt is not in this sitting")
    out = [e for e in ctx.ledger.attempt_events(attempt, A.SITTING_WIDE)
           if (e.attempt == attempt or e.body.get("sitting") == sitting) and e.kind != A.TICK]
    shown = limit if isinstance(limit, int) and not isinstance(limit, bool) else EVENTS_SHOWN
    return [event_json(e) for e in out[-max(1, min(shown, 200)):]]
