"""The candidate session: everything the candidate app, `kiosk simulate` and the tests do to an
attempt goes through `CandidateSession` (docs/session-api.md).

Durability: every change is an event appended to the ledger, and a method returns only after the
COMMIT. When the ledger cannot be written (disk full, locked past the busy timeout) the method
raises NotSaved and keeps the change as pending; the next call, `tick()` or `retry_pending()`
saves it. `view()` shows pending changes (the answer stays on screen) and counts them in
`unsaved`.

Time: consumed time is charged from the injected monotonic clock only while the attempt's clock
runs (started, not paused or suspended, not finished) and persisted with every candidate event and
by `time_tick` at least every 5 seconds. After a crash the session resumes from the last persisted
value, so the seconds between it and the crash are not charged.

One live session per attempt: a lease row in the `sessions` table of ledger.db (outside the hash
chain: liveness is mutable data) taken under BEGIN IMMEDIATE, refreshed by `tick()`. A lease is
live while its heartbeat is younger than LEASE_TTL_S and its process is alive (checked when it is
on this host). Logins are serialised by a lock file beside the ledger, so two terminals logging in
as one candidate at once create one attempt and exactly one of them gets it.
"""

from __future__ import annotations

import fcntl
import functools
import os
import secrets
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from kiosk.crypto.passwords import burn_check, code_matches
from kiosk.domain import attempts as A
from kiosk.domain import timing
from kiosk.domain.assembly import assemble
from kiosk.domain.attempts import AttemptState, fold_attempt
from kiosk.domain.exams import Exam
from kiosk.domain.items import Item
from kiosk.domain.roster import roster
from kiosk.domain.sittings import KINDS as SITTING_KINDS
from kiosk.domain.sittings import Sitting, sittings
from kiosk.errors import KioskError
from kiosk.ledger.centre import Centre
from kiosk.ledger.receipts import receipt_code
from kiosk.ledger.store import Event, Ledger, NewEvent
from kiosk.loading import question_types

LEASE_TTL_S = 10.0
HEARTBEAT_EVERY_S = 2.0
#: With tick() called about once a second this keeps every gap between persisted values ≤ 5 s.
PERSIST_EVERY_S = 4.0
THROTTLE_AFTER = 3
THROTTLE_BASE_S = 5.0
THROTTLE_MAX_S = 300.0
LOCK_FILE = ".sessions.lock"

LEASE_SCHEMA = """CREATE TABLE IF NOT EXISTS sessions (
    attempt TEXT PRIMARY KEY, session TEXT NOT NULL, seat TEXT NOT NULL, host TEXT NOT NULL,
    pid INTEGER NOT NULL, heartbeat REAL NOT NULL)"""


# The errors live in a light module so that terminals (kiosk.client) import them cheaply.
from kiosk.session_errors import (  # noqa: E402
    LoginFailed,
    LoginThrottled,
    NotInProgress,
    NotSaved,
    PartClosed,
    SessionElsewhere,
    SittingClosed,
)


@dataclass(frozen=True)
class Identity:
    candidate: str
    name: str
    exam_title: str
    seat: str
    sitting: str
    attempt: str


@dataclass(frozen=True)
class PaperItemView:
    key: str
    item: Item
    presentation: dict[str, Any]


@dataclass(frozen=True)
class SessionPart:
    id: str
    title: str
    minutes: float
    items: list[PaperItemView]
    #: this candidate's accommodation share of the part (extra minutes on top of `minutes`)
    extra_minutes: float = 0.0


@dataclass(frozen=True)
class AttemptView:
    status: str
    part_index: int
    index: int
    answers: dict[str, Any]
    flags: set[str]
    remaining_s: float
    paused: bool
    suspended: bool
    warnings_due: list[int]
    #: Extensions of the documented API:
    part_id: str | None = None
    unsaved: int = 0
    receipt: str | None = None
    away: bool = False
    submitted_parts: tuple[str, ...] = ()
    #: the invigilator's messages to this candidate or the room, oldest first: (seq, text)
    messages: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class PartResult:
    id: str
    title: str
    points: float
    max_points: float
    percent: float
    passed: bool | None


@dataclass(frozen=True)
class Result:
    points: float
    max_points: float
    percent: float
    grade: int | None
    grade_name: str | None
    passed: bool | None
    #: essays and other human-marked items are not in `points` yet: the result is provisional
    provisional: bool = False
    parts: list[PartResult] = field(default_factory=list)
    #: the grade scale's rounding rule: how the percentage is shown (kiosk.domain.numbers)
    rounding: str = ""


