"""The candidate's room in the centre service: login, the attempt's use cases, time, the
one-terminal lease and throttling. The logic of an attempt is `kiosk.session.CandidateSession`;
here it runs inside the service, on the writer thread, over the service's one ledger.

Time belongs to the service: a candidate's exam clock (`ChargedClock`) advances only when that
candidate's client calls (a tick every `TICK_EVERY_S`, or a save), by the real time since its
previous call less the service's own stalls (`Stalls`), at most `TICK_CAP_S` per call. A client
that is gone charges nothing beyond one capped step; a service that is stopped or stalled charges
nothing. A staff action through the service is charged up to its moment (`CandidateRoom.version`).

Lease: one live terminal per attempt, decided here. The holder is the session that called last;
it stays live while it called within `LEASE_TTL_S` and its client process (SO_PEERCRED pid)
exists. A login elsewhere while it is live is refused, unless the invigilator moved the seat.

Throttling: failed logins and failed exit PINs are counted per seat and per candidate (or
attempt); after `THROTTLE_AFTER` failures each try waits a doubling delay (5 s … 300 s), and
every failure is an event in the ledger with the client's uid.
"""

from __future__ import annotations

import hmac
import os
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from kiosk.client import TICK_EVERY_S
from kiosk.crypto.passwords import code_matches
from kiosk.domain import attempts as A
from kiosk.domain.attempts import fold_attempt
from kiosk.domain.exams import Exam
from kiosk.domain.sittings import KINDS as SITTING_KINDS
from kiosk.domain.sittings import Sitting, fold_sitting, normalise_code
from kiosk.errors import KioskError
from kiosk.ledger.centre import Centre
from kiosk.ledger.store import Ledger
from kiosk.session import (
    PERSIST_EVERY_S,
    CandidateSession,
    LoginFailed,
    LoginThrottled,
    SessionElsewhere,
    _find_sitting,
    throttle_seconds,
)

#: At most this many real seconds are charged per client call: a terminal calls at least every
#: `TICK_EVERY_S` (its clock counts down locally in between), plus a margin for a busy
#: terminal or service. A stall or an outage therefore costs at most this once.
TICK_CAP_S = TICK_EVERY_S + 2.0
LEASE_TTL_S = 10.0

#: Item spec fields that carry the answer key (or a grader's hints): never sent to a terminal.
SECRET_SPEC_FIELDS = frozenset({
    "answer", "answers", "correct", "model_answer", "rubric", "mapping", "partial", "accept",
    "solution", "expected", "check_columns", "feedback_true", "feedback_false", "penalty",
    "extra_line_penalty", "right",
})


class Refused(KioskError):
    """Not allowed for this caller (a foreign attempt, a staff action, …)."""


class SessionLost(KioskError):
    """The token is unknown or its session was dropped: log in again."""


@dataclass
class Peer:
    uid: int | None = None
    pid: int | None = None


#: The service's event loop notes that it is alive this often; a gap of more than
#: `STALL_S` between two notes is the service stalled (SIGSTOP, a frozen VM, swapping), and
#: that span is charged to nobody.
ALIVE_EVERY_S = 0.25
STALL_S = 1.5


class Stalls:
    """When the service itself was not running. A candidate is never charged for those spans,
    whatever the tick interval: a terminal's gap between two calls minus the service's stalls
    in it is what counts (then capped)."""

    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self._now = now
        self.last_alive: float | None = None
        #: recent stalls, (from, to) monotonic; written on the event loop, read by the writer
        self.spans: list[tuple[float, float]] = []

    def alive(self) -> None:
        now = self._now()
        if self.last_alive is not None and now - self.last_alive > STALL_S:
            self.spans = [*self.spans[-63:], (self.last_alive, now)]
        self.last_alive = now

    def within(self, start: float, end: float) -> float:
        """Seconds of [start, end] the service was stalled, the stall still going on (not
        noted yet: the loop has not run since) included."""
        spans = list(self.spans)
        if self.last_alive is not None and end - self.last_alive > STALL_S:
            spans.append((self.last_alive, end))
        return sum(max(0.0, min(b, end) - max(a, start)) for a, b in spans)


