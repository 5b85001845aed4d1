"""The append-only event store: one SQLite file shared by many processes.

Appends run under BEGIN IMMEDIATE (one writer at a time, others wait on the busy timeout), so
the chain never forks: each event's prev_hash is read and its hash written in one transaction.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kiosk.errors import KioskError
from kiosk.ledger import keys
from kiosk.ledger.canonical import (
    CHECKPOINT_VERSION,
    GENESIS_PREV,
    canonical_json,
    checkpoint_digest,
    checkpoint_message,
    event_hash,
)

FORMAT_VERSION = 1
BUSY_TIMEOUT_MS = 30_000
#: Kinds whose transaction also fsyncs the heads file: results rest on them, so their head
#: must survive a power cut in the second place too (other commits rename it without fsync).
SYNC_ANCHOR_KINDS = frozenset(
    {"genesis", "attempt_submitted", "part_submitted", "marked", "remarked", "exported",
     "appeal_decided", "attempt_voided", "sitting_closed"}
)
#: The signed high-water mark of the head, written beside the ledger after every commit.
HEADS_SUFFIX = ".heads"

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
    signature TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    prev TEXT NOT NULL DEFAULT ''
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


CHECKPOINT_COLUMNS = "id, upto_seq, head_hash, ts, key_fingerprint, signature, version, prev"


class Checkpoint(NamedTuple):
    """A signed checkpoint record: the centre key's signature over the chain head at `upto_seq`.
    (A NamedTuple: verification builds one per checkpoint, and a checkpoint per transaction.)"""

    id: int
    upto_seq: int
    head_hash: str
    ts: str
    key_fingerprint: str
    signature: str
    version: int = 1
    prev: str = ""

    def message(self) -> bytes:
        """The signed bytes; ValueError for an unknown version."""
        return checkpoint_message(self.id, self.upto_seq, self.head_hash, self.ts,
                                  version=self.version, fingerprint=self.key_fingerprint,
                                  prev=self.prev)

    def digest(self) -> str:
        return checkpoint_digest(self.message(), self.signature)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "upto_seq": self.upto_seq, "head_hash": self.head_hash,
                "ts": self.ts, "key_fingerprint": self.key_fingerprint,
                "signature": self.signature, "version": self.version, "prev": self.prev}

    @classmethod
    def from_dict(cls, data: Any) -> Checkpoint:
        """From a heads file or a bundle's checkpoints.jsonl; ValueError if malformed."""
        if not isinstance(data, dict):
            raise ValueError("not an object")
        try:
            cp = cls(data["id"], data["upto_seq"], data["head_hash"], data["ts"],
                     data.get("key_fingerprint", ""), data["signature"],
                     data.get("version", 1), data.get("prev", ""))
        except KeyError as exc:
            raise ValueError(f"field {exc} missing") from None
        ints = (cp.id, cp.upto_seq, cp.version)
        strs = (cp.head_hash, cp.ts, cp.key_fingerprint, cp.signature, cp.prev)
        if not all(type(v) is int for v in ints) or not all(isinstance(v, str) for v in strs):
            raise ValueError("fields of the wrong type")
        return cp


def checkpoint_rows(conn: sqlite3.Connection) -> sqlite3.Cursor:
    """A cursor over every checkpoint record as a plain tuple in CHECKPOINT_COLUMNS order (old
    ledgers' rows read as v1), for streaming through verification."""
    columns = {r[1] for r in conn.execute("PRAGMA table_info(checkpoints)")}
    cols = CHECKPOINT_COLUMNS if {"version", "prev"} <= columns else (
        "id, upto_seq, head_hash, ts, key_fingerprint, signature, 1, ''")
    return conn.execute(f"SELECT {cols} FROM checkpoints ORDER BY id")


def read_checkpoints(conn: sqlite3.Connection, *, last_only: bool = False) -> list[Checkpoint]:
    """Checkpoint records in id order; ledgers from before the v2 format lack the version and
    prev columns (their checkpoints are all v1)."""
    columns = {r[1] for r in conn.execute("PRAGMA table_info(checkpoints)")}
    cols = CHECKPOINT_COLUMNS if {"version", "prev"} <= columns else (
        "id, upto_seq, head_hash, ts, key_fingerprint, signature, 1, ''")
    order = "DESC LIMIT 1" if last_only else ""
    rows = conn.execute(f"SELECT {cols} FROM checkpoints ORDER BY id {order}").fetchall()
    return [Checkpoint(*row) for row in rows]


def heads_path(ledger_path: Path) -> Path:
    """The signed heads file (high-water mark) kept beside a ledger."""
    return ledger_path.with_name(ledger_path.name + HEADS_SUFFIX)