# --- login throttling (per process, per seat) -----------------------------------------------


@dataclass
class _Failures:
    count: int = 0
    last: float = 0.0


_FAILURES: dict[tuple[str, str], _Failures] = {}
_FAILURES_LOCK = threading.Lock()


def throttle_seconds(failures: int) -> float:
    """The wait after `failures` consecutive failures: 5 s after the third, doubling."""
    if failures < THROTTLE_AFTER:
        return 0.0
    return min(THROTTLE_MAX_S, THROTTLE_BASE_S * 2 ** (failures - THROTTLE_AFTER))


@contextmanager
def _login_lock(centre: Centre) -> Iterator[None]:
    with open(centre.path / LOCK_FILE, "a+b") as f:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)


F = TypeVar("F", bound=Callable[..., Any])


def _locked(method: F) -> F:
    """One call at a time per session: the app may save from a timer while tick() runs."""

    @functools.wraps(method)
    def wrapper(self: CandidateSession, *args: Any, **kwargs: Any) -> Any:
        with self._mutex:
            return method(self, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _is_sqlite_failure(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.OperationalError | OSError)


def _not_saved(exc: BaseException) -> NotSaved:
    return NotSaved(f"Your last change could not be saved ({exc}). Please call the invigilator; "
                    "your answer stays on the screen and saving is retried.")


def record_kiosk_exit(centre: Centre | Path | str, pin: str, seat: str, *,
                      attempt: str | None = None, passphrase: str | None = None) -> bool:
    """Check the invigilator's exit PIN and record `kiosk_exit` (or `kiosk_exit_refused`); for
    the login screen, where no session exists yet. The PIN is never stored."""
    from kiosk.exit_pin import check_pin

    centre = centre if isinstance(centre, Centre) else Centre.open(Path(centre))
    ok = check_pin(centre, pin)
    try:
        with centre.ledger(passphrase) as ledger:
            _append_exit(ledger, ok, seat, attempt)
    except (sqlite3.OperationalError, OSError, KioskError):
        pass  # opening the ledger failed: see _append_exit
    return ok


def _append_exit(ledger: Ledger, ok: bool, seat: str, attempt: str | None) -> None:
    try:
        # A wrong PIN is typed by someone at the terminal, not (knowably) by an invigilator.
        ledger.append(A.KIOSK_EXIT if ok else "kiosk_exit_refused", {"seat": seat},
                      actor="invigilator" if ok else f"terminal:{seat}", attempt=attempt)
    except (sqlite3.OperationalError, OSError):
        pass  # the invigilator must be able to leave a kiosk whose ledger is broken


def _notify_lifecycle(events: list[Event]) -> None:
    """Tell plugins, after the events are durable; a failing listener never affects the
    candidate (kiosk.plugins.notify logs and contains its errors)."""
    from kiosk.plugins import notify_events

    notify_events(events)


class CandidateSession:
    """One candidate's live attempt on one terminal. Create with `CandidateSession.login`."""

    def __init__(self, centre: Centre, ledger: Ledger, *, seat: str, clock: timing.Clock,
                 busy_timeout: float, passphrase: str | None) -> None:
        self.centre = centre
        self.seat = seat
        self.session_id = secrets.token_hex(8)
        self.host = socket.gethostname()
        self._ledger = ledger
        self._mutex = threading.RLock()
        self._clock = clock
        self._busy = busy_timeout
        self._passphrase = passphrase
        self._lease: sqlite3.Connection | None = None
        self._closed = False
        self._pending: list[NewEvent] = []
        self._state = AttemptState()
        self._opt = self._state
        self._seen_seq = 0
        self._dv = 0
        self._counter: dict[str, float] = {}
        self._mark: float | None = None
        self._last_persist = clock()
        self._last_heartbeat = time.monotonic()
        self._warned: dict[str, set[int]] = {}
        self._language: str = "hu"
        self.exam: Exam
        self.parts: list[SessionPart] = []
        self.identity: Identity
        self._items: dict[str, Item] = {}
        self._extra_minutes: list[float] = []
        self._sitting: Sitting
        #: The Unix uid of the client (set by the centre service), recorded at login.
        self.peer_uid: int | None = None
        #: exam seconds between two persisted time values (the service scales it with its clock)
        self._persist_every = PERSIST_EVERY_S

    # -- login ---------------------------------------------------------------------------

    @classmethod
    def login(
        cls,
        centre: Centre | Path | str,
        candidate_id: str,
        access_code: str,
        *,
        seat: str,
        language: str | None = None,
        clock: timing.Clock = time.monotonic,
        busy_timeout: float = 5.0,
        passphrase: str | None = None,
    ) -> CandidateSession:
        """Log in (creating the attempt on the first login, resuming it on later ones).

        Raises LoginFailed, LoginThrottled, SessionElsewhere or NotSaved. `busy_timeout` is how
        long (seconds) a write waits for a locked ledger before NotSaved."""
        centre = centre if isinstance(centre, Centre) else Centre.open(Path(centre))
        seat = seat or socket.gethostname()
        key = (str(centre.ledger_path.resolve()), seat)
        now = clock()
        with _FAILURES_LOCK:
            fails = _FAILURES.get(key)
            if fails is not None and fails.count >= THROTTLE_AFTER:
                wait = throttle_seconds(fails.count) - (now - fails.last)
                if wait > 0:
                    raise LoginThrottled(wait)
        ledger = centre.ledger(passphrase)
        try:
            ledger.conn.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
            found = _find_sitting(ledger, candidate_id, access_code)
            if found is None:
                closed = _closed_sitting_matches(ledger, candidate_id, access_code)
                # Counted like any failure: throttled, and recorded as a failed login.
                cls._failed(ledger, key, candidate_id, seat, clock)
                raise SittingClosed() if closed else LoginFailed()
            sitting, candidate, name = found
            with _FAILURES_LOCK:
                _FAILURES.pop(key, None)
            session = cls(centre, ledger, seat=seat, clock=clock, busy_timeout=busy_timeout,
                          passphrase=passphrase)
            try:
                session._attach(sitting, candidate, name, language)
            except BaseException:
                session._release_lease()
                raise
            return session
        except BaseException as exc:
            ledger.close()
            if _is_sqlite_failure(exc):
                raise _not_saved(exc) from None
            raise

    @staticmethod
    def _failed(ledger: Ledger, key: tuple[str, str], given: str, seat: str,
                clock: timing.Clock) -> None:
        with _FAILURES_LOCK:
            fails = _FAILURES.setdefault(key, _Failures())
            fails.count += 1
            fails.last = clock()
        try:
            # The code is never recorded: only who tried, from where.
            ledger.append(A.LOGIN_FAILED, {"candidate_given": given[:64], "seat": seat},
                          actor="system")
        except (sqlite3.OperationalError, OSError):
            pass

    def _content(self, exam_id: str) -> tuple[Exam, dict[str, Any]]:
        """The decrypted exam and its banks (the service overrides this with its cache)."""
        from kiosk.exam_store import exam_and_banks

        return exam_and_banks(self.centre, exam_id, self._passphrase)

    def _created_events(self, candidate: str) -> list[Event]:
        """`attempt_created` events (at least this candidate's; the service keeps an index)."""
        return list(self._ledger.events(kind=A.ATTEMPT_CREATED))

    def _attach(self, sitting: Sitting, candidate: str, name: str, language: str | None) -> None:
        self._sitting = sitting
        exam, banks = self._content(sitting.exam)
        self.exam = exam
        with _login_lock(self.centre):
            created = self._created_events(candidate)
            mine = [e for e in created if e.body.get("sitting") == sitting.id
                    and e.body.get("candidate") == candidate]
            if mine:
                attempt_id = str(mine[0].attempt)
            else:
                seed = secrets.token_hex(8)
                paper = assemble(exam, banks, seed, exclude=A.seen_items(created, candidate),
                                 question_types=question_types())
                attempt_id = f"A-{secrets.token_hex(6)}"
                self._ledger.append(A.ATTEMPT_CREATED, {
                    "attempt": attempt_id, "sitting": sitting.id, "exam": exam.id,
                    "candidate": candidate, "seed": seed,
                    "parts": [p.part_id for p in paper.parts],
                    "paper": [p.item_keys for p in paper.parts],
                    "presentation": {pi.item_key: pi.presentation
                                     for p in paper.parts for pi in p.items},
                }, actor="system", attempt=attempt_id)
            self._initial_pull(sitting.id, attempt_id)
            self._acquire_lease()
        self._language = language or self._state.language or self.centre.config().get(
            "centre", {}).get("language", exam.language) or "hu"
        self._build_parts(banks)
        self.identity = Identity(candidate, name, exam.title, self.seat, sitting.id, attempt_id)
        self._counter = {p: float(ms) for p, ms in self._state.consumed_ms.items()}
        self._dv = self._ledger.data_version()
        if not self._state.finished:
            body: dict[str, Any] = {"seat": self.seat, "session": self.session_id,
                                    "language": self._language}
            if self.peer_uid is not None:
                # Who connected (SO_PEERCRED): every later event of this session is theirs.
                body["peer_uid"] = self.peer_uid
            self._write([NewEvent(A.LOGGED_IN, body, self._actor, attempt_id)])
        self._sync_mark()
        # Warnings already passed before this login (a resume) are not repeated.
        for part in self.parts:
            self._warned[part.id] = set(timing.crossed(self._thresholds(part.id),
                                                       self._remaining_ms(part.id)))

    def _build_parts(self, banks: dict[str, Any]) -> None:
        from kiosk.domain.banks import all_items

        items = all_items(list(banks.values()))
        extras = timing.accommodation_split(
            [p.minutes for p in self.exam.parts], self._candidate_extra(),
            str(self.exam.extra.get("accommodation", "first")))
        by_id = {p.id: (i, p) for i, p in enumerate(self.exam.parts)}
        self._extra_minutes = []
        parts = []
        for part_id, keys in zip(self._state.parts, self._state.paper, strict=False):
            if part_id not in by_id:
                raise KioskError(f"attempt {self._state.attempt}: part {part_id!r} is not in the "
                                 f"loaded exam {self.exam.id!r} (was it replaced?)")
            i, part = by_id[part_id]
            views = []
            for key in keys:
                if key not in items:
                    raise KioskError(f"attempt {self._state.attempt}: item {key!r} is not in the "
                                     f"loaded banks of exam {self.exam.id!r} (was it replaced?)")
                self._items[key] = items[key]
                views.append(PaperItemView(key, items[key],
                                           dict(self._state.presentation.get(key, {}))))
            self._extra_minutes.append(extras[i])
            parts.append(SessionPart(part.id, part.title, float(part.minutes), views,
                                     float(extras[i])))
        self.parts = parts

    def _candidate_extra(self) -> float:
        candidate = roster(self._ledger).get(self._state.candidate)
        return float(candidate.accommodations.extra_minutes) if candidate else 0.0

    @property
    def _actor(self) -> str:
        return f"candidate:{self._state.candidate}"

    @property
    def attempt_id(self) -> str:
        return self._state.attempt

    @property
    def language(self) -> str:
        return self._language

    @property
    def state(self) -> AttemptState:
        """The folded state including pending (unsaved) changes."""
        return self._opt

    @property
    def receipt(self) -> str | None:
        h = self._state.submitted_hash
        return receipt_code(h) if h else None

    # -- the lease ------------------------------------------------------------------------

    def _lease_conn(self) -> sqlite3.Connection:
        if self._lease is None:
            conn = sqlite3.connect(self._ledger.path, timeout=self._busy, isolation_level=None,
                                   check_same_thread=False)
            conn.execute(f"PRAGMA busy_timeout={int(self._busy * 1000)}")
            self._lease = conn
        return self._lease

    def _lease_live(self, row: tuple[Any, ...]) -> bool:
        _session, _seat, host, pid, heartbeat = row
        if abs(time.time() - float(heartbeat)) >= LEASE_TTL_S:
            return False
        return host != self.host or _pid_alive(int(pid))

    def _acquire_lease(self) -> None:
        conn = self._lease_conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(LEASE_SCHEMA)
            row = conn.execute("SELECT session, seat, host, pid, heartbeat FROM sessions "
                               "WHERE attempt = ?", (self._state.attempt,)).fetchone()
            moved_here = self._state.moved_to == self.seat
            if row is not None and self._lease_live(row) and not (moved_here and row[1] != self.seat):
                raise SessionElsewhere(
                    f"This exam is already open on another terminal (seat {row[1]}). "
                    "Please call the invigilator.")
            conn.execute("INSERT OR REPLACE INTO sessions (attempt, session, seat, host, pid, "
                         "heartbeat) VALUES (?, ?, ?, ?, ?, ?)",
                         (self._state.attempt, self.session_id, self.seat, self.host,
                          os.getpid(), time.time()))
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        self._last_heartbeat = time.monotonic()

    def _check_lease(self) -> None:
        row = self._lease_conn().execute(
            "SELECT session, seat FROM sessions WHERE attempt = ?", (self._state.attempt,)
        ).fetchone()
        if row is not None and row[0] != self.session_id:
            raise SessionElsewhere(f"This exam was moved to seat {row[1]}.")

    def _heartbeat(self) -> None:
        cur = self._lease_conn().execute(
            "UPDATE sessions SET heartbeat = ? WHERE attempt = ? AND session = ?",
            (time.time(), self._state.attempt, self.session_id))
        if cur.rowcount == 0:
            self._check_lease()
            # The row vanished (cleared by an administrator): take it again.
            self._acquire_lease()
        self._last_heartbeat = time.monotonic()

    def _release_lease(self) -> None:
        if self._lease is None:
            return
        try:
            self._lease.execute("DELETE FROM sessions WHERE attempt = ? AND session = ?",
                                (self._state.attempt, self.session_id))
        except sqlite3.Error:
            pass  # the lease expires on its own
        finally:
            self._lease.close()
            self._lease = None

    # -- reading the ledger ---------------------------------------------------------------

    def _mine(self, event: Event) -> bool:
        if event.attempt is not None:
            return event.attempt == self._state.attempt
        return event.kind in A.SITTING_WIDE and event.body.get("sitting") == self._state.sitting

    def _initial_pull(self, sitting: str, attempt: str) -> None:
        # Sitting and attempt known up front: sitting-wide events may precede attempt_created.
        self._state = AttemptState(attempt=attempt, sitting=sitting)
        self._seen_seq = 0
        self._pull()
        self._rebuild_opt()

    def _pull(self) -> bool:
        changed = False
        upto = self._ledger.head_seq()
        for event in self._ledger.attempt_events(self._state.attempt, A.SITTING_WIDE,
                                                 after=self._seen_seq, upto=upto):
            if self._mine(event):
                fold_attempt(self._state, event)
                changed = True
        self._seen_seq = max(self._seen_seq, upto)
        if changed:
            self._rebuild_opt()
        return changed

    def _rebuild_opt(self) -> None:
        if not self._pending:
            self._opt = self._state
            return
        opt = self._state.copy()
        for n in self._pending:
            fold_attempt(opt, Event(self._state.last_seq, "", n.actor, n.attempt, n.kind,
                                    n.body, "", ""))
        self._opt = opt

    @_locked
    def refresh(self) -> bool:
        """Fold events other processes appended (a pause, an extension). Cheap when nothing
        changed. True when the attempt's state changed."""
        self._ensure_open()
        try:
            version = self._ledger.data_version()
            if version == self._dv:
                return False
            self._charge()
            was_running = self._opt.clock_runs
            changed = self._pull()
            # Only now: a failed pull must be retried by the next refresh.
            self._dv = version
        except sqlite3.OperationalError:
            return False
        self._sync_mark()
        if changed and self._opt.moved_to not in (None, self.seat):
            self._check_lease()  # moved to another seat: SessionElsewhere once it took over
        if changed and was_running and not self._opt.clock_runs:
            # Record where the clock stopped, so a crash during the pause cannot cost time.
            self._persist_time()
        return changed

    # -- time -----------------------------------------------------------------------------

    def _charge(self) -> None:
        now = self._clock()
        part = self._opt.current_part
        if self._mark is not None and part is not None:
            self._counter[part] = self._counter.get(part, 0.0) + max(0.0, now - self._mark) * 1000
        self._mark = now if self._opt.clock_runs else None

    def _sync_mark(self) -> None:
        if not self._opt.clock_runs:
            self._mark = None
        elif self._mark is None:
            self._mark = self._clock()

    def _part_pos(self, part: str) -> int:
        return self._opt.parts.index(part)

    def _allowance_ms(self, part: str) -> int:
        i = self._part_pos(part)
        return timing.allowance_ms(self.parts[i].minutes, self._extra_minutes[i],
                                   self._opt.extensions_ms.get(part, 0))

    def _consumed_ms(self, part: str) -> int:
        return int(max(self._counter.get(part, 0.0), self._opt.consumed_ms.get(part, 0)))

    def _remaining_ms(self, part: str) -> int:
        return max(0, self._allowance_ms(part) - self._consumed_ms(part))

    def _thresholds(self, part: str) -> list[int]:
        return timing.warning_thresholds(self.exam.warnings, self._allowance_ms(part))

    @_locked
    def remaining_s(self, part_id: str | None = None) -> float:
        """Remaining seconds of a part (default: the current one)."""
        part = part_id or self._opt.current_part
        if part is None:
            return 0.0
        self._charge()
        return self._remaining_ms(part) / 1000

    # -- writing --------------------------------------------------------------------------

    def _event(self, kind: str, body: dict[str, Any], actor: str | None = None) -> NewEvent:
        return NewEvent(kind, body, actor or self._actor, self._state.attempt)

    def _write(self, new: list[NewEvent]) -> None:
        for n in new:
            self._queue(n)
        try:
            self._flush()
        finally:
            # After a failed flush the pending changes are folded into the shown state; after a
            # successful one nothing is pending and no copy is made.
            self._rebuild_opt()

    def _queue(self, n: NewEvent) -> None:
        if n.kind == A.ANSWER:
            for i, old in enumerate(self._pending):
                if old.kind == A.ANSWER and old.body.get("item") == n.body.get("item"):
                    # Last write wins: an unsaved earlier answer to the same item is replaced.
                    del self._pending[i]
                    break
        self._pending.append(n)

    def _flush(self) -> None:
        if not self._pending:
            return
        try:
            self._check_lease()
            written = self._ledger.append_many(list(self._pending))
        except sqlite3.OperationalError as exc:
            raise _not_saved(exc) from None
        except OSError as exc:
            raise _not_saved(exc) from None
        self._pending.clear()
        # Inside the service's group commit the events are durable only after its COMMIT.
        self._ledger.after_commit(lambda: _notify_lifecycle(written))
        self._last_persist = self._clock()
        self._absorb(written)
        self._rebuild_opt()

    def _safe_dv(self) -> int:
        try:
            return self._ledger.data_version()
        except sqlite3.OperationalError:
            return self._dv

    @_locked
    def retry_pending(self) -> bool:
        """Try to save pending changes again; True when nothing is pending any more."""
        self._ensure_open()
        self._charge()
        try:
            self._flush()
        except NotSaved:
            return False
        self._sync_mark()
        return True

    @property
    def unsaved(self) -> int:
        return len(self._pending)

    def _persist_time(self) -> None:
        """A time_tick for the current part; not kept when it cannot be written (the next saved
        event carries the time, and unsaved seconds are never charged after a crash)."""
        part = self._opt.current_part
        if part is None or self._pending:
            return
        try:
            self._check_lease()
            written = self._ledger.append(A.TICK, {"part": part,
                                                   "consumed_ms": self._consumed_ms(part)},
                                          actor=self._actor, attempt=self._state.attempt)
        except (sqlite3.OperationalError, OSError):
            return
        self._last_persist = self._clock()
        self._absorb([written])

    def _absorb(self, written: list[Event]) -> None:
        """Fold what this session just wrote (and whatever others wrote before it)."""
        self._dv = self._safe_dv()
        self._pull()

    # -- the candidate's actions ----------------------------------------------------------

    def _ensure_open(self) -> None:
        if self._closed:
            raise KioskError("the session is closed")

    def _require_running(self) -> str:
        self._ensure_open()
        opt = self._opt
        if opt.voided:
            raise NotInProgress("This attempt was voided by the invigilator.")
        if opt.finished:
            raise NotInProgress("This attempt is already submitted.")
        if not opt.started:
            raise NotInProgress("The exam has not started yet.")
        part = opt.current_part
        if part is None:
            raise NotInProgress("No part of this exam is open.")
        return part

    def _open_item(self, item_key: str) -> str:
        part = self._require_running()
        owner = self._opt.part_of(item_key)
        if owner is None:
            raise KioskError(f"item {item_key!r} is not on this paper")
        if owner != part:
            raise PartClosed(f"item {item_key!r} belongs to part {owner!r}, which is "
                             + ("submitted" if owner in self._opt.submitted_parts
                                else "not open yet"))
        return part

    @_locked
    def start(self) -> None:
        """Self-start when the sitting allows it; otherwise the candidate waits for the
        invigilator (this returns without starting: watch view().status)."""
        self._ensure_open()
        self._charge()
        if self._opt.started or self._opt.finished:
            return
        if not (self._sitting.self_start or self.exam.self_start):
            return
        first = self._opt.parts[0] if self._opt.parts else ""
        self._write([self._event(A.STARTED, {"part": first})])
        self._sync_mark()

    @property
    def can_self_start(self) -> bool:
        return bool(self._sitting.self_start or self.exam.self_start)

    @_locked
    def save_answer(self, item_key: str, response: Any) -> None:
        """Durable before returning; NotSaved (change kept pending) when the ledger fails."""
        self._charge()
        part = self._open_item(item_key)
        if item_key in self._opt.answers and self._opt.answers[item_key] == response \
                and not self._pending:
            return
        self._write([self._event(A.ANSWER, {"part": part, "item": item_key,
                                            "response": response,
                                            "consumed_ms": self._consumed_ms(part)})])

    @_locked
    def set_flag(self, item_key: str, flagged: bool) -> None:
        self._charge()
        part = self._open_item(item_key)
        if (item_key in self._opt.flags) == bool(flagged):
            return
        self._write([self._event(A.FLAG, {"part": part, "item": item_key,
                                          "flagged": bool(flagged),
                                          "consumed_ms": self._consumed_ms(part)})])

    @_locked
    def goto(self, index: int) -> None:
        self._charge()
        part = self._require_running()
        count = len(self._opt.part_items(part))
        if not 0 <= index < count:
            raise KioskError(f"question {index + 1} does not exist (1–{count})")
        if index == self._opt.index:
            return
        self._write([self._event(A.NAVIGATED, {"part": part, "index": index,
                                               "consumed_ms": self._consumed_ms(part)})])

    def _submission(self, parts: list[str], reason: str, actor: str | None = None
                    ) -> list[NewEvent]:
        events = [self._event(A.PART_SUBMITTED, {
            "part": p, "reason": reason, "consumed_ms": min(self._consumed_ms(p),
                                                            self._allowance_ms(p))}, actor)
            for p in parts]
        remaining = [p for p in self._opt.parts if p not in self._opt.submitted_parts
                     and p not in parts]
        if not remaining:
            events.append(self._event(A.SUBMITTED, {"reason": reason}, actor))
        return events

    @_locked
    def submit_part(self, reason: str = "candidate") -> None:
        """Close the current part and move to the next (its clock starts); after the last part
        this submits the attempt."""
        self._charge()
        part = self._require_running()
        self._write(self._submission([part], reason))
        self._sync_mark()

    @_locked
    def submit(self, reason: str = "candidate") -> str:
        """Submit the attempt (every part not yet submitted); returns the receipt code."""
        self._ensure_open()
        self._charge()
        if not self._state.submitted:
            if not self._opt.submitted:
                part = self._require_running()
                open_parts = [p for p in self._opt.parts[self._part_pos(part):]
                              if p not in self._opt.submitted_parts]
                self._write(self._submission(open_parts, reason))
            else:
                self._flush()
        self._sync_mark()
        receipt = self.receipt
        assert receipt is not None
        return receipt

    @_locked
    def tick(self) -> AttemptView:
        """Call about once a second: charges time, folds others' events, retries pending
        changes, persists the time at least every 5 s and submits at zero."""
        self._ensure_open()
        self._charge()
        self.refresh()
        now = self._clock()
        # Liveness is real time (the lease compares wall clocks); the exam clock may be injected.
        if time.monotonic() - self._last_heartbeat >= HEARTBEAT_EVERY_S:
            try:
                self._heartbeat()
            except sqlite3.OperationalError:
                pass
        if self._pending:
            try:
                self._flush()
            except NotSaved:
                pass
        self._charge()
        part = self._opt.current_part
        if self._opt.clock_runs and part is not None:
            if self._remaining_ms(part) <= 0:
                self._counter[part] = float(self._allowance_ms(part))
                try:
                    self._write(self._submission([part], "timeout", actor="system"))
                except NotSaved:
                    pass
                self._sync_mark()
            elif now - self._last_persist >= self._persist_every:
                self._persist_time()
        return self.view()

    @_locked
    def view(self) -> AttemptView:
        """The attempt as the candidate sees it, pending changes included. Each time warning
        (minutes, see exam.warnings) is delivered once, by whichever view() or tick() first
        sees it reached."""
        self._charge()
        opt = self._opt
        part = opt.current_part
        remaining = self._remaining_ms(part) if part is not None else 0
        due: list[int] = []
        if part is not None and opt.clock_runs:
            warned = self._warned.setdefault(part, set())
            due = [m for m in timing.crossed(self._thresholds(part), remaining) if m not in warned]
            warned.update(due)
        return AttemptView(
            status=opt.status, part_index=min(opt.part_index, max(0, len(opt.parts) - 1)),
            index=opt.index, answers=dict(opt.answers), flags=set(opt.flags),
            remaining_s=remaining / 1000, paused=opt.paused, suspended=opt.suspended,
            warnings_due=due, part_id=part, unsaved=len(self._pending), receipt=self.receipt,
            away=opt.away, submitted_parts=tuple(opt.submitted_parts),
            messages=tuple(opt.messages),
        )

    # -- after submission -----------------------------------------------------------------

    @_locked
    def result(self) -> Result | None:
        """Points, percentage and grade as `kiosk results` computes them (the one result path,
        `kiosk.results.compute_results`, regime included); None unless the exam shows scores
        and the attempt is submitted."""
        if not self.exam.show_score or not self._state.submitted or self._state.voided:
            return None
        return attempt_result(self._ledger, self.exam.id, self._state.attempt,
                              exams={self.exam.id: self._content(self.exam.id)},
                              language=self._language)

    @_locked
    def exit_with_pin(self, pin: str) -> bool:
        """True when `pin` is the centre's exit PIN; records `kiosk_exit` (never the PIN)."""
        from kiosk.exit_pin import check_pin

        self._ensure_open()
        self._charge()
        self._persist_time()
        ok = check_pin(self.centre, pin)
        _append_exit(self._ledger, ok, self.seat, self._state.attempt)
        return ok

    @_locked
    def close(self, *, force: bool = False) -> None:
        """Persist the time, release the terminal lease and close the ledger. Raises NotSaved
        (and stays open) while changes are pending, unless `force`."""
        if self._closed:
            return
        self._charge()
        if self._pending:
            try:
                self._flush()
            except KioskError:
                if not force:
                    raise
        else:
            self._persist_time()
        self._release_lease()
        self._closed = True
        self._close_ledger()

    def _close_ledger(self) -> None:
        self._ledger.close()

    def __enter__(self) -> CandidateSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close(force=True)


def attempt_result(ledger: Ledger, exam_id: str, attempt: str, *, exams: dict[str, Any],
                   language: str) -> Result | None:
    """One attempt's result from the same computation as `kiosk results`."""
    from kiosk.results import compute_results

    for r in compute_results(ledger, exam_id, exams=exams, language=language):
        if r.attempt == attempt or attempt in r.attempts:
            if r.error:
                return None
            parts = [PartResult(p.part_id, p.title, p.points or 0.0, p.max_points or 0.0,
                                p.percent or 0.0, p.passed) for p in r.parts]
            return Result(r.points or 0.0, r.max_points or 0.0, r.percent or 0.0, r.grade,
                          r.grade_name or None, r.passed, r.provisional, parts, r.rounding)
    return None


def _closed_sitting_matches(ledger: Ledger, candidate_id: str, code: str) -> bool:
    """Is there a closed sitting of this candidate whose access code is `code`?"""
    wanted = candidate_id.strip().casefold()
    candidate = next((c for c in roster(ledger).values() if c.id.casefold() == wanted), None)
    closed = [] if candidate is None else [
        s for s in sittings(ledger.events(kind=SITTING_KINDS)).values()
        if not s.open and s.has(candidate.id)]
    if not closed:
        burn_check()  # as long as one check: the time does not tell whether the id exists
        return False
    return any([code_matches(s, code) for s in closed])  # every one checked, as in _find_sitting


#: (candidate id casefolded) -> (the registered candidate or None, every sitting)
Lookup = Callable[[str], tuple[Any, Iterable[Sitting]]]


def _lookup(ledger: Ledger) -> Lookup:
    def lookup(wanted: str) -> tuple[Any, Iterable[Sitting]]:
        candidate = next((c for c in roster(ledger).values() if c.id.casefold() == wanted), None)
        if candidate is None:
            return None, ()
        return candidate, sittings(ledger.events(kind=SITTING_KINDS)).values()

    return lookup


def _find_sitting(ledger: Ledger, candidate_id: str, code: str, *, lookup: Lookup | None = None,
                  check: Callable[[Sitting, str], bool] | None = None
                  ) -> tuple[Sitting, str, str] | None:
    """(sitting, candidate id as registered, name) for an open sitting of this candidate whose
    code matches; every candidate sitting's code is checked so the time taken does not tell.
    The centre service passes its incremental roster/sitting index (`lookup`) and its cache of
    verified room codes (`check`); by default both are read and checked here."""
    wanted = candidate_id.strip().casefold()
    candidate, every_sitting = (lookup or _lookup(ledger))(wanted)
    check = check or code_matches
    found: list[Sitting] = []
    if candidate is not None:
        every = list(every_sitting)
        open_sittings = [s for s in every if s.open and s.has(candidate.id)]
        closed = [s for s in every if not s.open and s.has(candidate.id)]
        if closed:
            # Betekintés: a closed sitting still admits those who submitted there while their
            # exam's review window is open (the paper is read-only by then).
            from kiosk.paper_review import REVIEW_KINDS, review_only

            open_sittings += review_only(closed, ledger.events(kind=(
                A.ATTEMPT_CREATED, A.SUBMITTED, A.VOIDED, *REVIEW_KINDS)), candidate.id)
        for sitting in open_sittings:
            if check(sitting, code):
                found.append(sitting)
        if not open_sittings:
            burn_check()
    else:
        burn_check()
    if candidate is None or not found:
        return None
    best = max(found, key=lambda s: s.seq)
    return best, candidate.id, candidate.name

