"""`kiosk init`, `kiosk verify` and receipts through the real command line."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from kiosk.ledger import receipts
from kiosk.ledger.centre import Centre
from kiosk.ledger.store import heads_path
from tests.support import ledger_tamper as t
from tests.support.cli import kiosk


def test_init_prints_fingerprint_and_verify_passes(tmp_path: Path) -> None:
    run = kiosk("init", "--centre", str(tmp_path / "c"), "--name", "Veszprémi központ")
    assert run.returncode == 0, run.stderr
    fp = next(line.split(": ", 1)[1] for line in run.stdout.splitlines() if line.startswith("Key fingerprint"))
    assert fp.startswith("SHA256:")
    ok = kiosk("verify", "--centre", str(tmp_path / "c"))
    assert ok.returncode == 0 and fp in ok.stdout and "1 events" in ok.stdout
    data = json.loads(kiosk("verify", str(tmp_path / "c" / "ledger.db"), "--json").stdout)
    assert data["ok"] is True and data["fingerprint"] == fp and data["head_seq"] == 1


def test_init_refuses_existing_centre_with_exit_2(tmp_path: Path) -> None:
    assert kiosk("init", "--centre", str(tmp_path / "c")).returncode == 0
    again = kiosk("init", "--centre", str(tmp_path / "c"))
    assert again.returncode == 2
    assert again.stderr.count("\n") == 1 and "already exists" in again.stderr
    assert "Traceback" not in again.stderr


def test_init_with_prompted_passphrase(tmp_path: Path) -> None:
    run = kiosk("init", "--centre", str(tmp_path / "c"), "--passphrase", input="jelszó\njelszó\n")
    assert run.returncode == 0, run.stderr
    assert b"ENCRYPTED" in (tmp_path / "c" / "centre.key").read_bytes()


def test_errors_are_one_line_with_exit_2(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"\x00" * 5000)
    corrupt = tmp_path / "c"
    Centre.init(corrupt, "C")
    data = bytearray((corrupt / "ledger.db").read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)
    (corrupt / "ledger.db").write_bytes(bytes(data))
    for args in (
        ("verify", "--centre", str(tmp_path / "missing")),
        ("verify", str(junk)),
        ("verify", str(tmp_path / "nothing.db")),
        ("verify", "--centre", str(corrupt)),
    ):
        run = kiosk(*args)
        assert run.returncode == 2, (args, run.stdout, run.stderr)
        assert run.stderr.startswith("kiosk: ") and run.stderr.count("\n") == 1, run.stderr
        assert "Traceback" not in run.stderr
    assert junk.read_bytes() == b"\x00" * 5000


def test_verify_names_the_first_bad_event(centre: Centre) -> None:
    with centre.ledger() as ledger:
        for i in range(5):
            ledger.append("answer_saved", {"i": i}, actor="candidate:C1", attempt="A1")
    conn = t.open_raw(centre.ledger_path)
    t.change_field(conn, 4, "body")
    t.restore_triggers(conn)
    conn.close()
    run = kiosk("verify", "--centre", str(centre.path))
    assert run.returncode == 1
    assert "first bad event #4" in run.stdout
    data = json.loads(kiosk("verify", "--centre", str(centre.path), "--json").stdout)
    assert data["ok"] is False and data["first_bad_seq"] == 4
    assert "changed" in data["problems"][0]["reason"]


def test_receipt_is_found_and_truncation_is_caught(centre: Centre) -> None:
    with centre.ledger() as ledger:
        ledger.append("answer_saved", {"i": 1}, actor="candidate:C1", attempt="A1")
        submitted = ledger.append("attempt_submitted", {}, actor="candidate:C1", attempt="A1")
        ledger.append("answer_saved", {"i": 2}, actor="candidate:C2", attempt="A2")
    code = receipts.receipt_code(submitted.hash)
    found = kiosk("verify", "--centre", str(centre.path), "--receipt", code.lower().replace("-", " "))
    assert found.returncode == 0 and f"#{submitted.seq}" in found.stdout
    # Cut the ledger back to the checkpoint before the submission (triggers restored): it
    # verifies, but the candidate's paper receipt is no longer in it.
    conn = t.open_raw(centre.ledger_path)
    t.truncate_to(conn, submitted.seq - 2)  # one checkpoint per transaction here
    t.restore_triggers(conn)
    conn.close()
    # The heads file beside the ledger catches that by itself …
    rolled = kiosk("verify", "--centre", str(centre.path))
    assert rolled.returncode == 1 and "rolled back" in rolled.stdout
    # … so a careful attacker removes it too; then only the receipt shows the cut.
    heads_path(centre.ledger_path).unlink()
    assert kiosk("verify", "--centre", str(centre.path)).returncode == 0
    missing = kiosk("verify", "--centre", str(centre.path), "--receipt", code)
    assert missing.returncode == 1 and "NOT found" in missing.stdout
    bad = kiosk("verify", "--centre", str(centre.path), "--receipt", "hello")
    assert bad.returncode == 2 and "not a receipt code" in bad.stderr


def test_triggers_message_is_clear(centre: Centre) -> None:
    conn = sqlite3.connect(centre.ledger_path)
    try:
        conn.execute("DELETE FROM events")
    except sqlite3.IntegrityError as exc:
        assert "append-only" in str(exc)
    else:
        raise AssertionError("delete was allowed")


@given(st.text(alphabet="0123456789abcdef", min_size=64, max_size=64))
def test_receipt_codes_are_short_unambiguous_and_round_trip(head: str) -> None:
    code = receipts.receipt_code(head)
    assert len(code) == 14 and code.count("-") == 2
    assert not set(code) & set("ILOU")
    assert receipts.normalise(code.lower().replace("-", "")) == code
    assert receipts.normalise(code.replace("0", "O").replace("1", "I")) == code