#: A heads file is two fixed-size slots, written in place by turns (checkpoint id parity): a
#: write torn by a power cut damages one slot and the other still holds a signed head. (A
#: rename would be atomic too, but ext4 flushes a file renamed over another at once: an fsync
#: on every save, twice the cost of the durable append itself.)
HEADS_SLOT = 1024


def heads_slot(checkpoint: Checkpoint, ledger_name: str) -> bytes:
    # json.dumps of the whole record costs more than the rest of a save's bookkeeping; every
    # field but the name is hex, base64, digits or the fixed timestamp and fingerprint format,
    # so they are written as they are (read_heads parses and type-checks them all).
    c = checkpoint
    data = (f'{{"checkpoint": {{"head_hash": "{c.head_hash}", "id": {c.id}, '
            f'"key_fingerprint": "{c.key_fingerprint}", "prev": "{c.prev}", '
            f'"signature": "{c.signature}", "ts": "{c.ts}", "upto_seq": {c.upto_seq}, '
            f'"version": {c.version}}}, "format": "kiosk-heads", '
            f'"ledger": {json.dumps(ledger_name)}, "version": 1}}').encode()
    if len(data) >= HEADS_SLOT:
        raise ValueError("checkpoint record too large for a heads slot")
    return data + b" " * (HEADS_SLOT - 1 - len(data)) + b"\n"


