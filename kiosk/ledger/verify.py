"""Recompute the whole chain and every checkpoint signature of a ledger file, read-only."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from kiosk.errors import KioskError
from kiosk.ledger import keys, receipts
from kiosk.ledger.canonical import GENESIS_PREV, checkpoint_message, event_hash
from kiosk.ledger.store import connect

TRIGGERS = {
    "events_no_update", "events_no_delete", "checkpoints_no_update", "checkpoints_no_delete",
}


@dataclass(frozen=True)
class Problem:
    seq: int | None
    reason: str


@dataclass
class VerifyReport:
    path: str
    events: int = 0
    head_seq: int = 0
    head_hash: str = ""
    fingerprint: str = ""
    checkpoints: int = 0
    pending: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_bad_seq(self) -> int | None:
        seqs = [p.seq for p in self.problems if p.seq is not None]
        return min(seqs) if seqs else None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        data["first_bad_seq"] = self.first_bad_seq
        return data


def _parse_ts(ts: str) -> datetime | None:
    try:
        return datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def verify_ledger(
    path: Path,
    trusted_key: Ed25519PublicKey | None = None,
    *,
    grace_seconds: float = 0.0,
    quick_check: bool = True,
) -> VerifyReport:
    """Check a ledger file. `trusted_key` is the centre's public key; without it the genesis
    event's key is used (then only a fingerprint compared by a person proves the origin).
    Events younger than `grace_seconds` after the last checkpoint count as pending, not bad:
    a live centre signs its tail within a second."""
    report = VerifyReport(path=str(path))
    conn = connect(path, readonly=True)
    try:
        _verify(conn, report, trusted_key, grace_seconds, quick_check)
    except sqlite3.DatabaseError as exc:
        report.problems.append(Problem(None, f"database unreadable: {exc}"))
    finally:
        conn.close()
    report.problems.sort(key=lambda p: (p.seq is None, p.seq or 0))
    return report


def _verify(
    conn: sqlite3.Connection,
    report: VerifyReport,
    trusted_key: Ed25519PublicKey | None,
    grace_seconds: float,
    quick_check: bool,
) -> None:
    problems = report.problems
    if quick_check:
        result = [r[0] for r in conn.execute("PRAGMA quick_check")]
        if result != ["ok"]:
            problems.append(Problem(None, f"database corrupt: {'; '.join(result[:3])}"))
            return
    triggers = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
    missing = sorted(TRIGGERS - triggers)
    if missing:
        problems.append(Problem(None, f"append-only triggers removed: {', '.join(missing)}"))

    hashes: list[str] = [GENESIS_PREV]  # hashes[seq] = hash of event seq, as recomputed
    timestamps: dict[int, str] = {}
    expected = 1
    prev = GENESIS_PREV
    genesis_key: Ed25519PublicKey | None = None
    rows = conn.execute(
        "SELECT seq, ts, actor, attempt, kind, body, prev_hash, hash FROM events ORDER BY seq"
    )
    for seq, ts, actor, attempt, kind, body, prev_hash, stored in rows:
        if seq != expected:
            if seq > expected:
                problems.append(Problem(expected, f"events {expected}..{seq - 1} are missing (deleted)"))
                hashes.extend([""] * (seq - expected))
            expected = seq
        if prev_hash != prev:
            problems.append(Problem(seq, "does not follow the previous event: inserted, deleted or reordered events"))
        computed = event_hash(prev_hash, seq, ts, actor, attempt, kind, body)
        if computed != stored:
            problems.append(Problem(seq, "hash does not match the event's content: a field or the body was changed"))
        if seq == 1:
            genesis_key = _genesis_key(kind, body, problems)
        hashes.append(stored)
        timestamps[seq] = ts
        prev = stored
        expected += 1
    head = expected - 1
    report.events = len(timestamps)
    report.head_seq = head
    report.head_hash = prev if head else ""
    if head == 0:
        problems.append(Problem(None, "the ledger has no events (not even its genesis)"))
        return

    key = trusted_key or genesis_key
    if trusted_key is not None and genesis_key is not None:
        if keys.public_raw(trusted_key) != keys.public_raw(genesis_key):
            problems.append(Problem(1, "the genesis event names another key than the centre's public key"))
    if key is None:
        problems.append(Problem(1, "no public key to check signatures with"))
        return
    report.fingerprint = keys.fingerprint(key)
    _verify_checkpoints(conn, report, key, hashes, timestamps, head, grace_seconds)


def _genesis_key(kind: str, body: str, problems: list[Problem]) -> Ed25519PublicKey | None:
    if kind != "genesis":
        problems.append(Problem(1, f"the first event is {kind!r}, not the genesis"))
        return None
    try:
        return keys.public_from_b64(json.loads(body)["public_key"])
    except (KioskError, KeyError, TypeError, ValueError):
        problems.append(Problem(1, "the genesis event carries no valid public key"))
        return None


def _verify_checkpoints(
    conn: sqlite3.Connection,
    report: VerifyReport,
    key: Ed25519PublicKey,
    hashes: list[str],
    timestamps: dict[int, str],
    head: int,
    grace_seconds: float,
) -> None:
    problems = report.problems
    fp = keys.fingerprint(key)
    expected_id = 1
    last_upto = 0
    rows = conn.execute(
        "SELECT id, upto_seq, head_hash, ts, key_fingerprint, signature FROM checkpoints ORDER BY id"
    ).fetchall()
    report.checkpoints = len(rows)
    for cp_id, upto, head_hash, ts, cp_fp, signature in rows:
        first = last_upto + 1
        if cp_id != expected_id:
            problems.append(Problem(first, f"checkpoints {expected_id}..{cp_id - 1} are missing (deleted)"))
        expected_id = cp_id + 1
        if not isinstance(upto, int) or upto < last_upto or upto > head:
            problems.append(Problem(first, f"checkpoint {cp_id} covers event {upto}, which is out of order or absent"))
            continue
        valid_sig = keys.verify_signature(key, signature, checkpoint_message(cp_id, upto, head_hash, ts))
        if not valid_sig:
            who = "another key" if cp_fp != fp else "a broken signature"
            problems.append(Problem(first, f"checkpoint {cp_id} (events {first}..{upto}) is not signed by the centre key: {who}"))
        elif hashes[upto] != head_hash:
            # Signatures cover ranges; a specific problem found inside the range pins it better.
            inside = [p.seq for p in problems if p.seq is not None and first <= p.seq <= upto]
            problems.append(Problem(min(inside, default=first), f"events {first}..{upto} differ from what checkpoint {cp_id} signed"))
        last_upto = upto
    # Ranges whose checkpoint failed are reported above; what remains is the tail that no
    # checkpoint (valid or not) claims.
    if last_upto < head:
        now = datetime.now(UTC)
        unsigned = range(last_upto + 1, head + 1)
        young = [s for s in unsigned if _age(timestamps.get(s), now) <= grace_seconds]
        if len(young) == len(unsigned):
            report.pending = len(young)
        else:
            problems.append(Problem(last_upto + 1, f"events {last_upto + 1}..{head} are not covered by any signature"))


def _age(ts: str | None, now: datetime) -> float:
    when = _parse_ts(ts) if ts else None
    return float("inf") if when is None else (now - when).total_seconds()


def find_receipt(path: Path, code: str) -> tuple[int, str, str] | None:
    """The (seq, kind, ts) of the event whose chain head gives this receipt code, if any."""
    wanted = receipts.normalise(code)
    if wanted is None:
        raise KioskError(f"not a receipt code: {code!r} (12 characters, e.g. 7K3M-Q9XW-2HTB)")
    conn = connect(path, readonly=True)
    try:
        for seq, kind, ts, digest in conn.execute("SELECT seq, kind, ts, hash FROM events ORDER BY seq"):
            if receipts.receipt_code(digest) == wanted:
                return seq, kind, ts
    finally:
        conn.close()
    return None
