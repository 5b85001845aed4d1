"""Exam time: only the injected monotonic clock counts; pauses freeze it; extensions and
accommodations add to it; a crash loses at most the unpersisted seconds, never charges them."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from kiosk.domain import attempts as A
from kiosk.domain import timing
from kiosk.domain.timing import ManualClock
from kiosk.ledger.centre import Centre
from kiosk.session import CandidateSession
from tests.support.session_helpers import make_setup, simulate_crash


def test_pure_remaining_and_allowance() -> None:
    assert timing.allowance_ms(10) == 600_000
    assert timing.allowance_ms(10, 5, 60_000) == 960_000
    assert timing.remaining_ms(10, 0, 0, 599_000) == 1000
    assert timing.remaining_ms(10, 0, 0, 10**9) == 0  # never negative
    assert timing.remaining_ms(10, 2.5, 30_000, 0) == 780_000


def test_accommodation_split_modes() -> None:
    assert timing.accommodation_split([45, 45], 10) == [10, 0]
    assert timing.accommodation_split([45, 45], 10, "first") == [10, 0]
    assert timing.accommodation_split([30, 60], 15, "spread") == [5, 10]
    assert timing.accommodation_split([45, 45], 10, "each") == [10, 10]
    assert timing.accommodation_split([45, 45], 0, "each") == [0, 0]


def test_warning_thresholds_fit_the_part() -> None:
    assert timing.warning_thresholds([], 30 * 60_000) == [10, 5, 1]
    assert timing.warning_thresholds([10, 5, 1], 10 * 60_000) == [5, 1]
    assert timing.crossed([10, 5, 1], 5 * 60_000) == [10, 5]


def test_wall_clock_is_irrelevant(tmp_path: Path) -> None:
    s = make_setup(tmp_path)
    clock = ManualClock()
    session = CandidateSession.login(s.centre.path, "C1", s.code, seat="PC1", clock=clock)
    session.start()
    time.sleep(1.2)  # real time passes, the injected clock does not
    assert session.tick().remaining_s == pytest.approx(600)
    clock.advance(7.5)
    assert session.tick().remaining_s == pytest.approx(592.5)
    session.close()


def test_no_time_is_charged_before_the_start(tmp_path: Path) -> None:
    s = make_setup(tmp_path, self_start=False)
    clock = ManualClock()
    session = CandidateSession.login(s.centre.path, "C1", s.code, seat="PC1", clock=clock)
    clock.advance(300)
    assert session.tick().remaining_s == pytest.approx(600)
    with Centre.open(s.centre.path).ledger() as other:
        other.append(A.STARTED, {"part": "1"}, actor="invigilator:I", attempt=session.attempt_id)
    session.refresh()
    clock.advance(20)
    assert session.tick().remaining_s == pytest.approx(580)
    session.close()


def test_pause_freezes_and_extension_adds(tmp_path: Path) -> None:
    s = make_setup(tmp_path)
    clock = ManualClock()
    session = CandidateSession.login(s.centre.path, "C1", s.code, seat="PC1", clock=clock)
    session.start()
    clock.advance(60)
    with Centre.open(s.centre.path).ledger() as other:
        other.append(A.PAUSED, {"reason": "x"}, actor="invigilator:I", attempt=session.attempt_id)
    session.refresh()
    clock.advance(600)  # longer than the whole exam
    v = session.tick()
    assert v.status == A.PAUSED_STATUS and v.remaining_s == pytest.approx(540)
    with Centre.open(s.centre.path).ledger() as other:
        other.append(A.RESUMED, {}, actor="invigilator:I", attempt=session.attempt_id)
        other.append(A.EXTENDED, {"minutes": 3, "reason": "lost time"}, actor="invigilator:I",
                     attempt=session.attempt_id)
    session.refresh()
    clock.advance(40)
    assert session.tick().remaining_s == pytest.approx(540 + 180 - 40)
    session.close()


def test_suspension_freezes_but_time_away_counts(tmp_path: Path) -> None:
    s = make_setup(tmp_path)
    clock = ManualClock()
    session = CandidateSession.login(s.centre.path, "C1", s.code, seat="PC1", clock=clock)
    session.start()
    with Centre.open(s.centre.path).ledger() as other:
        other.append(A.LEFT_ROOM, {}, actor="invigilator:I", attempt=session.attempt_id)
    session.refresh()
    clock.advance(100)
    assert session.tick().remaining_s == pytest.approx(500)  # Szkr 278. § (1)
    with Centre.open(s.centre.path).ledger() as other:
        other.append(A.RETURNED, {}, actor="invigilator:I", attempt=session.attempt_id)
        other.append(A.SUSPENDED, {"reason": "irregularity"}, actor="invigilator:I",
                     attempt=session.attempt_id)
    session.refresh()
    clock.advance(100)
    v = session.tick()
    assert v.suspended and v.remaining_s == pytest.approx(500)
    session.close()


def test_accommodation_minutes_apply(tmp_path: Path) -> None:
    s = make_setup(tmp_path)
    session = CandidateSession.login(s.centre.path, "C3", s.code, seat="PC1",
                                     clock=ManualClock())
    assert session.view().remaining_s == pytest.approx((10 + 10) * 60)
    session.close()


@pytest.mark.parametrize(("mode", "expected"), [("", (900, 300)), ("spread", (600, 600)),
                                                 ("each", (900, 900))])
def test_accommodation_over_two_parts(tmp_path: Path, mode: str,
                                      expected: tuple[int, int]) -> None:
    s = make_setup(tmp_path, two_parts=True, accommodation=mode)
    clock = ManualClock()
    session = CandidateSession.login(s.centre.path, "C3", s.code, seat="PC1", clock=clock)
    session.start()
    assert session.remaining_s("p1") == pytest.approx(expected[0])
    assert session.remaining_s("p2") == pytest.approx(expected[1])
    session.close()


def test_crash_and_resume_charges_only_persisted_time(tmp_path: Path) -> None:
    s = make_setup(tmp_path)
    clock = ManualClock()
    session = CandidateSession.login(s.centre.path, "C1", s.code, seat="PC1", clock=clock)
    session.start()
    key = session.parts[0].items[0].key
    clock.advance(30)
    session.save_answer(key, True)  # persists consumed 30 s
    clock.advance(3)
    assert session.tick().remaining_s == pytest.approx(567)  # 3 s not yet persisted
    simulate_crash(session)
    clock.advance(900)  # the machine is down: not charged
    again = CandidateSession.login(s.centre.path, "C1", s.code, seat="PC2", clock=clock)
    v = again.view()
    assert v.answers == {key: True}
    assert v.remaining_s == pytest.approx(570)  # lost the 3 unpersisted seconds, in our favour
    again.close()


def test_time_is_persisted_at_least_every_five_seconds(tmp_path: Path) -> None:
    s = make_setup(tmp_path)
    clock = ManualClock()
    session = CandidateSession.login(s.centre.path, "C1", s.code, seat="PC1", clock=clock)
    session.start()
    for _ in range(30):
        clock.advance(1)
        session.tick()
    with s.centre.reader() as r:
        ticks = [e.body["consumed_ms"] for e in r.events(kind=A.TICK)]
    assert ticks and ticks[-1] >= 26_000
    assert all(b - a <= 5000 for a, b in zip([0, *ticks], ticks, strict=False))
    session.close()
