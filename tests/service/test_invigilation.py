"""The invigilator's actions (kiosk/invigilation.py), the sitting commands and the minutes."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk import invigilation as inv
from kiosk.errors import KioskError
from kiosk.ledger.centre import Centre
from kiosk.ledger.receipts import receipt_code
from kiosk.ledger.store import NewEvent
from kiosk.minutes import minutes_text
from kiosk.session import CandidateSession, LoginFailed
from tests.support.invigilation_helpers import (
    PASSWORD,
    SITTING,
    USER,
    FrozenTime,
    add_user,
    answer,
    arrive,
    attempt_id,
    bulk_centre,
)
from tests.support.session_helpers import Setup

pytestmark = pytest.mark.world("room")


def anna(setup: Setup) -> inv.Invigilator:
    with setup.centre.reader() as ledger:
        return inv.login(ledger, USER, PASSWORD)


def test_login_needs_an_active_invigilator_and_never_says_which_part_failed(
        setup: Setup) -> None:
    add_user(setup.centre, "eva", "examiner-pass", role="examiner")
    with setup.centre.reader() as ledger:
        assert inv.login(ledger, USER, PASSWORD).actor == "invigilator:anna"
        messages = set()
        for name, password in ((USER, "wrong-pass"), ("nobody", PASSWORD),
                               ("eva", "examiner-pass")):
            with pytest.raises(KioskError) as err:
                inv.login(ledger, name, password)
            messages.add(str(err.value))
        assert messages == {"Unknown user name or wrong password."}
        assert inv.login(ledger, "eva", "examiner-pass", ("invigilator", "examiner")).actor \
            == "examiner:eva"


def test_each_action_checks_the_state_and_carries_the_user(setup: Setup) -> None:
    user = anna(setup)
    session = CandidateSession.login(setup.centre, "C1", setup.code, seat="B204-01")
    a = session.attempt_id
    with setup.centre.ledger() as ledger:
        with pytest.raises(inv.ActionRefused, match="admit the candidate first"):
            inv.start(ledger, user, a)
        with pytest.raises(inv.ActionRefused, match="has not started"):
            inv.pause(ledger, user, a, "noise")
        inv.admit(ledger, user, a, document="ID 1234")
        with pytest.raises(inv.ActionRefused, match="already admitted"):
            inv.admit(ledger, user, a)
        inv.start(ledger, user, a)
        with pytest.raises(inv.ActionRefused, match="reason is required"):
            inv.pause(ledger, user, a, "  ")
        with pytest.raises(inv.ActionRefused, match="not paused"):
            inv.resume(ledger, user, a)
        for bad in (0, -5, 601, True):
            with pytest.raises(inv.ActionRefused, match="minutes"):
                inv.extend(ledger, user, a, bad, "lost")  # type: ignore[arg-type]
        with pytest.raises(inv.ActionRefused, match="cause"):
            inv.extend(ledger, user, a, 5, "lost", cause="because")
        with pytest.raises(inv.ActionRefused, match="not marked away"):
            inv.returned(ledger, user, a)
        with pytest.raises(inv.ActionRefused, match="already at seat B204-01"):
            inv.move_seat(ledger, user, a, "B204-01", "broken")
        with pytest.raises(inv.ActionRefused, match="still running"):
            inv.close_sitting(ledger, user, setup.sitting)
        extension = inv.extend(ledger, user, a, 2.5, "power cut", cause="lost_time")
        assert extension.actor == "invigilator:anna"
        assert extension.body == {"minutes": 2.5, "cause": "lost_time", "reason": "power cut"}
        with pytest.raises(inv.ActionRefused, match="reason is required"):
            inv.void(ledger, user, a, "")
        inv.void(ledger, user, a, "phone")
        with pytest.raises(inv.ActionRefused, match="voided"):
            inv.force_submit(ledger, user, a)
        assert {e.actor for e in ledger.events(attempt=a) if e.kind not in (
            "attempt_created", "candidate_logged_in", "time_tick")} == {"invigilator:anna"}
    session.refresh()
    assert session.view().status == "voided"
    session.close(force=True)


def test_an_irregularity_suspends_records_both_statements_and_lets_the_candidate_continue(
        setup: Setup) -> None:
    user = anna(setup)
    session = CandidateSession.login(setup.centre, "C1", setup.code, seat="B204-01")
    a = session.attempt_id
    with setup.centre.ledger() as ledger:
        inv.admit(ledger, user, a)
        inv.start(ledger, user, a)
        suspended = inv.suspend(ledger, user, a)
        session.refresh()
        assert session.view().status == "suspended"
        with pytest.raises(inv.ActionRefused, match="not a suspension"):
            inv.record_irregularity(ledger, user, a, nature="x", supervisor_statement="y",
                                    suspended_seq=suspended.seq - 1)
        record, resumed = inv.record_irregularity(
            ledger, user, a, nature="notes on the desk", candidate_statement="they are mine",
            supervisor_statement="removed the notes", suspended_seq=suspended.seq)
    assert record.kind == "irregularity_recorded" and resumed.kind == "unsuspended"
    assert record.body["suspended_at"] == suspended.ts
    session.refresh()
    assert session.view().status == "in_progress"
    session.close(force=True)


def test_start_all_starts_only_the_admitted(setup: Setup) -> None:
    user = anna(setup)
    s1 = CandidateSession.login(setup.centre, "C1", setup.code, seat="B1")
    s2 = CandidateSession.login(setup.centre, "C2", setup.code, seat="B2")
    with setup.centre.ledger() as ledger:
        with pytest.raises(inv.ActionRefused, match="nobody to start"):
            inv.start_all(ledger, user, setup.sitting)
        inv.admit(ledger, user, s1.attempt_id)
        started = inv.start_all(ledger, user, setup.sitting)
        assert [e.attempt for e in started] == [s1.attempt_id]
        inv.pause_all(ledger, user, setup.sitting, "alarm")
        with pytest.raises(inv.ActionRefused, match="already paused"):
            inv.pause_all(ledger, user, setup.sitting, "alarm")
        with pytest.raises(inv.ActionRefused, match="whole room is paused"):
            inv.resume(ledger, user, s1.attempt_id)
        inv.resume_all(ledger, user, setup.sitting)
    s1.refresh()
    s2.refresh()
    assert (s1.view().status, s2.view().status) == ("in_progress", "logged_in")
    s1.close(force=True)
    s2.close(force=True)


def run_cli(centre: Centre, *args: str, password: str = PASSWORD) -> tuple[int, str]:
    """The real `kiosk` command in its own process (exit code and one-line errors included)."""
    proc = subprocess.run([sys.executable, "-m", "kiosk", *args, "--centre", str(centre.path)],
                          capture_output=True, text=True,
                          env={**os.environ, "KIOSK_PASSWORD": password})
    return proc.returncode, proc.stdout + proc.stderr


def test_sitting_seat_open_and_close_from_the_cli(setup: Setup) -> None:
    c = setup.centre
    code, out = run_cli(c, "sitting", "seat", setup.sitting, "c2", "B204-02", "--user", USER)
    assert code == 0, out
    assert "C2 -> seat B204-02" in out
    code, out = run_cli(c, "sitting", "seat", setup.sitting, "C3", "B204-02", "--user", USER)
    assert code == 2 and "seat B204-02 is already C2's" in out and "Traceback" not in out
    code, out = run_cli(c, "sitting", "seat", setup.sitting, "C3", "B204-03", "--user", USER,
                        password="wrong-password")
    assert code == 2 and "wrong password" in out
    code, out = run_cli(c, "sitting", "seat", "S-nope", "C3", "B204-03", "--user", USER)
    assert code == 2 and "no sitting 'S-nope'" in out
    code, out = run_cli(c, "sitting", "open", setup.sitting, "--user", USER)
    assert code == 2 and "already open" in out

    session = CandidateSession.login(c, "C1", setup.code, seat="B204-01")
    with c.ledger() as ledger:
        inv.admit(ledger, anna(setup), session.attempt_id)
        inv.start(ledger, anna(setup), session.attempt_id)
    code, out = run_cli(c, "sitting", "close", setup.sitting, "--user", USER)
    assert code == 2 and "1 attempt(s) still running" in out
    code, out = run_cli(c, "sitting", "close", setup.sitting, "--user", USER, "--force-submit")
    assert code == 0 and "1 attempt(s) force-submitted" in out, out
    session.refresh()
    assert session.view().status == "submitted" and session.receipt
    session.close(force=True)
    with pytest.raises(LoginFailed, match="This sitting is closed"):
        CandidateSession.login(c, "C2", setup.code, seat="B204-02")  # closed: no more logins
    code, out = run_cli(c, "sitting", "open", setup.sitting, "--user", USER)
    assert code == 0 and "is open" in out
    with c.reader() as ledger:
        kinds = [(e.kind, e.actor) for e in ledger.events(
            kind=("seat_assigned", "sitting_closed", "sitting_opened"))]
    assert kinds == [("seat_assigned", "invigilator:anna"), ("sitting_closed", "invigilator:anna"),
                     ("sitting_opened", "invigilator:anna")]


def test_minutes_list_presence_seats_interventions_irregularities_and_receipts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FrozenTime(datetime(2025, 6, 2, 8, 0, tzinfo=UTC))
    monkeypatch.setattr("kiosk.ledger.store.utc_now", clock)
    centre = bulk_centre(tmp_path, [("C1", "Kovács Anna"), ("C2", "Nagy Gergő"),
                                    ("C3", "Szűcs Réka")], seats={"C1": "B204-01"})
    user = inv.Invigilator("anna")
    with centre.ledger() as ledger:
        clock.at(8, 5)
        inv.assign_seat(ledger, user, SITTING, "C2", "B204-02")
        clock.at(8, 10)
        ledger.append_many(arrive("C1", "B204-01", admitted=False, started=False)
                           + arrive("C2", "B204-02", admitted=False, started=False))
        clock.at(8, 11)
        inv.admit(ledger, user, attempt_id("C1"), document="személyi 123456AB")
        inv.admit(ledger, user, attempt_id("C2"))
        clock.at(8, 12)
        inv.start_all(ledger, user, SITTING)
        clock.at(8, 20, 15)
        suspended = inv.suspend(ledger, user, attempt_id("C2"))
        clock.at(8, 24)
        inv.record_irregularity(ledger, user, attempt_id("C2"), nature="puska a padon",
                                candidate_statement="Nem az enyém.",
                                supervisor_statement="A puskát elvettem.",
                                suspended_seq=suspended.seq)
        clock.at(8, 25)
        inv.extend(ledger, user, attempt_id("C2"), 4, "a felfüggesztés ideje")
        clock.at(8, 30)
        ledger.append_many([answer("C1", "t:a1", 1000),
                            NewEvent("attempt_submitted", {"reason": "candidate"},
                                     "candidate:C1", attempt_id("C1"))])
        clock.at(8, 40)
        inv.close_sitting(ledger, user, SITTING, force_submit_running=True)
        submitted = {e.attempt: e for e in ledger.events(kind="attempt_submitted")}

    text = minutes_text(centre, SITTING, language="en", tz=UTC)
    lines = text.splitlines()
    assert lines[0] == f"MINUTES of sitting {SITTING}"
    assert "Exam: Egyrészes vizsga (one)" in lines
    assert "Started: 2025-06-02 08:12:00" in lines
    assert "Sitting closed: 2025-06-02 08:40:00" in lines
    assert not any(line.startswith(("Ended", "Status")) for line in lines)
    assert "Present and seating plan (2 of 3):" in lines
    assert any(line.split()[:2] == ["B204-01", "C1"] and "08:10:00" in line
               for line in lines)
    assert any(line.split()[:2] == ["B204-02", "C2"] for line in lines)
    assert "Absent (1):" in lines and any(line.split()[:3] == ["C3", "Szűcs", "Réka"]
                                          for line in lines)
    assert any("admitted" in line and "C1 Kovács Anna" in line and "személyi 123456AB" in line
               and line.strip().startswith("08:11:00") and line.rstrip().endswith("anna")
               for line in lines)
    assert any("time extended" in line and "+4 min (time lost, not the candidate's fault); "
               "a felfüggesztés ideje" in line for line in lines)
    block = text[text.index("Irregularities (1):"):text.index("Signatures")]
    assert "C2 Nagy Gergő" in block and "Seat: B204-02" in block
    assert "Candidate's signature: ____" in block
    assert "Suspended at: 2025-06-02 08:20:15" in block
    assert "Nature: puska a padon" in block
    assert "Candidate's statement: Nem az enyém." in block
    assert "Supervisor's statement: A puskát elvettem." in block
    c1 = receipt_code(submitted[attempt_id("C1")].hash)
    c2 = receipt_code(submitted[attempt_id("C2")].hash)
    assert any(c1 in line and "by the candidate" in line and "C1" in line for line in lines)
    assert any(c2 in line and "forced by the invigilator" in line and "C2" in line
               for line in lines)
    assert "sitting closed" in text

    hu = minutes_text(centre, SITTING, language="hu", tz=UTC)
    assert hu.startswith(f"JEGYZŐKÖNYV – {SITTING} vizsgaalkalom")
    assert "A vizsgázó nyilatkozata: Nem az enyém." in hu


def test_minutes_command(setup: Setup) -> None:
    code, out = run_cli(setup.centre, "minutes", setup.sitting, "--lang", "en")
    assert code == 0, out
    assert out.startswith(f"MINUTES of sitting {setup.sitting}")
    assert "Absent (3):" in out
    code, out = run_cli(setup.centre, "minutes", "S-missing")
    assert code == 2 and out.strip() == "kiosk: no sitting 'S-missing' (kiosk sitting list " \
        "shows them)"
