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


def test_every_transaction_signs_a_checkpoint_over_its_head(centre: Centre) -> None:
    with centre.ledger() as ledger:
        a = ledger.append("answer_saved", {"x": 2}, actor="system")
        many = ledger.append_many([store.NewEvent("note", {"i": i}, "system") for i in range(3)])
        done: list[int] = []
        with ledger.transaction():
            assert ledger.head().seq == many[-1].seq  # reads inside see the ledger
            b = ledger.append("answer_saved", {"x": 3}, actor="system", attempt="A1")
            c = ledger.append_many([store.NewEvent("flag_set", {"x": 4}, "system", "A1")])[0]
            assert ledger.get(b.seq) is not None  # and the transaction's own events
            ledger.after_commit(lambda: done.append(ledger.head_seq()))
            assert done == []  # not before the COMMIT
        assert done == [c.seq]
        cps = store.read_checkpoints(ledger.conn)
    # genesis, the append, the append_many and the transaction: one checkpoint each
    assert [cp.upto_seq for cp in cps] == [1, a.seq, many[-1].seq, c.seq]
    assert all(cp.version == 2 for cp in cps)
    assert [cp.prev for cp in cps[1:]] == [cp.digest() for cp in cps[:-1]]
    assert verify_ledger(centre.ledger_path, centre.public_key()).ok


def test_a_savepoint_rolled_back_inside_a_transaction_leaves_a_consistent_chain(
        centre: Centre) -> None:
    """The service undoes one job of a group commit with a savepoint: the checkpoint signs the
    head as it is at COMMIT, and a transaction whose every append was undone signs nothing."""
    with centre.ledger() as ledger:
        with ledger.transaction():
            kept = ledger.append("note", {"job": 1}, actor="system")
            ledger.conn.execute("SAVEPOINT job2")
            ledger.append("note", {"job": 2}, actor="system")
            ledger.conn.execute("ROLLBACK TO job2")
            ledger.conn.execute("RELEASE job2")
            after = ledger.append("note", {"job": 3}, actor="system")
        assert after.seq == kept.seq + 1 and after.prev_hash == kept.hash
        cps = len(store.read_checkpoints(ledger.conn))
        with ledger.transaction():
            ledger.conn.execute("SAVEPOINT only")
            ledger.append("note", {"job": 4}, actor="system")
            ledger.conn.execute("ROLLBACK TO only")
            ledger.conn.execute("RELEASE only")
        assert len(store.read_checkpoints(ledger.conn)) == cps
        with pytest.raises(KioskError, match="already open"), ledger.transaction(), \
                ledger.transaction():
            pass
        ledger.append("note", {"after": True}, actor="system")
    assert verify_ledger(centre.ledger_path, centre.public_key()).ok


def test_a_failed_transaction_writes_nothing(centre: Centre) -> None:
    with centre.ledger() as ledger:
        before = (ledger.head_seq(), len(store.read_checkpoints(ledger.conn)))
        with pytest.raises(RuntimeError), ledger.transaction():
            ledger.append("note", {"x": 1}, actor="system")
            raise RuntimeError("refused inside the transaction")
        assert (ledger.head_seq(), len(store.read_checkpoints(ledger.conn))) == before
        ledger.append("note", {"x": 2}, actor="system")
    assert verify_ledger(centre.ledger_path, centre.public_key()).ok


@pytest.mark.parametrize("ts", ["2020-01-01T00:00:00.000000Z", "2099-01-01T00:00:00.000000Z", "now"])
def test_unsigned_events_behind_the_writers_back_fail_verify_and_the_writer_refuses(
        centre: Centre, ts: str) -> None:
    """Any timestamp, past, present or future: no grace period."""
    from tests.support.ledger_tamper import append_unsigned

    with centre.ledger() as ledger:
        ledger.append("note", {"x": 1}, actor="system")
    conn = sqlite3.connect(centre.ledger_path, isolation_level=None)
    first = append_unsigned(conn, store.utc_now() if ts == "now" else ts)
    last = append_unsigned(conn, store.utc_now() if ts == "now" else ts)
    conn.close()
    report = verify_ledger(centre.ledger_path, centre.public_key())
    assert not report.ok and report.first_bad_seq == first
    assert f"events {first}..{last} are not covered" in report.problems[0].reason
    size = centre.ledger_path.stat().st_size
    with pytest.raises(KioskError, match=rf"events {first}\.\.{last} are not covered.*kiosk verify"):
        centre.ledger()
    # The writer signed nothing on top of them.
    assert not verify_ledger(centre.ledger_path, centre.public_key()).ok
    assert centre.ledger_path.stat().st_size == size