def read_heads(path: Path) -> Checkpoint:
    """The newest checkpoint a heads file records (the slot with the highest id that parses);
    KioskError if the file is unreadable or no slot holds a checkpoint."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise KioskError(f"{path}: unreadable heads file ({exc.strerror or exc})") from exc
    found: list[Checkpoint] = []
    reasons: list[str] = []
    for start in range(0, max(len(raw), 1), HEADS_SLOT):
        try:
            data = json.loads(raw[start:start + HEADS_SLOT].decode("utf-8"))
            if not isinstance(data, dict) or data.get("format") != "kiosk-heads":
                raise ValueError("not a kiosk heads record")
            found.append(Checkpoint.from_dict(data.get("checkpoint")))
        except (UnicodeDecodeError, ValueError) as exc:
            reasons.append(str(exc))
    if not found:
        raise KioskError(f"{path}: unreadable heads file ({'; '.join(reasons[:2])})")
    return max(found, key=lambda cp: cp.id)


def utc_now() -> str:
    """`2026-11-21T08:00:00.123456Z`. (isoformat: a third of strftime's cost, twice per save.)"""
    return datetime.now(UTC).isoformat(timespec="microseconds")[:-6] + "Z"


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


@contextmanager
def open_for_reading(path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection that creates no file next to the ledger (verify on a CD or a
    read-only copy; a centre directory stays as it was).

    With no -wal/-shm beside it the file is complete: opened `immutable=1`, SQLite neither
    locks nor creates anything. A live ledger has both: `mode=ro` uses them as they are. A -wal
    without its -shm, or media that refuse even that, is read from a private copy in a
    temporary directory."""
    path = Path(path)
    if not path.is_file():
        raise KioskError(f"{path}: no ledger here")
    wal, shm = (path.with_name(path.name + s) for s in ("-wal", "-shm"))
    has_wal = wal.exists() and wal.stat().st_size > 0
    conn: sqlite3.Connection | None = None
    if shm.exists():
        conn = _try_connect(path.resolve().as_uri() + "?mode=ro", path)
    elif not has_wal:
        conn = _try_connect(path.resolve().as_uri() + "?immutable=1", path)
    if conn is not None:
        try:
            yield conn
        finally:
            conn.close()
        return
    with tempfile.TemporaryDirectory(prefix="kiosk-verify-") as tmp:
        copy = Path(tmp) / path.name
        try:
            shutil.copyfile(path, copy)
            if wal.exists():
                shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
        except OSError as exc:
            raise KioskError(f"{path}: cannot read ({exc.strerror or exc})") from exc
        conn = _try_connect(copy.as_uri() + "?mode=ro", path)
        if conn is None:
            raise KioskError(f"{path}: not a ledger database or corrupt (cannot be opened)")
        try:
            yield conn
        finally:
            conn.close()


def _try_connect(uri: str, path: Path) -> sqlite3.Connection | None:
    try:
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.OperationalError:
        return None  # cannot open here (read-only media, missing -shm): the caller copies
    except sqlite3.DatabaseError as exc:
        raise KioskError(f"{path}: not a ledger database or corrupt ({exc})") from exc
    if not {"events", "checkpoints", "meta"} <= tables:
        conn.close()
        raise KioskError(f"{path}: not a kiosk ledger (tables missing)")
    return conn


def create(path: Path) -> None:
    """Create an empty ledger file with schema and triggers."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.executescript(SCHEMA)
        # Plain SQL like the rest of the ledger: the schema (tables, triggers) is hand-written
        # and checked by `kiosk verify` statement by statement, so a table library adds nothing.
        conn.execute("INSERT INTO meta(key, value) VALUES (?, ?)", ("format", str(FORMAT_VERSION)))
    finally:
        conn.close()


T = TypeVar("T")


class Ledger:
    """Append, read and fold events. One instance per process (thread-safe within it).

    Every write transaction signs a checkpoint over its new head before COMMIT, so no event is
    ever unsigned. A writer refuses to add to a ledger whose head is not covered by a valid
    checkpoint of its own key (events appended behind its back), or that is older than its
    heads file (rolled back): it never signs events it did not write.
    """

    def __init__(
        self,
        path: Path,
        signer: Ed25519PrivateKey | None = None,
        *,
        readonly: bool = False,
        anchors: Iterable[Path] | None = None,
    ) -> None:
        self.path = Path(path)
        self.readonly = readonly or signer is None
        self.conn = connect(self.path, readonly=self.readonly)
        self._signer = signer
        self._public: Ed25519PublicKey | None = signer.public_key() if signer else None
        self._fingerprint = keys.fingerprint(self._public) if self._public else ""
        self._lock = threading.RLock()
        self._closed = False
        #: The newest checkpoint this process has checked or written itself, and its digest.
        self._trusted: Checkpoint | None = None
        self._trusted_digest = ""
        self._head_checkpoint: Checkpoint | None = None
        #: Set while `transaction()` holds the write lock: appends join it.
        self._tx_open = False
        self._tx_sync = False
        self._tx_head: tuple[int, str] = (0, GENESIS_PREV)
        self._tx_head_known = False
        self._after_commit: list[Callable[[], None]] = []
        self.anchors = [heads_path(self.path)] if anchors is None else [Path(a) for a in anchors]
        #: Heads files that could not be written (a missing second medium): reported, not fatal.
        self.anchor_errors: list[str] = []
        self._anchor_fds: dict[Path, int] = {}
        if not self.readonly:
            try:
                # Never write into a damaged file: a write could make the damage worse.
                check_integrity(self.conn, self.path)
                self._upgrade_schema()
                with self._lock:
                    # One read snapshot: the head and the newest checkpoint must be read
                    # together, or another writer's commit between them looks like tampering.
                    self.conn.execute("BEGIN")
                    try:
                        self._check_head()
                    finally:
                        self.conn.execute("COMMIT")
                self._check_anchors()
            except BaseException:
                self.conn.close()
                raise

    # -- writing -----------------------------------------------------------------------------

    def append(
        self,
        kind: str,
        body: dict[str, Any],
        *,
        actor: str,
        attempt: str | None = None,
    ) -> Event:
        """Durably append one event; returns only after COMMIT (synchronous=FULL)."""
        return self.append_many([NewEvent(kind, body, actor, attempt)])[0]

    def append_many(self, new: list[NewEvent]) -> list[Event]:
        """Append several events in one transaction: all of them or none (e.g. a roster).
        Inside `transaction()` they join it. Every transaction is signed."""
        if self.readonly or self._signer is None:
            raise KioskError("ledger opened read-only: cannot append")
        with self._lock:
            if self._tx_open:
                return self._insert(new)
            with self.transaction():
                # Our own transaction: the head _check_head just read is still the head, and
                # what we insert is the head at COMMIT (two reads fewer per save).
                out = self._insert(new, self._tx_head)
                if out:
                    self._tx_head = (out[-1].seq, out[-1].hash)
                    self._tx_head_known = True
                return out

    def _insert(self, new: list[NewEvent], head: tuple[int, str] | None = None) -> list[Event]:
        """Insert events after the head, inside the open transaction (no signing here). Unless
        given, the head is read again: a savepoint rolled back inside a caller's transaction
        may have taken events away."""
        if head is None:
            row = self.conn.execute(
                "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
            head = (row[0], row[1]) if row else (0, GENESIS_PREV)
        seq, prev = head
        out: list[Event] = []
        for n in new:
            body_text = canonical_json(n.body)
            seq += 1
            ts = utc_now()
            digest = event_hash(prev, seq, ts, n.actor, n.attempt, n.kind, body_text)
            self.conn.execute(
                "INSERT INTO events (seq, ts, actor, attempt, kind, body, prev_hash, hash)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (seq, ts, n.actor, n.attempt, n.kind, body_text, prev, digest),
            )
            out.append(Event(seq, ts, n.actor, n.attempt, n.kind, json.loads(body_text), prev, digest))
            if n.kind in SYNC_ANCHOR_KINDS:
                self._tx_sync = True
            prev = digest
        return out

    @contextmanager
    def transaction(self) -> Iterator[Ledger]:
        """One write transaction for many appends (the centre service's group commit):
        BEGIN IMMEDIATE; `append`/`append_many` and reads inside see each other; on leaving,
        one checkpoint signs the new head and COMMIT makes it durable; an exception rolls
        everything back. Callbacks given to `after_commit` inside run once the COMMIT
        succeeded."""
        if self.readonly or self._signer is None:
            raise KioskError("ledger opened read-only: cannot append")
        with self._lock:
            if self._closed:
                raise KioskError(f"{self.path}: the ledger is closed")
            if self._tx_open:
                raise KioskError("a ledger transaction is already open")
            self.conn.execute("BEGIN IMMEDIATE")
            self._tx_open, self._tx_sync, self._after_commit = True, False, []
            self._tx_head_known = False
            checkpoint = None
            try:
                self._tx_head = self._check_head()
                start = self._tx_head[0]
                yield self
                row = self._tx_head if self._tx_head_known else self.conn.execute(
                    "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
                if row is not None and row[0] > start:
                    checkpoint = self._write_checkpoint(row[0], row[1])
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                self._after_commit = []
                raise
            finally:
                self._tx_open = False
            if checkpoint is not None:
                self._trusted, self._trusted_digest = checkpoint, checkpoint.digest()
                self._write_anchors(checkpoint, self._tx_sync)
            callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            callback()

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run `callback` once the events appended so far are durable (at once outside a
        transaction)."""
        if self._tx_open:
            self._after_commit.append(callback)
        else:
            callback()

    def _upgrade_schema(self) -> None:
        """Ledgers from before checkpoint format v2 get its two columns (old rows stay v1)."""
        columns = {r[1] for r in self.conn.execute("PRAGMA table_info(checkpoints)")}
        if {"version", "prev"} <= columns:
            return
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                columns = {r[1] for r in self.conn.execute("PRAGMA table_info(checkpoints)")}
                if "version" not in columns:
                    self.conn.execute(
                        "ALTER TABLE checkpoints ADD COLUMN version INTEGER NOT NULL DEFAULT 1")
                if "prev" not in columns:
                    self.conn.execute("ALTER TABLE checkpoints ADD COLUMN prev TEXT NOT NULL DEFAULT ''")
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise

    def _check_head(self) -> tuple[int, str]:
        """The head (seq, hash), after checking that a valid checkpoint of this key covers it.
        Raises KioskError naming the uncovered events otherwise: signing on top of them would
        vouch for events this writer never wrote."""
        row = self.conn.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
        seq, head_hash = (row[0], row[1]) if row else (0, GENESIS_PREV)
        last = self._head_checkpoint = self._last_checkpoint()
        if seq == 0 and last is None:
            return seq, head_hash
        if last is None or last.upto_seq != seq or last.head_hash != head_hash:
            covered = last.upto_seq if last is not None and last.upto_seq < seq else 0
            what = (f"events {covered + 1}..{seq} are" if covered + 1 < seq else f"event {seq} is")
            if last is not None and last.upto_seq >= seq:
                what = f"the newest checkpoint ({last.id}) does not match event {seq}, and so {what}"
            raise KioskError(
                f"{self.path}: {what} not covered by a signed checkpoint (written behind the "
                "centre's back, or the file was changed); this writer signs only events it "
                "wrote itself, so nothing was written: run `kiosk verify`")
        if last != self._trusted:
            # Not the record this process wrote or checked last: verify it before signing on
            # top of it (another process of the centre wrote it, or someone without the key).
            assert self._public is not None
            try:
                digest = last.digest()
            except ValueError:
                digest = ""
            valid = bool(digest) and keys.verify_signature(self._public, last.signature, last.message())
            if valid and last.version >= 2 and last.key_fingerprint != self._fingerprint:
                valid = False
            if not valid:
                raise KioskError(
                    f"{self.path}: the newest checkpoint ({last.id}, over events up to {seq}) is "
                    "not validly signed by this centre's key, so events up to it may have been "
                    "written behind the centre's back; nothing was written: run `kiosk verify`")
            self._trusted, self._trusted_digest = last, digest
        return seq, head_hash

    def _last_checkpoint(self) -> Checkpoint | None:
        """The newest checkpoint record (a writer has upgraded the schema: v2 columns exist)."""
        row = self.conn.execute(
            f"SELECT {CHECKPOINT_COLUMNS} FROM checkpoints ORDER BY id DESC LIMIT 1").fetchone()
        return Checkpoint(*row) if row else None

    def _write_checkpoint(self, upto_seq: int, head_hash: str) -> Checkpoint:
        """Sign the head. The one place a checkpoint is made: every commit path comes here."""
        assert self._signer is not None
        # _check_head read it in this same transaction (BEGIN IMMEDIATE: nobody else wrote).
        last = self._head_checkpoint
        cp_id = last.id + 1 if last else 1
        # The previous record was checked (and its digest kept) by _check_head in this
        # transaction; recomputing it costs a SHA-256 only if something else called us.
        prev = (self._trusted_digest if last == self._trusted else last.digest()) if last \
            else GENESIS_PREV
        unsigned = Checkpoint(cp_id, upto_seq, head_hash, utc_now(), self._fingerprint, "",
                              CHECKPOINT_VERSION, prev)
        checkpoint = unsigned._replace(signature=keys.sign(self._signer, unsigned.message()))
        self.conn.execute(
            f"INSERT INTO checkpoints ({CHECKPOINT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (checkpoint.id, checkpoint.upto_seq, checkpoint.head_hash, checkpoint.ts,
             checkpoint.key_fingerprint, checkpoint.signature, checkpoint.version, checkpoint.prev),
        )
        return checkpoint

    def _check_anchors(self) -> None:
        """Refuse a ledger older than (or diverging from) a heads file written after a commit."""
        assert self._public is not None
        newest = self._last_checkpoint()
        for anchor in self.anchors:
            if not anchor.parent.is_dir():
                # A second medium that is not there: its protection is unavailable, so fail
                # closed rather than write on a ledger nobody can compare with it.
                raise KioskError(
                    f"{anchor.parent}: the heads mirror is not available (mount it, or remove "
                    "ledger.heads_mirror from centre.toml); nothing was written")
            if not anchor.exists():
                continue
            mark = read_heads(anchor)
            try:
                valid = keys.verify_signature(self._public, mark.signature, mark.message())
            except ValueError:
                valid = False
            if not valid:
                raise KioskError(f"{anchor}: the heads file is not signed by this centre's key; "
                                 "nothing was written: run `kiosk verify`")
            row = self.conn.execute(f"SELECT {CHECKPOINT_COLUMNS} FROM checkpoints WHERE id = ?",
                                    (mark.id,)).fetchone()
            have = Checkpoint(*row) if row else None
            if have is None:
                raise KioskError(
                    f"{self.path}: the ledger ends at checkpoint {newest.id if newest else 0}, "
                    f"but {anchor} shows "
                    f"checkpoint {mark.id} (head #{mark.upto_seq}) was signed: the ledger was "
                    f"rolled back or truncated; nothing was written: run `kiosk verify "
                    f"--anchor {anchor}`")
            if have.digest() != mark.digest():
                raise KioskError(
                    f"{self.path}: checkpoint {mark.id} differs from the one {anchor} recorded: "
                    f"the ledger was rewritten; nothing was written: run `kiosk verify "
                    f"--anchor {anchor}`")

    def _write_anchors(self, checkpoint: Checkpoint, sync: bool) -> None:
        """Record the new head in every heads file: in the slot of its id's parity, in place.
        After COMMIT, so a heads file is never ahead of the durable ledger. fsync only when
        `sync` (results rest on the transaction); otherwise a power cut may cost the newest
        heads, never the ledger's events."""
        slot = heads_slot(checkpoint, self.path.name)
        for anchor in self.anchors:
            try:
                fd = self._anchor_fds.get(anchor)
                if fd is None:
                    fd = os.open(anchor, os.O_RDWR | os.O_CREAT, 0o644)
                    self._anchor_fds[anchor] = fd
                os.pwrite(fd, slot, (checkpoint.id % 2) * HEADS_SLOT)
                if sync:
                    os.fsync(fd)
            except OSError as exc:
                self.anchor_errors.append(f"{anchor}: {exc.strerror or exc}")

    def signed_head(self) -> Checkpoint | None:
        """The newest checkpoint: the signed head to print in minutes and receipts."""
        with self._lock:
            found = read_checkpoints(self.conn, last_only=True)
        return found[0] if found else None

    def close(self) -> None:
        if self._closed:
            return
        with self._lock:
            self._closed = True
            self.conn.close()
            for fd in self._anchor_fds.values():
                try:
                    os.close(fd)
                except OSError:
                    pass
            self._anchor_fds.clear()

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