class ChargedClock:
    """A candidate's exam clock: advances only on `advance()`, by the real time elapsed since
    the last call less the service's own stalls, at most `cap`."""

    def __init__(self, scale: float = 1.0, cap: float = TICK_CAP_S,
                 now: Callable[[], float] = time.monotonic, stalls: Stalls | None = None
                 ) -> None:
        self.value = 0.0
        self.scale = scale
        self.cap = cap
        self._now = now
        self._stalls = stalls
        self._last: float | None = None

    def advance(self, at: float | None = None) -> None:
        """Charge the real time since the last call, up to now (or up to `at`, a moment between
        the last call and now: when an invigilator paused, say)."""
        now = self._now()
        if self._last is None:
            self._last = now  # the first call: nothing before it is charged
            return
        until = now if at is None else min(at, now)
        if until > self._last:
            span = until - self._last
            if self._stalls is not None:
                span = max(0.0, span - self._stalls.within(self._last, until))
            self.value += min(span, self.cap) * self.scale
            self._last = until

    def __call__(self) -> float:
        return self.value


@dataclass
class _Failures:
    count: int = 0
    last: float = 0.0


@dataclass
class Throttle:
    """Failures per key (seat, candidate, attempt); a doubling wait after the third."""

    failures: dict[str, _Failures] = field(default_factory=dict)

    def wait(self, *keys: str) -> float:
        now = time.monotonic()
        waits = [throttle_seconds(f.count) - (now - f.last)
                 for k in keys if (f := self.failures.get(k)) is not None]
        return max([0.0, *waits])

    def failed(self, *keys: str) -> None:
        for k in keys:
            f = self.failures.setdefault(k, _Failures())
            f.count += 1
            f.last = time.monotonic()

    def clear(self, *keys: str) -> None:
        for k in keys:
            self.failures.pop(k, None)


def _pid_alive(pid: int | None) -> bool:
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class ServiceSession(CandidateSession):
    """CandidateSession over the service's shared ledger, with the service's lease and clock."""

    room: CandidateRoom
    token: str
    peer: Peer
    last_seen: float
    elsewhere: str | None = None

    _room_version = 0

    def _content(self, exam_id: str) -> tuple[Exam, dict[str, Any]]:
        return self.room.content(exam_id)

    def _created_events(self, candidate: str) -> list[Any]:
        return self.room.created_for(candidate)

    def _candidate_extra(self) -> float:
        candidate = self.room.roster().get(self._state.candidate)
        return float(candidate.accommodations.extra_minutes) if candidate else 0.0

    def refresh(self) -> bool:
        # PRAGMA data_version sees other processes' commits only; what staff did through this
        # service (same connection) is announced by the room's version.
        if self._room_version != self.room.version:
            self._room_version = self.room.version
            self._dv = -1
            # Charge the time up to the staff action, then fold it (a pause stops the clock
            # where it was paused, not where this terminal next called).
            self._clock.advance(self.room.version_at)  # type: ignore[attr-defined]
        return super().refresh()

    def _absorb(self, written: list[Any]) -> None:
        # The service's one connection wrote them: when nothing else was appended since this
        # session last read (its own events follow on directly), fold them as they are instead
        # of reading them back (three statements and a JSON parse per save). Otherwise read
        # everything new, as the base class does. (data_version does not move for our own
        # connection's commits, so it is not read again here either.)
        if written and written[0].seq == self._seen_seq + 1 and all(
                e.attempt == self._state.attempt for e in written):
            for e in written:
                fold_attempt(self._state, e)
            self._seen_seq = written[-1].seq
            self._rebuild_opt()
            return
        self._pull()

    # The lease lives in the service's memory: no table, no wall clock.
    def _acquire_lease(self) -> None:
        self.room.take_lease(self)

    def _check_lease(self) -> None:
        if self.elsewhere is not None or self.room.leases.get(self.attempt_id) is not self:
            raise SessionElsewhere(self.elsewhere or "This exam was moved to another seat.")

    def _heartbeat(self) -> None:
        self.last_seen = time.monotonic()

    def _release_lease(self) -> None:
        if self.room.leases.get(self._state.attempt) is self:
            del self.room.leases[self._state.attempt]

    def _close_ledger(self) -> None:
        pass  # the service's one ledger outlives every session