def test_a_forged_newest_checkpoint_is_refused_by_the_writer(centre: Centre) -> None:
    from tests.support.ledger_tamper import append_unsigned

    with centre.ledger() as ledger:
        ledger.append("note", {"x": 1}, actor="system")
        last = ledger.signed_head()
    conn = sqlite3.connect(centre.ledger_path, isolation_level=None)
    seq = append_unsigned(conn, store.utc_now())
    head = conn.execute("SELECT hash FROM events WHERE seq = ?", (seq,)).fetchone()[0]
    conn.execute(
        f"INSERT INTO checkpoints ({store.CHECKPOINT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, 2, ?)",
        (last.id + 1, seq, head, store.utc_now(), last.key_fingerprint, "A" * 88, last.digest()))
    conn.close()
    with pytest.raises(KioskError, match="not validly signed"):
        centre.ledger()
    assert not verify_ledger(centre.ledger_path, centre.public_key()).ok


def test_a_writer_also_refuses_events_appended_while_it_is_open(centre: Centre) -> None:
    from tests.support.ledger_tamper import append_unsigned

    with centre.ledger() as ledger:
        ledger.append("note", {"x": 1}, actor="system")
        conn = sqlite3.connect(centre.ledger_path, isolation_level=None)
        append_unsigned(conn, store.utc_now())
        conn.close()
        with pytest.raises(KioskError, match="not covered by a signed checkpoint"):
            ledger.append("note", {"x": 2}, actor="system")


def test_the_key_fingerprint_is_signed(centre: Centre) -> None:
    with centre.ledger() as ledger:
        ledger.append("note", {"x": 1}, actor="system")
    conn = sqlite3.connect(centre.ledger_path, isolation_level=None)
    conn.execute("DROP TRIGGER checkpoints_no_update")
    conn.execute("UPDATE checkpoints SET key_fingerprint = 'SHA256:0000' WHERE id = 2")
    conn.executescript(store.SCHEMA)
    conn.close()
    report = verify_ledger(centre.ledger_path, centre.public_key())
    assert not report.ok and report.first_bad_seq == 2


def test_an_old_v1_ledger_still_verifies_and_a_writer_continues_it_chained(tmp_path: Path) -> None:
    """A ledger written before checkpoint format v2 (no version/prev columns, v1 messages)."""
    from kiosk.ledger import keys
    from kiosk.ledger.canonical import checkpoint_message

    c, _ = Centre.init(tmp_path / "c", "Old")
    private = keys.read_private(c.private_key_path, None)
    old = tmp_path / "old.db"
    conn = sqlite3.connect(old, isolation_level=None)
    conn.executescript(store.SCHEMA.replace(
        ",\n    version INTEGER NOT NULL DEFAULT 1,\n    prev TEXT NOT NULL DEFAULT ''", ""))
    assert "prev" not in {r[1] for r in conn.execute("PRAGMA table_info(checkpoints)")}
    conn.execute("INSERT INTO meta VALUES ('format', '1')")
    body = canonical_json({"centre": "Old", "public_key": keys.public_b64(private.public_key())})
    prev = GENESIS_PREV
    for seq, kind in ((1, "genesis"), (2, "note"), (3, "note")):
        ts = store.utc_now()
        text = body if seq == 1 else canonical_json({"n": seq})
        digest = event_hash(prev, seq, ts, "system", None, kind, text)
        conn.execute("INSERT INTO events VALUES (?, ?, 'system', NULL, ?, ?, ?, ?)",
                     (seq, ts, kind, text, prev, digest))
        if seq != 2:  # v1 checkpoints covered ranges
            cp_id = 1 if seq == 1 else 2
            sig = keys.sign(private, checkpoint_message(cp_id, seq, digest, ts))
            conn.execute("INSERT INTO checkpoints VALUES (?, ?, ?, ?, ?, ?)",
                         (cp_id, seq, digest, ts, "not signed in v1", sig))
        prev = digest
    conn.close()
    assert verify_ledger(old, c.public_key()).ok
    with store.Ledger(old, private) as ledger:
        ledger.append("note", {"n": 4}, actor="system")
        cps = store.read_checkpoints(ledger.conn)
    assert [cp.version for cp in cps] == [1, 1, 2]
    assert cps[2].prev == cps[1].digest()
    assert verify_ledger(old, c.public_key()).ok
    # A v1 signature is still checked one by one.
    conn = sqlite3.connect(old, isolation_level=None)
    conn.execute("DROP TRIGGER checkpoints_no_update")
    conn.execute("UPDATE checkpoints SET signature = 'AAAA' || substr(signature, 5) WHERE id = 1")
    conn.close()
    assert verify_ledger(old, c.public_key()).first_bad_seq == 1


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
