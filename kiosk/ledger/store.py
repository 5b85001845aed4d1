"""The append-only event store: one SQLite file shared by many processes.

Appends run under BEGIN IMMEDIATE (one writer at a time, others wait on the busy timeout), so
the chain never forks: each event's prev_hash is read and its hash written in one transaction.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.errors import KioskError
from kiosk.ledger import keys
from kiosk.ledger.canonical import GENESIS_PREV, canonical_json, checkpoint_message, event_hash

FORMAT_VERSION = 1
BUSY_TIMEOUT_MS = 30_000
#: No event stays unsigned longer than this (seconds) while its appending process lives.
CHECKPOINT_INTERVAL = 1.0
#: Kinds that are signed in the same transaction: results must never rest on an unsigned event.
SEALING_KINDS = frozenset(
    {"genesis", "attempt_submitted", "part_submitted", "marked", "remarked", "exported",
     "appeal_decided", "sitting_closed"}
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY,
    ts TEXT NOT NULL,
    actor TEXT NOT NULL,
    attempt TEXT,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE
);
CREATE INDEX IF NOT EXISTS events_attempt ON events(attempt, seq);
CREATE INDEX IF NOT EXISTS events_kind ON events(kind, seq);
CREATE TABLE IF NOT EXISTS checkpoints (
    id INTEGER PRIMARY KEY,
    upto_seq INTEGER NOT NULL,
    head_hash TEXT NOT NULL,
    ts TEXT NOT NULL,
    key_fingerprint TEXT NOT NULL,
    signature TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'ledger is append-only: events cannot be updated'); END;
CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'ledger is append-only: events cannot be deleted'); END;
CREATE TRIGGER IF NOT EXISTS checkpoints_no_update BEFORE UPDATE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'ledger is append-only: checkpoints cannot be updated'); END;
CREATE TRIGGER IF NOT EXISTS checkpoints_no_delete BEFORE DELETE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'ledger is append-only: checkpoints cannot be deleted'); END;
CREATE TRIGGER IF NOT EXISTS meta_no_update BEFORE UPDATE ON meta
BEGIN SELECT RAISE(ABORT, 'ledger is append-only: meta cannot be updated'); END;
CREATE TRIGGER IF NOT EXISTS meta_no_delete BEFORE DELETE ON meta
BEGIN SELECT RAISE(ABORT, 'ledger is append-only: meta cannot be deleted'); END;
"""


@dataclass(frozen=True)
class Event:
    seq: int
    ts: str
    actor: str
    attempt: str | None
    kind: str
    body: dict[str, Any]
    prev_hash: str
    hash: str

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> Event:
        seq, ts, actor, attempt, kind, body, prev_hash, hash_ = row
        return cls(seq, ts, actor, attempt, kind, json.loads(body), prev_hash, hash_)


@dataclass(frozen=True)
class NewEvent:
    kind: str
    body: dict[str, Any]
    actor: str
    attempt: str | None = None


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    """A connection with the ledger's pragmas. Raises KioskError for a non-ledger/corrupt file."""
    if not path.exists():
        raise KioskError(f"{path}: no ledger here")
    try:
        if readonly:
            conn = sqlite3.connect(
                f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000,
                isolation_level=None, check_same_thread=False,
            )
        else:
            conn = sqlite3.connect(
                path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
            )
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        if not readonly:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as exc:
        raise KioskError(f"{path}: not a ledger database or corrupt ({exc})") from exc
    if not {"events", "checkpoints", "meta"} <= tables:
        conn.close()
        raise KioskError(f"{path}: not a kiosk ledger (tables missing)")
    return conn


def check_integrity(conn: sqlite3.Connection, path: Path) -> None:
    """KioskError if SQLite finds the file damaged (`PRAGMA quick_check`)."""
    try:
        result = [r[0] for r in conn.execute("PRAGMA quick_check")]
    except sqlite3.DatabaseError as exc:
        raise KioskError(f"{path}: the ledger is corrupt ({exc}); run `kiosk verify`") from exc
    if result != ["ok"]:
        first = " ".join(result[0].split())
        raise KioskError(f"{path}: the ledger is corrupt ({first}); run `kiosk verify`")