class LoginIndex:
    """What a login looks up, kept by the service between logins (called from the login
    threads, hence the lock):

    - the registered candidates (by casefolded id) and the sittings, folded incrementally from
      the ledger: a login must not re-read every registration of the centre (with 2,000
      candidates that was 2,000 × 2,000 events);
    - the room codes already verified. A sitting's access code is one secret for the whole
      room, and scrypt (~40 ms of CPU, slow on purpose) is there against guessing, not against
      the room's 300th candidate typing the code the first one typed. After one successful
      check the service keeps an HMAC of the code under a random key of this process (never
      the code, never written anywhere); a later login whose code gives the same HMAC (compared
      in constant time) is accepted without scrypt. Anything else — a wrong code, an unknown
      candidate, a sitting re-coded — takes the full scrypt path as before, so a guess costs
      what it cost, and the throttling and failure events are untouched (they are in the
      route and in `CandidateRoom.login`).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seq = 0
        self._candidates: dict[str, Any] = {}
        self._sittings: dict[str, Sitting] = {}
        self._key = secrets.token_bytes(32)
        self._verified: dict[tuple[str, str, str], bytes] = {}

    def lookup(self, reader: Ledger) -> Callable[[str], tuple[Any, list[Sitting]]]:
        from kiosk.domain.roster import REGISTERED, Candidate

        with self._lock:
            for e in reader.events(kind=(REGISTERED, *SITTING_KINDS), after=self._seq):
                if e.kind == REGISTERED:
                    candidate = Candidate.from_body(e.body)
                    fold = candidate.id.casefold()
                    held = self._candidates.get(fold)
                    # As roster(): a re-registration updates; of two ids that differ only in
                    # case, the first registered is the one a login finds.
                    if held is None or held.id == candidate.id:
                        self._candidates[fold] = candidate
                else:
                    fold_sitting(self._sittings, e)
                self._seq = e.seq
            candidates = self._candidates
            every = list(self._sittings.values())

        def find(wanted: str) -> tuple[Any, list[Sitting]]:
            candidate = candidates.get(wanted)
            return (candidate, every) if candidate is not None else (None, [])

        return find

    def _mac(self, code: str) -> bytes:
        return hmac.new(self._key, normalise_code(code).encode("utf-8"), "sha256").digest()

    def check(self, sitting: Sitting, code: str) -> bool:
        key = (sitting.code_hash, sitting.code_salt, sitting.code_kdf)
        known = self._verified.get(key)
        if known is not None and hmac.compare_digest(known, self._mac(code)):
            return True
        if not code_matches(sitting, code):
            return False
        self._verified[key] = self._mac(code)
        return True


class CandidateRoom:
    """Every candidate session of the centre, keyed by token. Called on the writer thread."""

    def __init__(self, centre: Centre, ledger: Ledger, *, passphrase: str | None = None,
                 time_scale: float = 1.0) -> None:
        self.centre = centre
        self.ledger = ledger
        self.passphrase = passphrase
        self.time_scale = time_scale
        self.sessions: dict[str, ServiceSession] = {}
        self.leases: dict[str, ServiceSession] = {}
        self.logins = Throttle()
        self.pins = Throttle()
        #: bumped by every staff action through the service (see ServiceSession.refresh)
        self._version = 0
        #: the service's real-time clock (monotonic; tests may pass their own)
        self.now: Callable[[], float] = time.monotonic
        self.version_at = self.now()
        self.stalls = Stalls(lambda: self.now())
        self._content: dict[str, tuple[Exam, dict[str, Any]]] = {}
        self._created: dict[str, list[Any]] = {}
        self._created_seq = 0
        self._registrations: dict[str, Any] = {}
        self._registered_seq = 0
        self.login_index = LoginIndex()

    @property
    def version(self) -> int:
        return self._version

    @version.setter
    def version(self, value: int) -> None:
        # When the staff action happened, so that each session charges its time up to it.
        self._version = value
        self.version_at = self.now()

    def content(self, exam_id: str) -> tuple[Exam, dict[str, Any]]:
        """Decrypted once per exam load (the `exam_loaded` head decides when to re-read)."""
        from kiosk.exam_store import exam_and_banks

        if exam_id not in self._content:
            exam, banks = exam_and_banks(self.centre, exam_id, self.passphrase)
            # Fail closed (issue 13): code items in exam mode need OS isolation on this
            # machine; without it no candidate can open the exam (the login says why).
            from kiosk.delivery import require_delivery

            require_delivery(exam, banks)
            self._content[exam_id] = (exam, banks)
        return self._content[exam_id]

    def forget_content(self) -> None:
        self._content.clear()

    def created_for(self, candidate: str) -> list[Any]:
        """This candidate's `attempt_created` events, indexed incrementally (a login must not
        parse every attempt of the room)."""
        for e in self.ledger.events(kind=A.ATTEMPT_CREATED, after=self._created_seq):
            self._created.setdefault(str(e.body.get("candidate")), []).append(e)
            self._created_seq = e.seq
        return list(self._created.get(candidate, []))

    def roster(self) -> dict[str, Any]:
        """The registered candidates, folded incrementally (registrations are append-only)."""
        from kiosk.domain.roster import REGISTERED, fold_registration

        for e in self.ledger.events(kind=REGISTERED, after=self._registered_seq):
            fold_registration(self._registrations, e)
            self._registered_seq = e.seq
        return {cid: reg.candidate for cid, reg in self._registrations.items()}

    # -- login -----------------------------------------------------------------------------

    def throttle_keys(self, candidate_id: str, seat: str) -> tuple[str, str]:
        return (f"seat:{seat}", f"candidate:{candidate_id.strip().casefold()[:64]}")

    def check_throttle(self, candidate_id: str, seat: str) -> None:
        wait = self.logins.wait(*self.throttle_keys(candidate_id, seat))
        if wait > 0:
            raise LoginThrottled(wait)

    def find(self, candidate_id: str, code: str) -> Any:
        """Check the access code (scrypt, slow on purpose) on a reader connection: called off
        the writer thread, so saves never queue behind logins. The roster and the sittings come
        from the room's incremental index, and a room code verified once is not re-derived."""
        with self.centre.reader() as reader:
            lookup = self.login_index.lookup(reader)
            return _find_sitting(reader, candidate_id, code, lookup=lookup,
                                 check=self.login_index.check)

    def login(self, candidate_id: str, code: str, *, seat: str, language: str | None,
              peer: Peer, found: Any = None, checked: bool = False) -> ServiceSession:
        seat = (seat or "seat")[:64]
        keys = self.throttle_keys(candidate_id, seat)
        if not checked:
            self.check_throttle(candidate_id, seat)
            found = _find_sitting(self.ledger, candidate_id, code)
        if found is None:
            self.logins.failed(*keys)
            # The code is never recorded: only who tried, from where, as which Unix user.
            self.ledger.append(A.LOGIN_FAILED, {"candidate_given": candidate_id[:64],
                                                "seat": seat, "peer_uid": peer.uid},
                               actor="system")
            raise LoginFailed()
        self.logins.clear(*keys)
        sitting, candidate, name = found
        session = ServiceSession(self.centre, self.ledger, seat=seat,
                                 clock=ChargedClock(self.time_scale, now=self.now,
                                                    stalls=self.stalls), busy_timeout=5.0,
                                 passphrase=self.passphrase)
        # Persist the time every few real seconds, whatever the clock's compression.
        session._persist_every = PERSIST_EVERY_S * self.time_scale
        session.room = self
        session._room_version = self.version  # the login reads the ledger as it is now
        session.peer = peer
        session.peer_uid = peer.uid
        session.token = secrets.token_urlsafe(24)
        session.last_seen = time.monotonic()
        session._attach(sitting, candidate, name, language)
        self.sessions[session.token] = session
        return session

    def take_lease(self, session: ServiceSession) -> None:
        attempt = session._state.attempt
        holder = self.leases.get(attempt)
        if holder is not None and holder is not session and not holder._closed:
            live = (time.monotonic() - holder.last_seen < LEASE_TTL_S
                    and _pid_alive(holder.peer.pid))
            moved_here = session._state.moved_to == session.seat and holder.seat != session.seat
            # The same terminal process logging in again (its first reply was lost in a
            # timeout, or the service restarted) takes its own lease back.
            same_terminal = holder.peer.pid is not None and holder.peer.pid == session.peer.pid
            if live and not moved_here and not same_terminal:
                raise SessionElsewhere(
                    f"This exam is already open on another terminal (seat {holder.seat}). "
                    "Please call the invigilator.")
            # Its terminal is told so on its next call (SessionElsewhere).
            holder.elsewhere = f"This exam was moved to seat {session.seat}."
        self.leases[attempt] = session

    def session(self, token: str, peer: Peer) -> ServiceSession:
        session = self.sessions.get(token)
        if session is None:
            raise SessionLost("Your session has ended: please log in again.")
        if session.peer.uid != peer.uid:
            # A token is bound to the Unix user that logged in with it.
            raise SessionLost("Your session has ended: please log in again.")
        if session.elsewhere is not None:
            raise SessionElsewhere(session.elsewhere)
        session.peer.pid = peer.pid or session.peer.pid
        session.last_seen = time.monotonic()
        return session

    def call(self, token: str, peer: Peer) -> ServiceSession:
        """The session of a candidate call, with what others wrote folded in and the time up to
        now charged (only now: a staff action since the last call is charged up to its moment
        by `refresh`)."""
        session = self.session(token, peer)
        session.refresh()
        session._clock.advance()  # type: ignore[attr-defined]
        return session

    def drop(self, tokens: list[Any]) -> None:
        """Sessions whose last transaction failed: their memory may hold rolled-back events."""
        for token in tokens:
            session = self.sessions.pop(token, None) if isinstance(token, str) else None
            if session is not None:
                session._release_lease()
                session._closed = True

    # -- exit PIN --------------------------------------------------------------------------

    def exit_with_pin(self, pin: str, *, seat: str, attempt: str | None, peer: Peer) -> bool:
        from kiosk.exit_pin import check_pin

        keys = [f"pin-seat:{seat}"] + ([f"pin-attempt:{attempt}"] if attempt else [])
        wait = self.pins.wait(*keys)
        if wait > 0:
            raise LoginThrottled(wait)
        ok = check_pin(self.centre, pin)
        (self.pins.clear if ok else self.pins.failed)(*keys)
        self.ledger.append(A.KIOSK_EXIT if ok else "kiosk_exit_refused",
                           {"seat": seat, "peer_uid": peer.uid}, actor="invigilator",
                           attempt=attempt)
        return ok

    def watch(self) -> dict[str, Any]:
        """For the invigilator console (read from another thread: copies only): the attempts
        whose terminal called within LEASE_TTL_S, and every failure counter (logins per seat
        and candidate, exit PINs per seat and attempt) with the wall time its wait ends."""
        mono, wall = time.monotonic(), time.time()
        live = [a for a, s in list(self.leases.items())
                if not s._closed and s.elsewhere is None and mono - s.last_seen < LEASE_TTL_S]
        failures = []
        for what, throttle in (("login", self.logins), ("pin", self.pins)):
            for key, f in list(throttle.failures.items()):
                kind, _, value = key.partition(":")
                wait = throttle_seconds(f.count) - (mono - f.last)
                failures.append({"what": what, "key": kind.removeprefix("pin-"), "value": value,
                                 "count": f.count,
                                 "locked_until": wall + wait if wait > 0 else None})
        return {"live": live, "failures": failures}

    def clear_failures(self, *, seat: str = "", candidate: str = "", attempt: str = "") -> int:
        """An invigilator lifted a lockout (the person at the seat was checked): forget the
        failures of this seat, candidate id and attempt. Returns how many counters went."""
        keys = ([f"seat:{seat}", f"pin-seat:{seat}"] if seat else []) + (
            [self.throttle_keys(candidate, "")[1]] if candidate else []) + (
            [f"pin-attempt:{attempt}"] if attempt else [])
        gone = sum(1 for k in keys if k in self.logins.failures or k in self.pins.failures)
        self.logins.clear(*keys)
        self.pins.clear(*keys)
        return gone

    def refused(self, what: str, *, peer: Peer, attempt: str | None, actor: str) -> None:
        """Record a refused security-relevant request (another attempt's data, a staff call)."""
        self.ledger.append("request_refused", {"what": what[:200], "peer_uid": peer.uid},
                           actor=actor, attempt=attempt)


