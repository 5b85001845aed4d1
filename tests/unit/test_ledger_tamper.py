"""Property-based tamper tests: every mutation behind the triggers' back is detected."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.ledger.centre import Centre
from kiosk.ledger.keys import generate
from kiosk.ledger.verify import verify_ledger
from tests.support import ledger_tamper as t

N_EVENTS = 40


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Centre]:
    base = tmp_path_factory.mktemp("pristine")
    centre, _ = Centre.init(base / "c", "Tamper")
    with centre.ledger() as ledger:
        # Transactions of 1 to 3 events (one checkpoint each), so ranges are exercised.
        i = 0
        while i < N_EVENTS - 1:
            with ledger.transaction():
                for _ in range(min(1 + i % 3, N_EVENTS - 1 - i)):
                    ledger.append(
                        "answer_saved",
                        {"item": f"q{i}", "response": ["ő", i]},
                        actor=f"candidate:C{i % 3}",
                        attempt=f"A{i % 3}" if i % 4 else None,
                    )
                    i += 1
    conn = sqlite3.connect(centre.ledger_path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    assert verify_ledger(centre.ledger_path, centre.public_key()).ok
    return centre.ledger_path, centre


def copy(pristine: tuple[Path, Centre], tmp: Path) -> Path:
    target = tmp / "ledger.db"
    for suffix in ("", "-wal", "-shm"):
        target.with_name("ledger.db" + suffix).unlink(missing_ok=True)
    shutil.copy(pristine[0], target)
    return target


seqs = st.integers(min_value=1, max_value=N_EVENTS)
settings_ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@settings_
@given(seq=seqs, column=st.sampled_from(t.COLUMNS), restore=st.booleans())
def test_changed_field_is_detected_at_its_seq(pristine, tmp_path, seq, column, restore) -> None:
    path = copy(pristine, tmp_path)
    conn = t.open_raw(path)
    t.change_field(conn, seq, column)
    if restore:
        t.restore_triggers(conn)
    conn.close()
    report = verify_ledger(path, pristine[1].public_key())
    assert not report.ok
    assert report.first_bad_seq == seq


@settings_
@given(seq=seqs)
def test_deleted_event_is_detected(pristine, tmp_path, seq) -> None:
    path = copy(pristine, tmp_path)
    conn = t.open_raw(path)
    conn.execute("DELETE FROM events WHERE seq = ?", (seq,))
    conn.close()
    report = verify_ledger(path, pristine[1].public_key())
    assert not report.ok
    assert report.first_bad_seq is not None and report.first_bad_seq <= seq


@settings_
@given(seq=seqs, rehash=st.booleans())
def test_deleted_and_renumbered_event_is_detected(pristine, tmp_path, seq, rehash) -> None:
    path = copy(pristine, tmp_path)
    conn = t.open_raw(path)
    conn.execute("DELETE FROM events WHERE seq = ?", (seq,))
    conn.execute("UPDATE events SET seq = -(seq - 1) WHERE seq > ?", (seq,))
    conn.execute("UPDATE events SET seq = -seq WHERE seq < 0")
    if rehash and seq > 1:
        t.rehash_from(conn, seq)
    conn.close()
    report = verify_ledger(path, pristine[1].public_key())
    assert not report.ok
    assert report.first_bad_seq is not None and report.first_bad_seq <= seq


@settings_
@given(at=st.integers(min_value=2, max_value=N_EVENTS + 1), rehash=st.booleans())
def test_inserted_event_is_detected(pristine, tmp_path, at, rehash) -> None:
    path = copy(pristine, tmp_path)
    conn = t.open_raw(path)
    conn.execute("UPDATE events SET seq = -(seq + 1) WHERE seq >= ?", (at,))
    conn.execute("UPDATE events SET seq = -seq WHERE seq < 0")
    conn.execute(
        "INSERT INTO events (seq, ts, actor, attempt, kind, body, prev_hash, hash)"
        " VALUES (?, '2020-01-01T00:00:00.000000Z', 'examiner:x', 'A1', 'marked', '{\"points\":100}', '', 'forged')",
        (at,),
    )
    if rehash:
        t.rehash_from(conn, at)
    conn.close()
    report = verify_ledger(path, pristine[1].public_key())
    assert not report.ok
    assert report.first_bad_seq is not None and report.first_bad_seq <= at


@settings_
@given(a=seqs, b=seqs)
def test_swapped_events_are_detected(pristine, tmp_path, a, b) -> None:
    if a == b:
        return
    path = copy(pristine, tmp_path)
    conn = t.open_raw(path)
    t.swap(conn, a, b)
    conn.close()
    report = verify_ledger(path, pristine[1].public_key())
    assert not report.ok
    assert report.first_bad_seq == min(a, b)


@settings_
@given(seq=seqs, column=st.sampled_from(t.COLUMNS))
def test_rewrite_resigned_with_a_foreign_key_is_detected(pristine, tmp_path, seq, column) -> None:
    path = copy(pristine, tmp_path)
    conn = t.open_raw(path)
    if seq > 1:
        t.change_field(conn, seq, column)
        t.rehash_from(conn, seq)
    t.resign_all(conn, generate())
    conn.close()
    report = verify_ledger(path, pristine[1].public_key())
    assert not report.ok
    assert any("another key" in p.reason for p in report.problems)


@settings_
@given(seq=st.integers(min_value=2, max_value=N_EVENTS), column=st.sampled_from(t.COLUMNS))
def test_rewrite_with_rehashed_chain_fails_the_signature(pristine, tmp_path, seq, column) -> None:
    path = copy(pristine, tmp_path)
    conn = t.open_raw(path)
    t.change_field(conn, seq, column)
    t.rehash_from(conn, seq)
    conn.close()
    report = verify_ledger(path, pristine[1].public_key())
    assert not report.ok
    # Without per-event signatures the change is pinned to the signed range that holds it.
    assert report.first_bad_seq is not None and report.first_bad_seq <= seq


@settings_
@given(cp=st.integers(min_value=1, max_value=25), how=st.sampled_from(["delete", "break", "null"]))
def test_missing_or_broken_signature_is_detected(pristine, tmp_path, cp, how) -> None:
    path = copy(pristine, tmp_path)
    conn = t.open_raw(path)
    n = conn.execute("SELECT COUNT(*) FROM checkpoints").fetchone()[0]
    cp = min(cp, n)
    if how == "delete":
        conn.execute("DELETE FROM checkpoints WHERE id = ?", (cp,))
    elif how == "break":
        conn.execute("UPDATE checkpoints SET signature = 'AAAA' || substr(signature, 5) WHERE id = ?", (cp,))
    else:
        conn.execute("UPDATE checkpoints SET signature = '' WHERE id = ?", (cp,))
    conn.close()
    report = verify_ledger(path, pristine[1].public_key())
    assert not report.ok


def test_dropped_triggers_alone_are_reported(pristine, tmp_path) -> None:
    path = copy(pristine, tmp_path)
    t.open_raw(path).close()
    report = verify_ledger(path, pristine[1].public_key())
    assert not report.ok
    assert "triggers removed" in report.problems[0].reason


def test_foreign_genesis_key_is_detected(pristine, tmp_path) -> None:
    """A whole ledger forged under another key: the centre's public key file catches it."""
    path = copy(pristine, tmp_path)
    other, _ = Centre.init(tmp_path / "other", "Forger")
    report = verify_ledger(path, other.public_key())
    assert not report.ok
    assert report.first_bad_seq == 1
