"""Mutations of a ledger file made behind the triggers' back, for the tamper tests."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.ledger import keys
from kiosk.ledger.canonical import GENESIS_PREV, event_hash
from kiosk.ledger.store import Checkpoint, read_checkpoints

COLUMNS = ("ts", "actor", "attempt", "kind", "body")


def open_raw(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript(
        "DROP TRIGGER IF EXISTS events_no_update; DROP TRIGGER IF EXISTS events_no_delete;"
        "DROP TRIGGER IF EXISTS checkpoints_no_update; DROP TRIGGER IF EXISTS checkpoints_no_delete;"
        "DROP TRIGGER IF EXISTS meta_no_update; DROP TRIGGER IF EXISTS meta_no_delete;"
    )
    return conn


def restore_triggers(conn: sqlite3.Connection) -> None:
    from kiosk.ledger.store import SCHEMA

    conn.executescript(SCHEMA)


def change_field(conn: sqlite3.Connection, seq: int, column: str) -> None:
    value = conn.execute(f"SELECT {column} FROM events WHERE seq = ?", (seq,)).fetchone()[0]
    if column == "body":
        new = value[:-1] + ',"x":1}' if value != "{}" else '{"x":1}'
    elif value is None:
        new = "A-forged"
    else:
        new = value + "x"
    conn.execute(f"UPDATE events SET {column} = ? WHERE seq = ?", (new, seq))


def rehash_from(conn: sqlite3.Connection, seq: int) -> None:
    """Recompute the chain from `seq` on, as a forger without the key would."""
    prev = conn.execute("SELECT hash FROM events WHERE seq = ?", (seq - 1,)).fetchone()
    prev_hash = prev[0] if prev else "0" * 64
    rows = conn.execute(
        "SELECT seq, ts, actor, attempt, kind, body FROM events WHERE seq >= ? ORDER BY seq", (seq,)
    ).fetchall()
    conn.execute("UPDATE events SET hash = 'tmp-' || seq WHERE seq >= ?", (seq,))
    for s, ts, actor, attempt, kind, body in rows:
        h = event_hash(prev_hash, s, ts, actor, attempt, kind, body)
        conn.execute("UPDATE events SET prev_hash = ?, hash = ? WHERE seq = ?", (prev_hash, h, s))
        prev_hash = h


def resign_all(conn: sqlite3.Connection, key: Ed25519PrivateKey) -> None:
    """Point every checkpoint at the current chain and sign it with `key`, chaining the records
    as a writer holding `key` would."""
    fp = keys.fingerprint(key.public_key())
    prev = GENESIS_PREV
    for cp in read_checkpoints(conn):
        head = conn.execute("SELECT hash FROM events WHERE seq = ?", (cp.upto_seq,)).fetchone()[0]
        new = Checkpoint(cp.id, cp.upto_seq, head, cp.ts, fp, "", cp.version, prev if cp.version >= 2 else "")
        sig = keys.sign(key, new.message())
        conn.execute(
            "UPDATE checkpoints SET head_hash = ?, signature = ?, key_fingerprint = ?, prev = ? WHERE id = ?",
            (head, sig, fp, new.prev, cp.id),
        )
        prev = new._replace(signature=sig).digest()


def append_unsigned(conn: sqlite3.Connection, ts: str, kind: str = "marked",
                    body: str = '{"points":100}', attempt: str | None = "A1") -> int:
    """Append a correctly chained event without the key (no checkpoint): what any process with
    write access to the file could do."""
    seq, prev = conn.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
    seq += 1
    digest = event_hash(prev, seq, ts, "examiner:x", attempt, kind, body)
    conn.execute(
        "INSERT INTO events (seq, ts, actor, attempt, kind, body, prev_hash, hash)"
        " VALUES (?, ?, 'examiner:x', ?, ?, ?, ?, ?)",
        (seq, ts, attempt, kind, body, prev, digest),
    )
    return seq


def truncate_to(conn: sqlite3.Connection, checkpoint_id: int) -> int:
    """Cut the ledger back to a checkpoint (as a restore of an older copy would): returns the
    new head seq."""
    upto = conn.execute("SELECT upto_seq FROM checkpoints WHERE id = ?", (checkpoint_id,)).fetchone()[0]
    conn.execute("DELETE FROM checkpoints WHERE id > ?", (checkpoint_id,))
    conn.execute("DELETE FROM events WHERE seq > ?", (upto,))
    return upto


def swap(conn: sqlite3.Connection, a: int, b: int) -> None:
    ra = conn.execute(f"SELECT {','.join(COLUMNS)}, prev_hash, hash FROM events WHERE seq = ?", (a,)).fetchone()
    rb = conn.execute(f"SELECT {','.join(COLUMNS)}, prev_hash, hash FROM events WHERE seq = ?", (b,)).fetchone()
    conn.execute("UPDATE events SET hash = 'tmp-' || seq WHERE seq IN (?, ?)", (a, b))
    cols = ", ".join(f"{c} = ?" for c in (*COLUMNS, "prev_hash", "hash"))
    conn.execute(f"UPDATE events SET {cols} WHERE seq = ?", (*rb, a))
    conn.execute(f"UPDATE events SET {cols} WHERE seq = ?", (*ra, b))
