"""Recompute the whole chain and the checkpoint chain of a ledger file, read-only.

No grace period: every event must be covered by a signed checkpoint (each write transaction
signs one before COMMIT, so an uncovered event was written behind the centre's back).
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from kiosk.errors import KioskError
from kiosk.ledger import keys, receipts
from kiosk.ledger.canonical import CHECKPOINT_DOMAIN_V2, GENESIS_PREV
from kiosk.ledger.store import SCHEMA, Checkpoint, checkpoint_rows, open_for_reading


@dataclass(frozen=True)
class Problem:
    seq: int | None
    reason: str


@dataclass(frozen=True)
class Anchor:
    """A head known from outside the ledger: a receipt code, a (seq, hash) printed in minutes or
    kept by the organiser, or a signed checkpoint from a heads file. `source` names where from."""

    source: str
    seq: int | None = None
    hash: str | None = None
    receipt: str | None = None
    checkpoint: Checkpoint | None = None
    #: Only for ledgers of this key (an organiser's store lists heads of many centres).
    fingerprint: str | None = None


@dataclass
class VerifyReport:
    path: str
    events: int = 0
    head_seq: int = 0
    head_hash: str = ""
    fingerprint: str = ""
    checkpoints: int = 0
    anchors: int = 0
    problems: list[Problem] = field(default_factory=list)
    #: receipt code → (seq, kind, ts) for the codes asked about that were found
    receipts: dict[str, tuple[int, str, str]] = field(default_factory=dict)

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


@cache
def expected_triggers() -> dict[str, str]:
    """Every trigger a ledger must have, with its SQL as the schema creates it."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.executescript(SCHEMA)
        return {name: _norm_sql(sql) for name, sql in conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type='trigger'")}
    finally:
        conn.close()


def _norm_sql(sql: str | None) -> str:
    return " ".join((sql or "").split()).replace("IF NOT EXISTS ", "")


def verify_ledger(
    path: Path,
    trusted_key: Ed25519PublicKey | None = None,
    *,
    quick_check: bool = True,
    anchors: Sequence[Anchor] = (),
    receipt_codes: Iterable[str] = (),
) -> VerifyReport:
    """Check a ledger file, opened read-only without creating any file. `trusted_key` is the
    centre's public key; without it the genesis event's key is used (then only a fingerprint
    compared by a person, or `--fingerprint`, proves the origin). `anchors` are heads known from
    outside: each must be in this ledger, or it was rolled back or truncated. `receipt_codes`
    are looked up while the chain is walked (found ones in `report.receipts`). There is no
    grace period: every event must be covered by a signature whatever its age."""
    report = VerifyReport(path=str(path))
    with open_for_reading(Path(path)) as conn:
        try:
            # One read snapshot for the events and the checkpoints: a live centre commits
            # between the two walks otherwise, and its newest checkpoint would look out of place.
            conn.execute("BEGIN")
            try:
                _verify(conn, report, trusted_key, quick_check, anchors, set(receipt_codes))
            finally:
                if conn.in_transaction:
                    conn.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            report.problems.append(Problem(None, f"database unreadable: {exc}"))
    report.problems.sort(key=lambda p: (p.seq is None, p.seq or 0))
    return report


def _verify(
    conn: sqlite3.Connection,
    report: VerifyReport,
    trusted_key: Ed25519PublicKey | None,
    quick_check: bool,
    anchors: Sequence[Anchor],
    wanted: set[str],
) -> None:
    problems = report.problems
    if quick_check:
        result = [r[0] for r in conn.execute("PRAGMA quick_check")]
        if result != ["ok"]:
            problems.append(Problem(None, f"database corrupt: {'; '.join(result[:3])}"))
            return
    _check_triggers(conn, problems)
    hashes, genesis_key = _check_events(conn, report, wanted)
    head = report.head_seq
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
    bad = [p.seq for p in problems if p.seq is not None]
    keep = {a.checkpoint.id for a in anchors if a.checkpoint is not None}
    found, kept, report.checkpoints = check_checkpoints(
        lambda: checkpoint_rows(conn), key, hashes.__getitem__, head, bad, keep)
    for seq, reason in found:
        problems.append(Problem(seq, reason))
    check_anchors(anchors, report, hashes, kept, key, newest=report.checkpoints)


def _check_triggers(conn: sqlite3.Connection, problems: list[Problem]) -> None:
    present = {name: _norm_sql(sql) for name, sql in conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type='trigger'")}
    expected = expected_triggers()
    missing = sorted(n for n in expected if n not in present)
    changed = sorted(n for n in expected if n in present and present[n] != expected[n])
    if missing:
        problems.append(Problem(None, f"append-only triggers removed: {', '.join(missing)}"))
    if changed:
        problems.append(Problem(None, f"append-only triggers replaced: {', '.join(changed)}"))


def _check_events(conn: sqlite3.Connection, report: VerifyReport, wanted: set[str]
                  ) -> tuple[list[str], Ed25519PublicKey | None]:
    """Walk the hash chain once: problems and receipts into `report`, its head; returns every
    event's stored hash by seq and the key the genesis names."""
    problems = report.problems
    hashes: list[str] = [GENESIS_PREV]  # hashes[seq] = hash of event seq, as stored
    expected_seq = 1
    prev = GENESIS_PREV
    genesis_key: Ed25519PublicKey | None = None
    want_codes = {code for c in wanted if (code := receipts.normalise(c)) is not None}
    rows = conn.execute(
        "SELECT seq, ts, actor, attempt, kind, body, prev_hash, hash FROM events ORDER BY seq"
    )
    # event_hash inlined (same bytes, see canonical.py): the loop runs once per event, and
    # verification throughput is a stated target.
    sha256 = hashlib.sha256
    for seq, ts, actor, attempt, kind, body, prev_hash, stored in rows:
        if seq != expected_seq:
            if seq > expected_seq:
                problems.append(Problem(expected_seq, f"events {expected_seq}..{seq - 1} are missing (deleted)"))
                hashes.extend([""] * (seq - expected_seq))
            expected_seq = seq
        if prev_hash != prev:
            problems.append(Problem(seq, "does not follow the previous event: inserted, deleted or reordered events"))
        if attempt is None:
            a, n = "", -1
        else:
            a, n = attempt, len(attempt)
        try:
            computed = sha256(
                f"{prev_hash}\x1e{seq}\x1f{len(ts)}:{ts}\x1f{len(actor)}:{actor}\x1f{n}:{a}"
                f"\x1f{len(kind)}:{kind}\x1e{body}".encode()
            ).hexdigest()
        except TypeError:  # a column of the wrong type (edited behind the schema's back)
            computed = ""
        if computed != stored:
            problems.append(Problem(seq, "hash does not match the event's content: a field or the body was changed"))
        if seq == 1:
            genesis_key = _genesis_key(kind, body, problems)
        if want_codes:
            code = receipts.receipt_code(stored)
            if code in want_codes:
                report.receipts.setdefault(code, (seq, kind, ts))
        hashes.append(stored)
        prev = stored
        expected_seq += 1
    head = expected_seq - 1
    report.events = head
    report.head_seq = head
    report.head_hash = prev if head else ""
    return hashes, genesis_key


def _genesis_key(kind: str, body: str, problems: list[Problem]) -> Ed25519PublicKey | None:
    if kind != "genesis":
        problems.append(Problem(1, f"the first event is {kind!r}, not the genesis"))
        return None
    try:
        return keys.public_from_b64(json.loads(body)["public_key"])
    except (KioskError, KeyError, TypeError, ValueError):
        problems.append(Problem(1, "the genesis event carries no valid public key"))
        return None


def check_checkpoints(
    rows: Callable[[], Iterable[Sequence[Any]]],
    key: Ed25519PublicKey,
    hash_at: Any,
    head: int,
    bad_events: Sequence[int] = (),
    keep: Collection[int] = (),
) -> tuple[list[tuple[int | None, str]], dict[int, Checkpoint], int]:
    """Check the checkpoint records of a chain whose event `seq` has hash `hash_at(seq)` and
    which ends at event `head`. `rows()` gives the records in id order as tuples in
    CHECKPOINT_COLUMNS order (streamed: a ledger has a checkpoint per transaction, so no list
    of them is built); it is called a second time only on the failure path. Returns the
    problems (first event of the affected range, reason), the records whose ids are in `keep`
    (for anchors), and the number of records.

    v1 checkpoints (old ledgers) carry one signature each and are checked one by one. A v2
    checkpoint's signed message holds the digest of the record before it, so the newest
    signature commits to every earlier record: the v2 records are checked as a chain of links
    (a SHA-256 each) and only the newest signature is verified. See ARCHITECTURE.md."""
    found: list[tuple[int | None, str]] = []
    kept: dict[int, Checkpoint] = {}
    sha256 = hashlib.sha256  # checkpoint_digest and Checkpoint.message, inlined below
    fp = keys.fingerprint(key)
    expected_id = 1
    last_upto = 0
    prev_digest = GENESIS_PREV
    first_v2: int | None = None
    last: Sequence[Any] | None = None
    count = 0
    for row in rows():
        count += 1
        last = row
        cid, upto, head_hash, ts, cfp, sig, version, prev = row
        if cid in keep:
            kept[cid] = Checkpoint(*row)
        first = last_upto + 1
        if cid != expected_id:
            found.append((first, f"checkpoints {expected_id}..{cid - 1} are missing (deleted)"))
        expected_id = cid + 1 if isinstance(cid, int) else expected_id + 1
        if version == 2:
            message = CHECKPOINT_DOMAIN_V2 + (
                f"{cid}\n{upto}\n{head_hash}\n{ts}\n{cfp}\n{prev}").encode()
        else:
            try:
                message = Checkpoint(*row).message()
            except (ValueError, TypeError):
                found.append((first, f"checkpoint {cid} has an unknown format version {version!r}"))
                continue
        if type(upto) is not int or upto > head or upto < last_upto \
                or (version == 2 and upto == last_upto):
            found.append((first, f"checkpoint {cid} covers event {upto}, which is out of order or absent"))
            continue
        if version == 1:
            found.extend(_check_v1(row, message, key, fp, first, downgraded=first_v2 is not None))
        else:
            if first_v2 is None:
                first_v2 = first
            if cfp != fp:
                found.append((first, f"checkpoint {cid} (events {first}..{upto}) is signed by another key ({cfp})"))
            if prev != prev_digest:
                found.append((first, f"checkpoint {cid} does not follow checkpoint {cid - 1}: "
                                     "an earlier checkpoint was changed, removed or inserted"))
        if hash_at(upto) != head_hash:
            # Signatures cover ranges; a specific problem found inside the range pins it better.
            inside = [s for s in bad_events if first <= s <= upto]
            found.append((min(inside, default=first),
                          f"events {first}..{upto} differ from what checkpoint {cid} signed"))
        prev_digest = sha256(message + b"\x1e" + str(sig).encode()).hexdigest()
        last_upto = upto
    if last is not None and last[6] == 2 and first_v2 is not None \
            and not _signed(key, Checkpoint(*last)):
        found.extend(_first_bad_signature(rows, key, fp))
    if last_upto < head:
        found.append((last_upto + 1, f"events {last_upto + 1}..{head} are not covered by any signature "
                                     "(appended behind the centre's back)"))
    return found, kept, count


def _check_v1(row: Sequence[Any], message: bytes, key: Ed25519PublicKey, fp: str, first: int,
              *, downgraded: bool) -> list[tuple[int | None, str]]:
    """An old-format checkpoint: its own signature (and never after a newer one)."""
    cid, upto, _head_hash, _ts, cfp, sig = row[:6]
    if downgraded:
        return [(first, f"checkpoint {cid} is in the old format after newer ones (downgraded)")]
    if not keys.verify_signature(key, str(sig), message):
        who = "another key" if cfp != fp else "a broken signature"
        return [(first, f"checkpoint {cid} (events {first}..{upto}) is not signed by the centre "
                        f"key: {who}")]
    return []


def _first_bad_signature(rows: Callable[[], Iterable[Sequence[Any]]], key: Ed25519PublicKey,
                         fp: str) -> list[tuple[int | None, str]]:
    """Slow path, only on failure: check each v2 signature to pin the first bad range."""
    start = 0
    for row in rows():
        cp = Checkpoint(*row)
        if cp.version == 2 and type(cp.upto_seq) is int and not _signed(key, cp):
            who = "another key" if cp.key_fingerprint != fp else "a broken or forged signature"
            return [(start + 1, f"checkpoint {cp.id} (events {start + 1}..{cp.upto_seq}) is "
                                f"not signed by the centre key ({who}), so no later "
                                "checkpoint is vouched for either")]
        if type(cp.upto_seq) is int:
            start = cp.upto_seq
    return []


def check_anchors(
    anchors: Sequence[Anchor],
    report: VerifyReport,
    hashes: Sequence[str],
    checkpoints: Mapping[int, Checkpoint],
    key: Ed25519PublicKey,
    newest: int | None = None,
) -> None:
    """Each known head must be in the chain: otherwise the ledger was rolled back, truncated
    or rewritten after that head was shown."""
    head = report.head_seq
    fp = keys.fingerprint(key)
    last_cp = newest if newest is not None else max(checkpoints, default=0)
    codes: dict[str, int] | None = None
    for anchor in anchors:
        if anchor.fingerprint is not None and anchor.fingerprint != fp:
            continue
        report.anchors += 1
        where = f"anchor {anchor.source}"
        if anchor.checkpoint is not None:
            mark = anchor.checkpoint
            try:
                signed = keys.verify_signature(key, mark.signature, mark.message())
            except ValueError:
                signed = False
            if not signed:
                report.problems.append(Problem(None, f"{where}: its checkpoint is not signed by this centre's key"))
                continue
            have = checkpoints.get(mark.id)
            if have is None:
                report.problems.append(Problem(
                    min(mark.upto_seq, head + 1),
                    f"{where}: checkpoint {mark.id} (head #{mark.upto_seq}) was signed, but this "
                    f"ledger ends at checkpoint {last_cp} (#{head}): rolled back or truncated"))
            elif have.digest() != mark.digest():
                report.problems.append(Problem(
                    min(mark.upto_seq, head + 1),
                    f"{where}: checkpoint {mark.id} differs from the one signed then: rewritten"))
            continue
        if anchor.hash is not None:
            seq = anchor.seq
            if seq is not None:
                ok = 0 < seq < len(hashes) and hashes[seq] == anchor.hash
            else:
                ok = anchor.hash in hashes
            if not ok:
                at = f"#{seq} " if seq is not None else ""
                report.problems.append(Problem(
                    min(seq, head + 1) if seq is not None else None,
                    f"{where}: head {at}{anchor.hash[:16]}… is not in this ledger (it ends at "
                    f"#{head}): rolled back, truncated or rewritten after that head was shown"))
            continue
        if anchor.receipt is not None:
            if codes is None:
                codes = {receipts.receipt_code(h): s for s, h in enumerate(hashes) if s}
            if anchor.receipt not in codes:
                report.problems.append(Problem(
                    None, f"{where}: receipt {anchor.receipt} is not in this ledger (it ends at "
                          f"#{head}): rolled back, truncated or rewritten after it was given"))


def _signed(key: Ed25519PublicKey, cp: Checkpoint) -> bool:
    try:
        return keys.verify_signature(key, cp.signature, cp.message())
    except ValueError:
        return False


_HEAD_RE = re.compile(r"#(\d+)\W{0,3}\s*([0-9a-f]{64})\b")
_HASH_RE = re.compile(r"\b[0-9a-f]{64}\b")
_CODE_RE = re.compile(r"\b[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}\b")


def anchors_from_text(text: str, source: str) -> list[Anchor]:
    """Heads written as `#SEQ HASH`, bare 64-hex hashes and receipt codes found in a text
    (minutes, a receipt list, a result sheet's text)."""
    found: list[Anchor] = []
    spans: list[tuple[int, int]] = []
    for m in _HEAD_RE.finditer(text):
        found.append(Anchor(source, seq=int(m.group(1)), hash=m.group(2)))
        spans.append(m.span(2))
    for m in _HASH_RE.finditer(text):
        if not any(a <= m.start() < b for a, b in spans):
            found.append(Anchor(source, hash=m.group(0)))
    for m in _CODE_RE.finditer(text):
        code = receipts.normalise(m.group(0))
        if code is not None:
            found.append(Anchor(source, receipt=code))
    return found


def find_receipt(path: Path, code: str, trusted_key: Ed25519PublicKey | None = None
                 ) -> tuple[int, str, str] | None:
    """The (seq, kind, ts) of the event whose chain head gives this receipt code, if the ledger
    verifies in full and holds it; None otherwise (a receipt in a ledger that fails
    verification proves nothing)."""
    wanted = receipts.normalise(code)
    if wanted is None:
        raise KioskError(f"not a receipt code: {code!r} (12 characters, e.g. 7K3M-Q9XW-2HTB)")
    report = verify_ledger(path, trusted_key, receipt_codes=[wanted])
    return report.receipts.get(wanted) if report.ok else None
