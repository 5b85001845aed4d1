"""CandidateSession against a real ledger: login, saving, submission, resume, concurrency."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.domain import attempts as A
from kiosk.domain.timing import ManualClock
from kiosk.exit_pin import set_pin
from kiosk.ledger.centre import Centre
from kiosk.ledger.receipts import receipt_code
from kiosk.ledger.verify import find_receipt, verify_ledger
from kiosk.session import (
    CandidateSession,
    LoginFailed,
    LoginThrottled,
    NotInProgress,
    NotSaved,
    PartClosed,
    SessionElsewhere,
)
from tests.support.session_helpers import correct, make_setup, new_sitting, simulate_crash

HERE = Path(__file__).resolve().parents[1] / "support"


def kinds(centre: Centre, attempt: str | None = None) -> list[str]:
    with centre.reader() as r:
        return [e.kind for e in r.events(attempt=attempt)]


def all_bodies(centre: Centre) -> str:
    with centre.reader() as r:
        return "\n".join(repr(e.body) for e in r.events())


# --- login ----------------------------------------------------------------------------------


def test_login_failures_are_generic_and_recorded_without_the_code(tmp_path: Path) -> None:
    s = make_setup(tmp_path)
    clock = ManualClock()
    messages = set()
    for cid, code in (("C1", "AAAA-AAAA"), ("NOBODY", s.code)):
        with pytest.raises(LoginFailed) as exc:
            CandidateSession.login(s.centre.path, cid, code, seat=f"PC-{cid}", clock=clock)
        messages.add(str(exc.value))
    assert len(messages) == 1  # no hint which one was wrong
    with s.centre.reader() as r:
        failed = [e.body for e in r.events(kind=A.LOGIN_FAILED)]
    assert failed == [{"candidate_given": "C1", "seat": "PC-C1"},
                      {"candidate_given": "NOBODY", "seat": "PC-NOBODY"}]
    assert "AAAA-AAAA" not in all_bodies(s.centre) and s.code not in all_bodies(s.centre)


def test_repeated_failures_throttle_the_seat_with_a_growing_delay(tmp_path: Path) -> None:
    s = make_setup(tmp_path)
    clock = ManualClock()
    for _ in range(3):
        with pytest.raises(LoginFailed):
            CandidateSession.login(s.centre.path, "C1", "WRON-GCOD", seat="PC1", clock=clock)
    with pytest.raises(LoginThrottled) as exc:  # even the right code waits
        CandidateSession.login(s.centre.path, "C1", s.code, seat="PC1", clock=clock)
    assert exc.value.seconds == pytest.approx(5.0)
    # another seat is not affected
    CandidateSession.login(s.centre.path, "C2", s.code, seat="PC2", clock=clock).close()
    clock.advance(5.0)
    with pytest.raises(LoginFailed):
        CandidateSession.login(s.centre.path, "C1", "WRON-GCOD", seat="PC1", clock=clock)
    with pytest.raises(LoginThrottled) as exc:
        CandidateSession.login(s.centre.path, "C1", s.code, seat="PC1", clock=clock)
    assert exc.value.seconds == pytest.approx(10.0)
    clock.advance(10.0)
    session = CandidateSession.login(s.centre.path, "c1", s.code.lower(), seat="PC1",
                                     clock=clock)
    assert session.identity.candidate == "C1" and session.identity.name == "Kovács Anna"
    session.close()
    # a success resets the count
    with pytest.raises(LoginFailed):
        CandidateSession.login(s.centre.path, "C1", "WRON-GCOD", seat="PC1", clock=clock)


def test_closed_sitting_refuses_login(tmp_path: Path) -> None:
    s = make_setup(tmp_path)
    with s.centre.ledger() as ledger:
        ledger.append("sitting_closed", {"sitting": s.sitting}, actor="invigilator:I")
    with pytest.raises(LoginFailed):
        CandidateSession.login(s.centre.path, "C1", s.code, seat="PC1")


# --- a whole attempt ------------------------------------------------------------------------


def test_full_attempt_to_submission_with_receipt(tmp_path: Path) -> None:
    s = make_setup(tmp_path)
    clock = ManualClock()
    session = CandidateSession.login(s.centre.path, "C1", s.code, seat="PC1", clock=clock)
    assert session.identity.exam_title == "Egyrészes vizsga"
    assert session.view().status == A.LOGGED_IN_STATUS
    items = session.parts[0].items
    assert len(items) == 3 and all(v.key.startswith("t:a") for v in items)
    with pytest.raises(NotInProgress):
        session.save_answer(items[0].key, True)
    session.start()
    assert session.view().status == A.IN_PROGRESS
    for i, view in enumerate(items):
        session.goto(i)
        clock.advance(10)
        # the last one wrong: 2 of 3 points
        answer = correct(session, view.key)
        session.save_answer(view.key, answer if i < 2 else not answer)
    session.set_flag(items[1].key, True)
    v = session.view()
    assert v.index == 2 and v.flags == {items[1].key} and len(v.answers) == 3
    assert v.remaining_s == pytest.approx(600 - 30)
    receipt = session.submit()
    assert session.view().status == A.SUBMITTED_STATUS
    found = find_receipt(s.centre.ledger_path, receipt)
    assert found is not None and found[1] == A.SUBMITTED
    with s.centre.reader() as r:
        submitted = next(r.events(kind=A.SUBMITTED))
    assert receipt == receipt_code(submitted.hash)
    result = session.result()
    assert result is not None
    assert (result.points, result.max_points) == (2.0, 3.0)
    assert int(result.percent) == 66 and result.grade == 4 and result.passed
    with pytest.raises(NotInProgress):
        session.save_answer(items[0].key, True)
    assert session.submit() == receipt  # idempotent
    session.close()
    assert verify_ledger(s.centre.ledger_path, s.centre.public_key()).ok


def test_without_self_start_the_invigilator_starts(tmp_path: Path) -> None:
    s = make_setup(tmp_path, self_start=False)
    session = CandidateSession.login(s.centre.path, "C1", s.code, seat="PC1",
                                     clock=ManualClock())
    session.start()
    assert session.view().status == A.LOGGED_IN_STATUS and not session.can_self_start
    with Centre.open(s.centre.path).ledger() as other:
        other.append(A.STARTED, {"sitting": s.sitting}, actor="invigilator:I")
    assert session.refresh()
    assert session.view().status == A.IN_PROGRESS
    session.close()


def test_auto_submit_at_zero(tmp_path: Path) -> None:
    s = make_setup(tmp_path)
    clock = ManualClock()
    session = CandidateSession.login(s.centre.path, "C1", s.code, seat="PC1", clock=clock)
    session.start()
    key = session.parts[0].items[0].key
    session.save_answer(key, True)
    seen_warnings: list[int] = []
    for _ in range(601):
        clock.advance(1)
        v = session.tick()
        seen_warnings += v.warnings_due
        if v.status != A.IN_PROGRESS:
            break
    assert v.status == A.TIMED_OUT and v.receipt is not None
    assert seen_warnings == [5, 1]
    with s.centre.reader() as r:
        part = next(r.events(kind=A.PART_SUBMITTED)).body
        sub = next(r.events(kind=A.SUBMITTED))
        ticks = [e.body["consumed_ms"] for e in r.events(kind=A.TICK)]
    assert part == {"part": "1", "reason": "timeout", "consumed_ms": 600_000}
    assert sub.actor == "system" and sub.body == {"reason": "timeout"}
    assert find_receipt(s.centre.ledger_path, v.receipt) is not None
    # persisted at least every 5 s while the clock ran
    assert ticks and all(b - a <= 5000 for a, b in zip(ticks, ticks[1:], strict=False))
    assert session.view().answers == {key: True}
    session.close()


def test_two_part_exam_moves_on_and_closes_the_first_part(tmp_path: Path) -> None:
    s = make_setup(tmp_path, two_parts=True)
    clock = ManualClock()
    session = CandidateSession.login(s.centre.path, "C1", s.code, seat="PC1", clock=clock)
    session.start()
    p1, p2 = session.parts
    assert (p1.id, p2.id) == ("p1", "p2") and p1.minutes == p2.minutes == 5
    session.save_answer(p1.items[0].key, True)
    clock.advance(100)
    session.submit_part()
    v = session.view()
    assert v.part_id == "p2" and v.part_index == 1 and v.index == 0
    assert v.remaining_s == pytest.approx(300)  # the second part's clock starts full
    with pytest.raises(PartClosed):
        session.save_answer(p1.items[1].key, True)
    with pytest.raises(PartClosed):
        session.set_flag(p1.items[0].key, True)
    session.save_answer(p2.items[0].key, "x")
    # part 2 times out: the attempt is submitted
    for _ in range(301):
        clock.advance(1)
        v = session.tick()
    assert v.status == A.TIMED_OUT
    with s.centre.reader() as r:
        parts = [e.body for e in r.events(kind=A.PART_SUBMITTED)]
    assert parts[0] == {"part": "p1", "reason": "candidate", "consumed_ms": 100_000}
    assert parts[1]["part"] == "p2" and parts[1]["reason"] == "timeout"
    session.close()


def test_first_part_timeout_moves_to_the_second(tmp_path: Path) -> None:
    s = make_setup(tmp_path, two_parts=True)
    clock = ManualClock()
    session = CandidateSession.login(s.centre.path, "C1", s.code, seat="PC1", clock=clock)
    session.start()
    for _ in range(300):
        clock.advance(1)
        session.tick()
    v = session.view()
    assert v.status == A.IN_PROGRESS and v.part_id == "p2"
    assert v.submitted_parts == ("p1",) and v.remaining_s == pytest.approx(300)
    session.close()


def test_a_new_attempt_avoids_items_seen_before(tmp_path: Path) -> None:
    s = make_setup(tmp_path)
    first = CandidateSession.login(s.centre.path, "C1", s.code, seat="PC1")
    seen = {v.key for v in first.parts[0].items}
    first.close()
    exam_id = first.exam.id
    _, code = new_sitting(s.centre, exam_id)
    second = CandidateSession.login(s.centre.path, "C1", code, seat="PC1")
    assert second.identity.attempt != first.identity.attempt
    # 6 items in topic A, 3 per paper: the second paper is all new
    assert not seen & {v.key for v in second.parts[0].items}
    second.close()


# --- resume ---------------------------------------------------------------------------------


def test_resume_in_a_new_session_restores_everything(tmp_path: Path) -> None:
    s = make_setup(tmp_path)
    clock = ManualClock()
    one = CandidateSession.login(s.centre.path, "C1", s.code, seat="PC1", clock=clock)
    one.start()
    keys = [v.key for v in one.parts[0].items]
    one.save_answer(keys[0], True)
    one.save_answer(keys[2], False)
    one.set_flag(keys[2], True)
    clock.advance(42)
    one.goto(2)
    before = one.view()
    one.close()
    clock.advance(1000)  # logged out: not charged
    two = CandidateSession.login(s.centre.path, "C1", s.code, seat="PC7", clock=clock)
    after = two.view()
    assert two.identity.attempt == one.identity.attempt
    assert [v.key for v in two.parts[0].items] == keys
    assert (after.answers, after.flags, after.index, after.status) == (
        before.answers, before.flags, before.index, A.IN_PROGRESS)
    assert after.remaining_s == pytest.approx(before.remaining_s) == pytest.approx(600 - 42)
    assert two.identity.seat == "PC7"
    two.close()


def test_a_second_live_session_is_refused_until_the_seat_is_moved(tmp_path: Path) -> None:
    s = make_setup(tmp_path)
    one = CandidateSession.login(s.centre.path, "C1", s.code, seat="PC1")
    with pytest.raises(SessionElsewhere):
        CandidateSession.login(s.centre.path, "C1", s.code, seat="PC2")
    with Centre.open(s.centre.path).ledger() as other:
        other.append(A.SEAT_MOVED, {"seat": "PC2", "reason": "broken keyboard"},
                     actor="invigilator:I", attempt=one.attempt_id)
    two = CandidateSession.login(s.centre.path, "C1", s.code, seat="PC2")
    with pytest.raises(SessionElsewhere):
        one.tick()
    with pytest.raises(SessionElsewhere):
        one.start()
    two.close()
    one.close(force=True)


def test_a_stale_lease_does_not_block(tmp_path: Path) -> None:
    s = make_setup(tmp_path)
    one = CandidateSession.login(s.centre.path, "C1", s.code, seat="PC1")
    simulate_crash(one, seconds_ago=11)
    two = CandidateSession.login(s.centre.path, "C1", s.code, seat="PC1")
    assert two.identity.attempt == one.identity.attempt
    two.close()


# --- events from other processes ------------------------------------------------------------


def test_pause_from_another_connection_stops_the_clock(tmp_path: Path) -> None:
    s = make_setup(tmp_path)
    clock = ManualClock()
    session = CandidateSession.login(s.centre.path, "C1", s.code, seat="PC1", clock=clock)
    session.start()
    clock.advance(10)
    assert not session.refresh()  # nothing new
    with Centre.open(s.centre.path).ledger() as other:
        other.append(A.PAUSED, {"reason": "fire drill"}, actor="invigilator:I",
                     attempt=session.attempt_id)
    assert session.refresh()
    v = session.view()
    assert v.paused and v.status == A.PAUSED_STATUS and v.remaining_s == pytest.approx(590)
    clock.advance(120)
    assert session.tick().remaining_s == pytest.approx(590)
    with Centre.open(s.centre.path).ledger() as other:
        other.append(A.RESUMED, {"reason": ""}, actor="invigilator:I",
                     attempt=session.attempt_id)
        other.append(A.EXTENDED, {"minutes": 2, "reason": "power cut"}, actor="invigilator:I",
                     attempt=session.attempt_id)
    clock.advance(5)
    assert session.refresh()
    clock.advance(5)
    assert session.view().remaining_s == pytest.approx(590 + 120 - 5)
    # a room-wide pause (attempt null) applies too
    with Centre.open(s.centre.path).ledger() as other:
        other.append(A.PAUSED, {"sitting": s.sitting, "reason": "room"}, actor="invigilator:I")
    session.refresh()
    clock.advance(60)
    assert session.tick().paused
    assert session.view().remaining_s == pytest.approx(705)
    session.close()


def test_not_saved_while_locked_then_retry_saves(tmp_path: Path) -> None:
    s = make_setup(tmp_path)
    clock = ManualClock()
    session = CandidateSession.login(s.centre.path, "C1", s.code, seat="PC1", clock=clock,
                                     busy_timeout=0.2)
    session.start()
    keys = [v.key for v in session.parts[0].items]
    blocker = sqlite3.connect(s.centre.ledger_path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(NotSaved):
            session.save_answer(keys[0], True)
        with pytest.raises(NotSaved):
            session.save_answer(keys[1], False)
        v = session.view()
        assert v.unsaved == 2 and v.answers == {keys[0]: True, keys[1]: False}  # still shown
        assert not session.retry_pending()
        session.tick()  # does not raise; still pending
        assert session.unsaved == 2
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert session.retry_pending()
    assert session.view().unsaved == 0
    with s.centre.reader() as r:
        saved = {e.body["item"]: e.body["response"] for e in r.events(kind=A.ANSWER)}
    assert saved == {keys[0]: True, keys[1]: False}
    session.close()


def test_close_refuses_to_drop_pending_changes(tmp_path: Path) -> None:
    s = make_setup(tmp_path)
    session = CandidateSession.login(s.centre.path, "C1", s.code, seat="PC1", busy_timeout=0.1)
    session.start()
    key = session.parts[0].items[0].key
    blocker = sqlite3.connect(s.centre.ledger_path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(NotSaved):
            session.save_answer(key, True)
        with pytest.raises(NotSaved):
            session.close()
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    session.close()
    with s.centre.reader() as r:
        assert [e.body["response"] for e in r.events(kind=A.ANSWER)] == [True]


def test_two_processes_logging_in_at_once_one_wins(tmp_path: Path) -> None:
    s = make_setup(tmp_path)
    start_at = time.time() + 1.5
    procs = [subprocess.Popen(
        [sys.executable, str(HERE / "session_login_race.py"), str(s.centre.path), "C1", s.code,
         f"PC{i}", str(start_at)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=HERE.parents[1]) for i in range(2)]
    outs = [p.communicate(timeout=60) for p in procs]
    results = sorted(o[0].strip() for o in outs)
    assert results == ["ELSEWHERE", "WON"], outs
    with s.centre.reader() as r:
        assert len(list(r.events(kind=A.ATTEMPT_CREATED))) == 1


def test_exit_pin(tmp_path: Path) -> None:
    s = make_setup(tmp_path)
    set_pin(s.centre, "246810")
    assert "246810" not in (s.centre.path / "centre.toml").read_text()
    session = CandidateSession.login(s.centre.path, "C1", s.code, seat="PC1")
    assert not session.exit_with_pin("000000")
    assert session.exit_with_pin("246810")
    with s.centre.reader() as r:
        exits = [(e.kind, e.body) for e in r.events(kind=("kiosk_exit", "kiosk_exit_refused"))]
    assert exits == [("kiosk_exit_refused", {"seat": "PC1"}), ("kiosk_exit", {"seat": "PC1"})]
    assert "246810" not in all_bodies(s.centre)
    session.close()
