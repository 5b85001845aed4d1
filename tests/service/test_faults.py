"""Faults on an exam day, each in a real process: candidates killed with SIGKILL again and again,
a full disk, a damaged ledger file, a wall clock that jumps an hour, two terminals racing for one
candidate. Larger runs: `python benchmarks/faults.py`.

Already covered elsewhere and not repeated here: one SIGKILL mid-exam with resume of answers and
time (tests/service/test_session_crash.py, tests/apps/test_candidate_app.py::test_sigkill_mid_exam_…), SIGKILL
of raw ledger writers (tests/service/test_ledger_processes.py), a ledger locked past the busy timeout
(tests/service/test_session.py::test_not_saved_while_locked_then_retry_saves).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.errors import KioskError
from kiosk.ledger.centre import Centre
from kiosk.ledger.verify import verify_ledger
from kiosk.session import CandidateSession
from kiosk.simulation import prepare, simulate
from tests.support.session_helpers import make_setup

REPO = Path(__file__).resolve().parents[2]
HERE = REPO / "tests" / "support"
PRACTICE = REPO / "question_banks" / "practice_en.exam.toml"


def recover_and_verify(centre: Centre) -> None:
    """What the next process to open the ledger does after a crash (it signs the unsigned tail),
    then the full verification."""
    with centre.ledger():
        pass
    report = verify_ledger(centre.ledger_path, centre.public_key())
    assert report.ok, report.problems


# --- kill -9, repeatedly ------------------------------------------------------------------------


def test_candidates_killed_repeatedly_lose_no_acknowledged_answer(tmp_path: Path) -> None:
    setup = prepare(tmp_path / "centre", str(PRACTICE), 6)
    report = simulate(setup, speed=150, seed=7, kill_fraction=0.5, kills_per_candidate=3,
                      kill_window=(0.02, 0.2), verify=False, log_dir=tmp_path / "logs")
    assert report.kills == 9, report.lines()
    assert report.saves_acked > 20, report.lines()
    assert report.lost == [], report.lost
    recover_and_verify(Centre.open(setup.centre))
    # Every killed candidate came back and finished: the resumed process took the attempt over.
    assert report.submitted + report.timed_out == 6, report.lines()
    assert report.unfinished == 0


def test_lost_save_check_can_fail(tmp_path: Path) -> None:
    """The checker behind "lost saves: 0" finds an acknowledged answer missing from the ledger."""
    from kiosk.simulation import digest, lost_saves

    s = make_setup(tmp_path)
    logs = tmp_path / "logs"
    logs.mkdir()
    session = CandidateSession.login(s.centre.path, "C1", s.code, seat="PC1")
    session.start()
    key = session.parts[0].items[0].key
    session.save_answer(key, True)
    attempt = session.attempt_id
    session.close()
    acks = [{"t": "ack", "attempt": attempt, "item": key, "r": digest(True)},
            {"t": "ack", "attempt": attempt, "item": key, "r": digest(False)}]
    (logs / "C1.jsonl").write_text("".join(json.dumps(a) + "\n" for a in acks))
    assert lost_saves(s.centre, logs) == [f"{attempt} {key}"]


# --- disk full ----------------------------------------------------------------------------------


def run_disk_full(s: object, candidate: str, *extra: str) -> tuple[int, list[dict]]:
    proc = subprocess.run(
        [sys.executable, str(HERE / "fault_disk_full.py"), str(s.centre.path), candidate,  # type: ignore[attr-defined]
         s.code, *extra], capture_output=True, text=True, cwd=REPO, timeout=60)  # type: ignore[attr-defined]
    steps = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    assert steps, proc.stderr
    return proc.returncode, steps


def test_disk_full_tells_the_candidate_and_work_continues_once_space_returns(
        tmp_path: Path) -> None:
    s = make_setup(tmp_path)
    code, steps = run_disk_full(s, "C1")
    assert code == 0, steps
    by = {st["step"]: st for st in steps}
    full = by["full"]
    assert full["raised"] == "NotSaved"
    assert "call the invigilator" in full["message"]
    assert full["unsaved"] == 1 and full["shown"] is False  # the answer stays on screen
    assert by["tick_while_full"]["unsaved"] == 1
    assert by["tick_while_full"]["status"] == "in_progress"
    back = by["space_back"]
    assert back["retried"] is True and back["unsaved"] == 0
    # Nothing corrupted, and both the retried and the later answer are in the ledger.
    centre = s.centre
    report = verify_ledger(centre.ledger_path, centre.public_key())
    assert report.ok, report.problems
    with centre.reader() as reader:
        saved = [(e.body["item"], e.body["response"]) for e in reader.events(kind="answer_saved")]
        check = reader.conn.execute("PRAGMA integrity_check").fetchone()[0]
    assert check == "ok"
    assert saved == [(k, v) for k, v in back["answers"].items()]


def test_killed_while_the_disk_is_full_leaves_a_sound_ledger(tmp_path: Path) -> None:
    s = make_setup(tmp_path)
    code, steps = run_disk_full(s, "C2", "--die-full")
    assert code == -signal.SIGKILL
    assert [st["step"] for st in steps] == ["saved_before", "full", "tick_while_full"]
    recover_and_verify(s.centre)
    # The candidate logs in again: the answer saved before the disk filled is there, the pending
    # one was never acknowledged (the screen showed "call the invigilator").
    again = CandidateSession.login(s.centre.path, "C2", s.code, seat="PC-2")
    view = again.view()
    assert view.answers == {steps[0]["item"]: True}
    again.close()


# --- a damaged ledger file ----------------------------------------------------------------------


def damaged_centre(tmp_path: Path, how: str) -> tuple[Path, str]:
    s = make_setup(tmp_path)
    for cand in ("C1", "C2"):
        session = CandidateSession.login(s.centre.path, cand, s.code, seat=cand)
        session.start()
        for view in session.parts[0].items:
            session.save_answer(view.key, True)
        session.close()
    ledger = s.centre.ledger_path
    assert not Path(str(ledger) + "-wal").exists() or Path(str(ledger) + "-wal").stat().st_size == 0
    data = bytearray(ledger.read_bytes())
    if how == "page":
        # Clobber the b-tree header of a page holding answers.
        page = data.find(b"answer_saved") // 4096
        data[page * 4096:page * 4096 + 16] = b"\xff" * 16
    else:
        del data[len(data) // 2:]
    ledger.write_bytes(bytes(data))
    return s.centre.path, s.code


def digest_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("how", ["page", "truncated"])
def test_kiosk_verify_reports_a_damaged_ledger(tmp_path: Path, how: str) -> None:
    centre, _ = damaged_centre(tmp_path, how)
    before = digest_of(centre / "ledger.db")
    proc = subprocess.run([sys.executable, "-m", "kiosk", "verify", "--centre", str(centre)],
                          capture_output=True, text=True, cwd=REPO, timeout=60)
    assert proc.returncode in (1, 2)
    out = proc.stdout + proc.stderr
    assert "corrupt" in out or "malformed" in out, out
    assert "Traceback" not in out
    assert digest_of(centre / "ledger.db") == before


def test_login_refuses_a_truncated_ledger_without_writing(tmp_path: Path) -> None:
    centre, code = damaged_centre(tmp_path, "truncated")
    before = digest_of(centre / "ledger.db")
    with pytest.raises(KioskError, match="corrupt") as info:
        CandidateSession.login(centre, "C1", code, seat="PC9")
    assert "\n" not in str(info.value)
    assert digest_of(centre / "ledger.db") == before


def test_login_refuses_a_ledger_with_a_damaged_page_without_writing(tmp_path: Path) -> None:
    centre, code = damaged_centre(tmp_path, "page")
    before = digest_of(centre / "ledger.db")
    try:
        with pytest.raises(KioskError) as info:
            CandidateSession.login(centre, "C1", code, seat="PC9")
        assert "\n" not in str(info.value)
    finally:
        assert digest_of(centre / "ledger.db") == before


@pytest.mark.parametrize("how", ["page", "truncated"])
def test_kiosk_sit_refuses_to_start_on_a_damaged_ledger(tmp_path: Path, how: str) -> None:
    centre, _ = damaged_centre(tmp_path, how)
    before = digest_of(centre / "ledger.db")
    marker = tmp_path / "ready"
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "sit", "--centre", str(centre), "--seat", "T1",
         "--ready-file", str(marker)], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, cwd=REPO, env=dict(os.environ, TERM="xterm-256color"),
        start_new_session=True)
    deadline = time.monotonic() + 20
    while proc.poll() is None and not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    started = marker.exists()
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    _, err = proc.communicate(timeout=10)
    assert digest_of(centre / "ledger.db") == before
    assert not started, "the kiosk showed its login screen on a damaged ledger"
    assert proc.returncode == 2
    assert err.decode().strip().count("\n") == 0 and "corrupt" in err.decode()


# --- the wall clock jumps -----------------------------------------------------------------------


def test_wall_clock_jumps_do_not_change_remaining_time(tmp_path: Path) -> None:
    s = make_setup(tmp_path)
    proc = subprocess.run(
        [sys.executable, str(HERE / "fault_clock_driver.py"), str(s.centre.path), "C1", s.code],
        capture_output=True, text=True, cwd=REPO, timeout=60)
    assert proc.returncode == 0, proc.stderr
    phases = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [p["phase"] for p in phases] == ["before", "plus_hour", "minus_hour"]
    for a, b in zip(phases, phases[1:], strict=False):
        real = b["mono"] - a["mono"]
        assert b["status"] == "in_progress"
        # Remaining time went down by the real time that passed (±0.3 s), not by an hour.
        assert (a["remaining"] - b["remaining"]) == pytest.approx(real, abs=0.3), (a, b)
    # The process really saw the jumps: its ledger timestamps moved an hour and back.
    from kiosk.domain.room import epoch

    with s.centre.reader() as reader:
        stamps = [epoch(e.ts) for e in reader.events(kind="answer_saved")]
    assert stamps[1] - stamps[0] > 3000 and stamps[2] - stamps[1] < -6000
    # A ledger written across the jumps still verifies.
    recover_and_verify(s.centre)
    # And a resume afterwards (a new process, true clock) keeps the same remaining time.
    again = CandidateSession.login(s.centre.path, "C1", s.code, seat="PC-2")
    assert again.view().remaining_s == pytest.approx(phases[-1]["remaining"], abs=1.0)
    again.close()


# --- two terminals, one candidate ---------------------------------------------------------------


def test_four_terminals_logging_in_as_one_candidate_at_once_exactly_one_wins(
        tmp_path: Path) -> None:
    """tests/service/test_session.py races two processes; here four, from four seats, to the same
    instant."""
    s = make_setup(tmp_path)
    start_at = time.time() + 2.0
    procs = [subprocess.Popen(
        [sys.executable, str(HERE / "session_login_race.py"), str(s.centre.path), "C2", s.code,
         f"PC{i}", str(start_at)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=REPO) for i in range(4)]
    outs = [p.communicate(timeout=60) for p in procs]
    results = sorted(out.strip() for out, _ in outs)
    assert results == ["ELSEWHERE", "ELSEWHERE", "ELSEWHERE", "WON"], outs
    with s.centre.reader() as reader:
        created = [e for e in reader.events(kind="attempt_created")
                   if e.body["candidate"] == "C2"]
    assert len(created) == 1


def test_copy_of_a_damaged_centre_is_untouched_by_verify(tmp_path: Path) -> None:
    """`kiosk verify` opens read-only: verifying a copy a second time gives the same bytes and
    the same verdict."""
    centre, _ = damaged_centre(tmp_path, "page")
    copy = tmp_path / "copy"
    shutil.copytree(centre, copy)
    verdicts = []
    for _ in range(2):
        proc = subprocess.run([sys.executable, "-m", "kiosk", "verify", "--centre", str(copy)],
                              capture_output=True, text=True, cwd=REPO, timeout=60)
        verdicts.append((proc.returncode, proc.stdout))
    assert verdicts[0] == verdicts[1] and verdicts[0][0] == 1
    assert digest_of(copy / "ledger.db") == digest_of(centre / "ledger.db")