# --- what a terminal may see -------------------------------------------------------------------


def _public(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _public(v) for k, v in value.items() if k not in SECRET_SPEC_FIELDS}
    if isinstance(value, list):
        return [_public(v) for v in value]
    return value


def _public_spec(spec: dict[str, Any]) -> dict[str, Any]:
    out = _public(spec)
    if isinstance(spec.get("sequence"), list):
        # An ordering's sequence IS its key: the terminal gets the same elements, sorted.
        out["sequence"] = sorted(spec["sequence"], key=lambda v: str(v).casefold())
    if isinstance(spec.get("tests"), list):
        # Code questions: the examples are shown to the candidate; hidden tests never leave.
        out["tests"] = [t for t in spec["tests"] if isinstance(t, dict) and t.get("example")]
    return out


def public_item(item: Any) -> dict[str, Any]:
    """The item as a terminal may see it: stem, type, points and the spec without keys (the
    presentation, assembled in the service, gives the order of options and matches)."""
    d = asdict(item)
    d["spec"] = _public_spec(d.get("spec") or {})
    d["feedback"] = None
    d["enemies"] = []
    d["source"] = ""
    d["line"] = None
    return d


def paper_json(session: CandidateSession) -> dict[str, Any]:
    exam = session.exam
    return {
        "identity": asdict(session.identity),
        "attempt": session.attempt_id,
        "language": session.language,
        "can_self_start": session.can_self_start,
        "time_scale": getattr(getattr(session, "room", None), "time_scale", 1.0),
        "exam": {"id": exam.id, "title": exam.title, "show_score": bool(exam.show_score),
                 "language": exam.language, "review_allowed": exam.extra.get("review_allowed")
                 is True},
        "parts": [{"id": p.id, "title": p.title, "minutes": p.minutes,
                   "extra_minutes": p.extra_minutes,
                   "items": [{"key": v.key, "item": public_item(v.item),
                              "presentation": v.presentation} for v in p.items]}
                  for p in session.parts],
    }


def paper_media(session: CandidateSession, sha: str) -> str:
    """Base64 of the attachment `sha` of an item on the session's paper; Refused for any other
    hash (another paper's media, a guess)."""
    import base64

    from kiosk import media

    for part in session.parts:
        for v in part.items:
            for att in v.item.attachments:
                if att.get("sha256") == sha:
                    data = media.content(v.item, att)
                    if data is None:
                        raise Refused(f"attachment {sha[:12]}… is not available")
                    return base64.b64encode(data).decode("ascii")
    raise Refused("not an attachment of this paper")


def view_json(view: Any) -> dict[str, Any]:
    # By hand rather than asdict(): asdict deep-copies every answer on every tick.
    return {
        "status": view.status, "part_index": view.part_index, "index": view.index,
        "answers": view.answers, "flags": sorted(view.flags), "remaining_s": view.remaining_s,
        "paused": view.paused, "suspended": view.suspended,
        "warnings_due": list(view.warnings_due), "part_id": view.part_id,
        "unsaved": view.unsaved, "receipt": view.receipt, "away": view.away,
        "submitted_parts": list(view.submitted_parts),
    }
