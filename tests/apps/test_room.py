"""The room view (kiosk/domain/room.py): statuses, time, staleness and incidents as a fold, and
an incremental refresh whose work follows the number of new events, not of attempts."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from kiosk.console_feed import RoomFeed
from kiosk.domain import room as R
from kiosk.domain.room import ExamTiming, RoomView
from kiosk.ledger.store import Event, NewEvent
from tests.support.invigilation_helpers import (
    SITTING,
    FrozenTime,
    answer,
    arrive,
    attempt_id,
    bulk_centre,
    console_app,
    invigilate,
    settle,
)

T0 = datetime(2025, 6, 2, 8, 0, 0, tzinfo=UTC)
TIMING = ExamTiming({"1": 10.0}, ["1"])


class Stream:
    """Events with chosen times, as the ledger would hand them to the room view."""

    def __init__(self) -> None:
        self.seq = 0

    def __call__(self, new: list[NewEvent], at: float) -> list[Event]:
        out = []
        for n in new:
            self.seq += 1
            ts = (T0 + timedelta(seconds=at)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            out.append(Event(self.seq, ts, n.actor, n.attempt, n.kind, n.body, "", f"h{self.seq}"))
        return out


def now(at: float) -> float:
    return (T0 + timedelta(seconds=at)).timestamp()


def room(candidates: list[str], **kwargs: Any) -> RoomView:
    return RoomView(SITTING, candidates, names={c: f"Name {c}" for c in candidates},
                    timing=TIMING, **kwargs)


def test_every_status_is_folded_from_the_events() -> None:
    ev = Stream()
    cands = [f"C{i}" for i in range(1, 11)]
    view = room(cands, extra_minutes={"C4": 10})
    view.apply(ev(arrive("C2", "B2", admitted=False, started=False), 1))
    view.apply(ev(arrive("C3", "B3", started=False), 1))
    for c in cands[3:]:
        view.apply(ev(arrive(c, f"B{c[1:]}"), 2))
    view.apply(ev([invigilate("C5", "paused", {"reason": "x"}),
                   invigilate("C6", "left_room", {}),
                   invigilate("C7", "suspended", {"reason": "irregularity"}),
                   NewEvent("attempt_submitted", {"reason": "candidate"}, "candidate:C8",
                            attempt_id("C8")),
                   NewEvent("attempt_submitted", {"reason": "timeout"}, "system",
                            attempt_id("C9")),
                   invigilate("C10", "attempt_voided", {"reason": "phone"})], 60))
    statuses = {r.candidate: r.status for r in view.rows(now(61))}
    assert statuses == {
        "C1": "not_arrived", "C2": "logged_in", "C3": "admitted", "C4": "in_progress",
        "C5": "paused", "C6": "away", "C7": "suspended", "C8": "submitted",
        "C9": "timed_out", "C10": "voided",
    }
    counts = view.counts(now(61))
    assert counts["not_arrived"] == 1 and counts["voided"] == 1
    # not started: the full allowance, accommodation included; C4 has 10 extra minutes
    assert view.row("C1", now(61)).remaining_s == 600
    assert view.row("C4", now(32)).remaining_s == pytest.approx(1200 - 30)
    # silent past STALE_AFTER_S the terminal is taken for dead: its clock stops at the persisted
    # value (none yet), which is where a relogin resumes
    assert view.row("C4", now(62)).remaining_s == pytest.approx(1200)
    assert view.row("C4", now(62)).seat == "B4"
    assert view.row("C7", now(62)).incidents == 1


def test_remaining_time_runs_stops_when_paused_and_counts_time_away() -> None:
    ev = Stream()
    view = room(["C1"])
    view.apply(ev(arrive("C1", "B1"), 0))
    assert view.row("C1", now(30)).remaining_s == pytest.approx(570)
    # a persisted value re-bases the estimate
    view.apply(ev([answer("C1", "t:a1", 40_000)], 40))
    assert view.row("C1", now(50)).remaining_s == pytest.approx(550)
    assert view.row("C1", now(50)).answered == 1 and view.row("C1", now(50)).total == 3
    view.apply(ev([invigilate("C1", "paused", {"reason": "noise"})], 50))
    assert view.row("C1", now(50)).remaining_s == view.row("C1", now(500)).remaining_s
    view.apply(ev([invigilate("C1", "resumed", {})], 500))
    view.apply(ev([invigilate("C1", "left_room", {})], 510))
    away = view.row("C1", now(600))
    assert away.status == "away"
    assert away.remaining_s is not None and away.remaining_s < 550 - 90 + 1


def test_a_room_wide_pause_and_extension_reach_attempts_created_later() -> None:
    ev = Stream()
    view = room(["C1", "C2"])
    view.apply(ev(arrive("C1", "B1"), 0))
    view.apply(ev([NewEvent("paused", {"sitting": SITTING, "reason": "alarm"}, "invigilator:a"),
                   NewEvent("time_extended", {"sitting": SITTING, "minutes": 5,
                                              "reason": "alarm"}, "invigilator:a")], 10))
    view.apply(ev(arrive("C2", "B2"), 20))
    assert [r.status for r in view.rows(now(30))] == ["paused", "paused"]
    assert view.row("C1", now(30)).remaining_s == pytest.approx(900 - 10)
    changed = view.apply(ev([NewEvent("resumed", {"sitting": SITTING}, "invigilator:a")], 40))
    assert changed == {"C1", "C2"}
    assert [r.status for r in view.rows(now(41))] == ["in_progress", "in_progress"]
    # another sitting's pause is not ours
    view.apply(ev([NewEvent("paused", {"sitting": "S-other"}, "invigilator:a")], 50))
    assert view.row("C1", now(51)).status == "in_progress"


def test_stale_after_30_seconds_without_a_sign_of_life() -> None:
    ev = Stream()
    view = room(["C1"])
    view.apply(ev(arrive("C1", "B1"), 0))
    assert not view.row("C1", now(30)).stale
    assert view.row("C1", now(31)).stale
    assert view.row("C1", now(31)).attention
    view.apply(ev([NewEvent("time_tick", {"part": "1", "consumed_ms": 40_000},
                            "candidate:C1", attempt_id("C1"))], 40))
    assert not view.row("C1", now(60)).stale
    view.apply(ev([NewEvent("attempt_submitted", {"reason": "candidate"}, "candidate:C1",
                            attempt_id("C1"))], 61))
    assert not view.row("C1", now(600)).stale  # a finished attempt is not expected to tick


def test_seat_plan_moves_and_incidents() -> None:
    ev = Stream()
    view = room(["C1", "C2"], seats={"C1": "B204-01"})
    view.apply(ev([NewEvent(R.SEAT_ASSIGNED, {"sitting": SITTING, "candidate": "C2",
                                              "seat": "B204-02"}, "invigilator:a")], 0))
    assert [r.seat for r in view.rows(now(1))] == ["B204-01", "B204-02"]
    view.apply(ev(arrive("C1", "B204-01"), 1))
    view.apply(ev([invigilate("C1", "seat_moved", {"seat": "B204-09", "reason": "broken"}),
                   invigilate("C1", "suspended", {"reason": "irregularity"}),
                   invigilate("C1", "unsuspended", {})], 5))
    row = view.row("C1", now(6))
    assert (row.seat, row.login_seat, row.incidents) == ("B204-09", "B204-01", 2)


def test_sorting_and_filtering() -> None:
    rows = [R.Row("C1", "Zita", "B204-10", "in_progress", 1, 3, 100.0, None, False, 0),
            R.Row("C2", "Adam", "B204-9", "away", 0, 3, 50.0, None, False, 2),
            R.Row("C3", "Bela", "", "not_arrived", 0, 0, None, None, False, 0)]
    assert [r.candidate for r in R.sort_rows(rows, "seat")] == ["C2", "C1", "C3"]
    assert [r.candidate for r in R.sort_rows(rows, "name")] == ["C2", "C3", "C1"]
    assert [r.candidate for r in R.sort_rows(rows, "remaining")] == ["C2", "C1", "C3"]
    assert [r.candidate for r in R.sort_rows(rows, "incidents")] == ["C2", "C1", "C3"]
    assert [r.candidate for r in R.sort_rows(rows, "status", reverse=True)] == ["C2", "C1",
                                                                                 "C3"]
    assert [r.candidate for r in rows if R.matches(r, "b204")] == ["C1", "C2"]
    assert [r.candidate for r in rows if R.matches(r, "", R.ATTENTION)] == ["C2"]
    assert [r.candidate for r in rows if R.matches(r, "zi", "in_progress")] == ["C1"]
    assert R.format_remaining(3599.2) == "1:00:00" and R.format_remaining(59.5) == "1:00"
    assert R.format_remaining(None) == "–"


# -- 500 attempts, events appended directly -------------------------------------------------------


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> FrozenTime:
    clock = FrozenTime(T0)
    monkeypatch.setattr("kiosk.ledger.store.utc_now", clock)
    return clock


def big_room(tmp: Path, n: int, frozen: FrozenTime) -> tuple[Any, list[str]]:
    names = [(f"K{i:04d}", f"Candidate {i:04d}") for i in range(n)]
    centre = bulk_centre(tmp, names)
    frozen.at(8, 1)
    with centre.ledger() as ledger:
        new: list[NewEvent] = []
        for i, (cid, _) in enumerate(names):
            new += arrive(cid, f"B204-{i:03d}")
            new.append(answer(cid, "t:a1", 1000))
        ledger.append_many(new)
    return centre, [cid for cid, _ in names]


def test_a_refresh_with_500_attempts_applies_only_the_new_events(tmp_path: Path,
                                                                  frozen: FrozenTime) -> None:
    """The service keeps each sitting's fold between polls (`invigilation.room`): a poll reads
    only the events since the last one, and sends only the rows they changed."""
    from kiosk.service.rooms import invigilation as room_calls
    from kiosk.service.usecases import LocalCalls
    from tests.support.invigilation_helpers import PASSWORD, USER

    centre, ids = big_room(tmp_path, 500, frozen)
    calls = LocalCalls(centre)
    calls.login(USER, PASSWORD)
    try:
        feed = RoomFeed(calls, SITTING)
        first = feed.fetch()
        assert first["full"] and len(first["rows"]) == 500
        assert len(feed.apply(first) or ()) == 500  # every row
        room = room_calls._CACHES[(str(centre.path), SITTING)].room
        assert room.applied == 500 * 5 + 1  # the sitting and every attempt's five events
        assert len(feed.room.rows(frozen.epoch(8, 2))) == 500
        assert feed.fetch() == {"version": feed.version, "unchanged": True}
        assert feed.poll() is None  # nobody wrote: nothing read, nothing sent
        applied, scanned = room.applied, room.scanned

        frozen.at(8, 3)
        with centre.ledger() as ledger:
            ledger.append_many([answer(ids[7], "t:a2", 2000), answer(ids[42], "t:a2", 2000),
                                invigilate(ids[99], "paused", {"reason": "help"})])
        delta = feed.fetch()
        assert not delta["full"] and len(delta["rows"]) == 3  # only the rows that changed
        assert feed.apply(delta) == {ids[7], ids[42], ids[99]}
        assert room.applied - applied == 3
        assert room.scanned - scanned == 3  # only the events after the last seen seq
        assert feed.room.row(ids[7], frozen.epoch(8, 3)).answered == 2
        assert feed.room.row(ids[99], frozen.epoch(8, 3)).status == "paused"

        # a room-wide pause touches every row, but is still one event applied
        with centre.ledger() as ledger:
            ledger.append("paused", {"sitting": SITTING, "reason": "alarm"},
                          actor="invigilator:anna")
        # (the one already paused shows no change, so its row is not sent again)
        assert feed.poll() == set(ids) - {ids[99]}
        assert room.applied - applied == 4
    finally:
        calls.close()


def test_the_console_redraws_only_the_rows_that_changed(tmp_path: Path,
                                                        frozen: FrozenTime) -> None:
    from kiosk.apps.invigilator.screens.room import RoomScreen
    from tests.support.invigilation_helpers import PASSWORD, USER

    centre, ids = big_room(tmp_path, 500, frozen)
    fixed = frozen.epoch(8, 2)
    app = console_app(centre, language="en", sitting=SITTING, now=lambda: fixed,
                         timers=False)

    async def go() -> None:
        async with app.run_test(size=(160, 40)) as pilot:
            app.screen.query_one("#user").value = USER
            app.screen.query_one("#password").value = PASSWORD
            app.screen.query_one("#password").focus()
            await pilot.press("enter")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, RoomScreen)
            assert len(screen._order) == 500
            rows, cells = screen.rows_updated, screen.cells_updated
            with centre.ledger() as ledger:
                ledger.append_many([answer(ids[3], "t:a2", 2000)])
            screen.refresh_room()
            # one row: its answered count, remaining time and last activity at most
            assert screen.rows_updated - rows == 1
            assert 1 <= screen.cells_updated - cells <= 3
            screen.refresh_room()  # nothing new: nothing redrawn
            assert screen.rows_updated - rows == 1
            assert "2/3" in str(screen.query_one("#room").get_cell(ids[3], "answered"))
            # a filter rebuilds the table with the matching rows only
            screen.query_one("#filter").value = "K004"
            await settle(pilot)
            assert screen._order == [f"K004{i}" for i in range(10)]

    asyncio.run(go())


def test_a_console_fed_by_deltas_sees_what_a_fresh_one_sees(tmp_path: Path,
                                                           frozen: FrozenTime) -> None:
    """Whatever happens between two polls (answers, pauses of one or all, arrivals), the rows a
    console has after folding only the changed ones equal those of a console that asked for the
    whole room; and a console that skipped polls catches up the same."""
    import random

    from kiosk.service.rooms import invigilation as room_calls
    from kiosk.service.usecases import LocalCalls
    from tests.support.invigilation_helpers import PASSWORD, USER

    centre, ids = big_room(tmp_path, 30, frozen)
    calls = LocalCalls(centre)
    calls.login(USER, PASSWORD)
    rng = random.Random(7)
    try:
        steady, sleepy = RoomFeed(calls, SITTING), RoomFeed(calls, SITTING)
        steady.poll(), sleepy.poll()
        for step in range(40):
            frozen.at(8, 5 + step // 10, step % 60)
            cid = rng.choice(ids)
            new = rng.choice([
                [answer(cid, rng.choice(["t:a1", "t:a2", "t:a3"]), 1000 * step)],
                [invigilate(cid, "paused", {"reason": "x"})],
                [invigilate(cid, "resumed", {"reason": ""})],
                [invigilate(cid, "left_room", {"reason": ""})],
            ])
            with centre.ledger() as ledger:
                ledger.append_many(new)
                if step % 13 == 0:
                    ledger.append("paused" if step % 2 else "resumed",
                                  {"sitting": SITTING, "reason": "room"},
                                  actor="invigilator:anna")
            steady.poll()
            if step % 7 == 0:
                sleepy.poll()
            if step % 10 == 9:
                # The service restarted: its fold is built afresh from the ledger (a new
                # epoch: every console then gets the whole room once).
                room_calls._CACHES.pop((str(centre.path), SITTING))
            fresh = RoomFeed(calls, SITTING)
            fresh.poll()
            assert steady.room.data == fresh.room.data, step
        sleepy.poll()
        assert sleepy.room.data == steady.room.data
    finally:
        calls.close()
