"""The ledger's API: append, read, fold, append-only triggers, checkpoints, centre errors."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from kiosk.errors import KioskError
from kiosk.ledger import store
from kiosk.ledger.canonical import GENESIS_PREV, canonical_json, event_hash
from kiosk.ledger.centre import Centre
from kiosk.ledger.verify import verify_ledger


def test_genesis_records_public_key_and_chain_starts_at_zero(centre: Centre) -> None:
    with centre.reader() as ledger:
        genesis = ledger.get(1)
    assert genesis is not None and genesis.kind == "genesis"
    assert genesis.prev_hash == GENESIS_PREV
    from kiosk.ledger import keys

    assert genesis.body["public_key"] == keys.public_b64(centre.public_key())
    assert genesis.body["fingerprint"] == keys.fingerprint(centre.public_key())


def test_append_links_hashes_and_reads_back(centre: Centre) -> None:
    with centre.ledger() as ledger:
        a = ledger.append("answer_saved", {"item": "q1", "response": "kör"}, actor="candidate:C1", attempt="A1")
        b = ledger.append("flag_set", {"item": "q1", "flag": True}, actor="candidate:C1", attempt="A1")
        ledger.append("note", {"x": 1}, actor="system")
        assert b.prev_hash == a.hash
        assert a.hash == event_hash(a.prev_hash, a.seq, a.ts, a.actor, a.attempt, a.kind, canonical_json(a.body))
        assert [e.kind for e in ledger.events(attempt="A1")] == ["answer_saved", "flag_set"]
        assert [e.seq for e in ledger.events(kind={"note", "flag_set"})] == [b.seq, b.seq + 1]
        assert ledger.events(kind="answer_saved").__next__().body["response"] == "kör"
        assert ledger.fold(lambda n, e: n + 1, 0) == 4
        assert ledger.head().seq == 4
    assert verify_ledger(centre.ledger_path, centre.public_key()).ok


def test_triggers_reject_update_and_delete(centre: Centre) -> None:
    with centre.ledger() as ledger:
        ledger.append("note", {"x": 1}, actor="system")
    conn = sqlite3.connect(centre.ledger_path)
    for sql in (
        "UPDATE events SET body = '{}' WHERE seq = 2",
        "DELETE FROM events WHERE seq = 2",
        "UPDATE checkpoints SET signature = 'x'",
        "DELETE FROM checkpoints",
    ):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute(sql)
    conn.close()
    assert verify_ledger(centre.ledger_path, centre.public_key()).ok


def test_sealing_kinds_are_signed_in_the_same_transaction(centre: Centre) -> None:
    with centre.ledger(auto_seal=False) as ledger:
        ledger.append("note", {"x": 1}, actor="system", seal=True)
        ledger.append("answer_saved", {"x": 2}, actor="system", seal=False)
        submitted = ledger.append("attempt_submitted", {}, actor="candidate:C1", attempt="A1")
        last = ledger.conn.execute("SELECT upto_seq FROM checkpoints ORDER BY id DESC LIMIT 1").fetchone()[0]
        assert last == submitted.seq


def test_unsigned_tail_is_reported_until_sealed(centre: Centre) -> None:
    ledger = centre.ledger(auto_seal=False)
    ledger.append("note", {"x": 1}, actor="system", seal=True)
    e = ledger.append("answer_saved", {"x": 2}, actor="system", seal=False)
    report = verify_ledger(centre.ledger_path, centre.public_key())
    assert not report.ok and report.first_bad_seq == e.seq
    assert "not covered" in report.problems[0].reason
    # A live tail younger than the grace period is pending, not bad.
    live = verify_ledger(centre.ledger_path, centre.public_key(), grace_seconds=60)
    assert live.ok and live.pending == 1
    assert ledger.seal() is True
    assert ledger.seal() is False
    ledger.close()
    assert verify_ledger(centre.ledger_path, centre.public_key()).ok


def test_auto_seal_signs_the_tail_within_about_a_second(centre: Centre) -> None:
    import time

    with centre.ledger() as ledger:
        ledger.append("note", {"x": 1}, actor="system", seal=True)
        ledger.append("answer_saved", {"x": 2}, actor="system", seal=False)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if verify_ledger(centre.ledger_path, centre.public_key()).ok:
                break
            time.sleep(0.1)
        assert verify_ledger(centre.ledger_path, centre.public_key()).ok


def test_private_key_is_owner_only_and_passphrase_protects_it(tmp_path: Path) -> None:
    c, fp = Centre.init(tmp_path / "c", "X", passphrase="titkos jelszó")
    mode = stat.S_IMODE(os.stat(c.private_key_path).st_mode)
    assert mode == 0o600
    assert b"ENCRYPTED" in c.private_key_path.read_bytes()
    assert b"titkos" not in c.private_key_path.read_bytes()
    with pytest.raises(KioskError, match="wrong passphrase"):
        c.ledger("rossz")
    with pytest.raises(KioskError, match="passphrase is needed"):
        c.ledger(None)
    with c.ledger("titkos jelszó") as ledger:
        ledger.append("note", {}, actor="system")
    assert fp.startswith("SHA256:")


def test_init_refuses_an_existing_centre_and_changes_nothing(centre: Centre) -> None:
    before = {p.name: p.read_bytes() for p in centre.path.iterdir() if p.is_file()}
    with pytest.raises(KioskError, match="already exists"):
        Centre.init(centre.path, "Other")
    after = {p.name: p.read_bytes() for p in centre.path.iterdir() if p.is_file()}
    assert before.keys() == after.keys()
    assert before["centre.key"] == after["centre.key"]


def test_opening_a_non_ledger_is_a_clear_error(tmp_path: Path) -> None:
    junk = tmp_path / "ledger.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(KioskError, match="not a ledger database"):
        store.Ledger(junk, None, readonly=True)
    assert junk.read_bytes() == b"this is not sqlite" * 100
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)")
    with pytest.raises(KioskError, match="not a kiosk ledger"):
        store.Ledger(other, None, readonly=True)
    with pytest.raises(KioskError, match="no centre here"):
        Centre.open(tmp_path / "missing")


def test_readonly_ledger_refuses_to_append(centre: Centre) -> None:
    with centre.reader() as ledger, pytest.raises(KioskError, match="read-only"):
        ledger.append("note", {}, actor="system")


def test_data_version_changes_when_another_process_commits(centre: Centre) -> None:
    reader = centre.reader()
    before = reader.data_version()
    with centre.ledger() as writer:
        writer.append("note", {}, actor="system")
    assert reader.data_version() != before
    reader.close()


def test_append_many_is_all_or_nothing(centre: Centre) -> None:
    from kiosk.ledger.store import NewEvent

    with centre.ledger() as ledger:
        events = ledger.append_many([NewEvent("a", {"i": i}, "system") for i in range(3)])
        assert [e.seq for e in events] == [2, 3, 4]
        assert events[1].prev_hash == events[0].hash
        # The second event fails inside the transaction, after the first was inserted: both go.
        with pytest.raises(TypeError):
            ledger.append_many([NewEvent("a", {"i": 1}, "system"), NewEvent("b", {}, None)])  # type: ignore[arg-type]
        assert ledger.count() == 4
    assert verify_ledger(centre.ledger_path, centre.public_key()).ok