def create(path: Path) -> None:
    """Create an empty ledger file with schema and triggers."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.executescript(SCHEMA)
        # Imported here: sqlite-utils pulls in heavy modules that every `kiosk` start would pay.
        import sqlite_utils

        db = sqlite_utils.Database(conn)
        db["meta"].insert({"key": "format", "value": str(FORMAT_VERSION)})
    finally:
        conn.close()


T = TypeVar("T")


class Ledger:
    """Append, read and fold events. One instance per process (thread-safe within it)."""

    def __init__(
        self,
        path: Path,
        signer: Ed25519PrivateKey | None = None,
        *,
        readonly: bool = False,
        auto_seal: bool = True,
    ) -> None:
        self.path = Path(path)
        self.readonly = readonly or signer is None
        self.conn = connect(self.path, readonly=self.readonly)
        self._signer = signer
        self._fingerprint = keys.fingerprint(signer.public_key()) if signer else ""
        self._lock = threading.RLock()
        self._auto_seal = auto_seal
        self._timer: threading.Timer | None = None
        self._last_appended = 0
        self._closed = False
        #: Set while `transaction()` holds the write lock: appends join it (see there).
        self._tx_open = False
        self._tx_appended = False
        self._after_commit: list[Callable[[], None]] = []
        if not self.readonly:
            # Never write into a damaged file: a write could make the damage worse.
            try:
                check_integrity(self.conn, self.path)
            except BaseException:
                self.conn.close()
                raise
            # A crash may have left the tail unsigned: the next writer seals it (a recovery
            # checkpoint), so no event stays unsigned beyond the crash.
            self.seal()

    # -- writing -----------------------------------------------------------------------------

    def append(
        self,
        kind: str,
        body: dict[str, Any],
        *,
        actor: str,
        attempt: str | None = None,
        seal: bool | None = None,
    ) -> Event:
        """Durably append one event; returns only after COMMIT (synchronous=FULL)."""
        return self.append_many([NewEvent(kind, body, actor, attempt)], seal=seal)[0]

    def append_many(self, new: list[NewEvent], *, seal: bool | None = None) -> list[Event]:
        """Append several events in one transaction: all of them or none (e.g. a roster)."""
        if self.readonly or self._signer is None:
            raise KioskError("ledger opened read-only: cannot append")
        texts = [canonical_json(n.body) for n in new]
        out: list[Event] = []
        with self._lock:
            if self._tx_open:
                return self._append_in_transaction(new, texts)
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                row = self.conn.execute(
                    "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1"
                ).fetchone()
                seq, prev = (row[0], row[1]) if row else (0, GENESIS_PREV)
                for n, body_text in zip(new, texts, strict=True):
                    seq += 1
                    ts = utc_now()
                    digest = event_hash(prev, seq, ts, n.actor, n.attempt, n.kind, body_text)
                    self.conn.execute(
                        "INSERT INTO events (seq, ts, actor, attempt, kind, body, prev_hash, hash)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (seq, ts, n.actor, n.attempt, n.kind, body_text, prev, digest),
                    )
                    out.append(Event(seq, ts, n.actor, n.attempt, n.kind, json.loads(body_text), prev, digest))
                    prev = digest
                must_seal = seal if seal is not None else self._checkpoint_due(new)
                if must_seal and out:
                    self._write_checkpoint(seq, prev)
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
            if out:
                self._last_appended = out[-1].seq
            if not must_seal:
                self._schedule_seal()
        return out

    def _append_in_transaction(self, new: list[NewEvent], texts: list[str]) -> list[Event]:
        """Inside `transaction()`: insert only; the transaction signs and commits once."""
        out: list[Event] = []
        row = self.conn.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
        seq, prev = (row[0], row[1]) if row else (0, GENESIS_PREV)
        for n, body_text in zip(new, texts, strict=True):
            seq += 1
            ts = utc_now()
            digest = event_hash(prev, seq, ts, n.actor, n.attempt, n.kind, body_text)
            self.conn.execute(
                "INSERT INTO events (seq, ts, actor, attempt, kind, body, prev_hash, hash)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (seq, ts, n.actor, n.attempt, n.kind, body_text, prev, digest),
            )
            out.append(Event(seq, ts, n.actor, n.attempt, n.kind, json.loads(body_text), prev, digest))
            prev = digest
        if out:
            self._tx_appended = True
        return out

    @contextmanager
    def transaction(self) -> Iterator[Ledger]:
        """One write transaction for many appends (the centre service's group commit):
        BEGIN IMMEDIATE; appends and reads inside see each other; on leaving, one checkpoint
        signs the new head and COMMIT makes it durable; an exception rolls everything back.
        Callbacks given to `after_commit` inside run only once the COMMIT succeeded."""
        if self.readonly or self._signer is None:
            raise KioskError("ledger opened read-only: cannot append")
        with self._lock:
            if self._tx_open:
                raise KioskError("a ledger transaction is already open")
            self.conn.execute("BEGIN IMMEDIATE")
            self._tx_open, self._tx_appended, self._after_commit = True, False, []
            try:
                yield self
                if self._tx_appended:
                    head = self.conn.execute(
                        "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
                    self._write_checkpoint(head[0], head[1])
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                self._after_commit = []
                raise
            finally:
                self._tx_open = False
            if self._tx_appended:
                self._last_appended = self.head_seq()
            callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            callback()

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run `callback` once the events appended so far are durable (now, outside a
        transaction)."""
        if self._tx_open:
            self._after_commit.append(callback)
        else:
            callback()

    def _checkpoint_due(self, new: list[NewEvent]) -> bool:
        if any(n.kind in SEALING_KINDS for n in new):
            return True
        row = self.conn.execute("SELECT ts FROM checkpoints ORDER BY id DESC LIMIT 1").fetchone()
        if row is None:
            return True
        last = datetime.strptime(row[0], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
        age = (datetime.now(UTC) - last).total_seconds()
        # A clock set backwards gives a negative age: sign rather than trust it.
        return age >= CHECKPOINT_INTERVAL or age < 0

    def _write_checkpoint(self, upto_seq: int, head_hash: str) -> None:
        assert self._signer is not None
        row = self.conn.execute("SELECT id FROM checkpoints ORDER BY id DESC LIMIT 1").fetchone()
        cp_id = (row[0] + 1) if row else 1
        ts = utc_now()
        signature = keys.sign(self._signer, checkpoint_message(cp_id, upto_seq, head_hash, ts))
        self.conn.execute(
            "INSERT INTO checkpoints (id, upto_seq, head_hash, ts, key_fingerprint, signature)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (cp_id, upto_seq, head_hash, ts, self._fingerprint, signature),
        )

    def seal(self, *, covering: int | None = None) -> bool:
        """Sign a checkpoint over the head if any event is not yet covered. True if it signed.

        With `covering`, sign only if no checkpoint covers that event yet: with hundreds of
        processes appending, each one's timer would otherwise sign the moving head every second.
        """
        if self.readonly or self._closed:
            return False
        with self._lock:
            self._timer = None
            if covering is not None and self._covered_upto() >= covering:
                return False
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                head = self.conn.execute(
                    "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1"
                ).fetchone()
                last = self.conn.execute(
                    "SELECT upto_seq FROM checkpoints ORDER BY id DESC LIMIT 1"
                ).fetchone()
                signed = head is not None and (last is None or last[0] < head[0])
                if signed:
                    self._write_checkpoint(head[0], head[1])
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
        return signed

    def _covered_upto(self) -> int:
        row = self.conn.execute("SELECT upto_seq FROM checkpoints ORDER BY id DESC LIMIT 1").fetchone()
        return int(row[0]) if row else 0

    def _schedule_seal(self) -> None:
        if not self._auto_seal or self._timer is not None:
            return
        timer = threading.Timer(CHECKPOINT_INTERVAL, self._seal_quietly)
        timer.daemon = True
        self._timer = timer
        timer.start()

    def _seal_quietly(self) -> None:
        try:
            self.seal(covering=self._last_appended)
        except Exception:
            # Locked or out of space: the next append or open seals instead.
            self._timer = None

    def close(self) -> None:
        if self._closed:
            return
        timer = self._timer
        if timer is not None:
            timer.cancel()
        if not self.readonly:
            try:
                self.seal()
            except Exception:
                pass
        self._closed = True
        self.conn.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading -----------------------------------------------------------------------------

    def events(
        self,
        *,
        kind: str | Iterable[str] | None = None,
        attempt: str | None = None,
        after: int = 0,
    ) -> Iterator[Event]:
        sql = "SELECT seq, ts, actor, attempt, kind, body, prev_hash, hash FROM events WHERE seq > ?"
        params: list[Any] = [after]
        if kind is not None:
            kinds = [kind] if isinstance(kind, str) else list(kind)
            sql += f" AND kind IN ({','.join('?' * len(kinds))})"
            params += kinds
        if attempt is not None:
            sql += " AND attempt = ?"
            params.append(attempt)
        sql += " ORDER BY seq"
        with self._lock:
            rows = self.conn.execute(sql, params).fetchall()
        for row in rows:
            yield Event.from_row(row)

    def attempt_events(
        self, attempt: str, wide_kinds: Iterable[str], *, after: int = 0, upto: int | None = None
    ) -> Iterator[Event]:
        """One attempt's events plus attempt-less events of `wide_kinds` (sitting-wide pauses,
        extensions), in order. A candidate process reads only these: with hundreds of
        candidates, parsing everyone's events would cost each process the whole room's load."""
        kinds = list(wide_kinds)
        sql = (
            "SELECT seq, ts, actor, attempt, kind, body, prev_hash, hash FROM events"
            " WHERE seq > ? AND seq <= ? AND (attempt = ?"
            f" OR (attempt IS NULL AND kind IN ({','.join('?' * len(kinds))}))) ORDER BY seq"
        )
        with self._lock:
            rows = self.conn.execute(
                sql, [after, upto if upto is not None else 2**62, attempt, *kinds]
            ).fetchall()
        for row in rows:
            yield Event.from_row(row)

    def head_seq(self) -> int:
        with self._lock:
            row = self.conn.execute("SELECT MAX(seq) FROM events").fetchone()
        return int(row[0] or 0)

    def head(self) -> Event | None:
        with self._lock:
            row = self.conn.execute(
                "SELECT seq, ts, actor, attempt, kind, body, prev_hash, hash FROM events"
                " ORDER BY seq DESC LIMIT 1"
            ).fetchone()
        return Event.from_row(row) if row else None

    def get(self, seq: int) -> Event | None:
        with self._lock:
            row = self.conn.execute(
                "SELECT seq, ts, actor, attempt, kind, body, prev_hash, hash FROM events WHERE seq = ?",
                (seq,),
            ).fetchone()
        return Event.from_row(row) if row else None

    def count(self) -> int:
        with self._lock:
            return int(self.conn.execute("SELECT COUNT(*) FROM events").fetchone()[0])

    def data_version(self) -> int:
        """Changes whenever another connection commits: cheap polling for live views."""
        with self._lock:
            return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    def fold(
        self,
        reducer: Callable[[T, Event], T],
        initial: T,
        *,
        kind: str | Iterable[str] | None = None,
        attempt: str | None = None,
    ) -> T:
        state = initial
        for event in self.events(kind=kind, attempt=attempt):
            state = reducer(state, event)
        return state
