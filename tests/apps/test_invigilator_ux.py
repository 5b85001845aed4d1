"""The invigilator console as an invigilator uses it (issue 15): the real seat, a dead terminal's
clock, keys on screen and in a clean table, reasons for force-submits, nothing offered after the
close, messages to the screens, the candidate detail, alerts, accommodations and the room map.

The events get fixed times (kiosk.ledger.store.utc_now is frozen) and the console's clock is a
variable the test moves; pilots at 80x24 and 120x36.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from textual.widgets import DataTable

from kiosk.apps.invigilator.keybar import KeyBar, key_lines
from kiosk.apps.invigilator.screens.dialogs import FormDialog, MessageDialog
from kiosk.apps.invigilator.screens.room import RoomScreen
from kiosk.crypto import passwords
from kiosk.domain import sittings as S
from kiosk.ledger.centre import Centre
from kiosk.ledger.store import NewEvent
from kiosk.minutes import minutes_text
from tests.support.invigilation_helpers import (
    PASSWORD,
    SITTING,
    USER,
    FrozenTime,
    add_user,
    answer,
    arrive,
    attempt_id,
    console_app,
    invigilate,
    settle,
)
from tests.support.session_helpers import ONE_PART, import_roster, load_exam

SIZES = [(80, 24), (120, 36)]
size_ids = pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
NAMES = [("S01", "Kovács Anna", ""), ("S02", "Nagy Gergő", "5"), ("S03", "Szűcs Réka", ""),
         ("S04", "Tóth Bence", "")]
SEATS = {"S01": "B204-03", "S02": "B204-02", "S03": "B204-01", "S04": "B204-04"}


class Room:
    """A sitting at 08:20 into a 10-minute exam; the console's clock is `now`."""

    def __init__(self, tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.clock = FrozenTime(datetime(2025, 6, 2, 8, 0, tzinfo=UTC))
        monkeypatch.setattr("kiosk.ledger.store.utc_now", self.clock)
        centre, _ = Centre.init(tmp / "centre", "Teszt központ")
        exam = load_exam(centre, tmp, ONE_PART.format(self_start="false"))
        import_roster(centre, "id;name;extra_minutes\n"
                      + "".join(f"{c};{n};{x}\n" for c, n, x in NAMES))
        body = S.sitting_body(SITTING, exam, room="B204", date="2025-06-02",
                              candidates=[c for c, _, _ in NAMES], code_hash=passwords.hash_code("ACDE-FGHJ"),
                              self_start=False, seats=SEATS)
        with centre.ledger() as ledger:
            ledger.append(S.CREATED, body, actor="invigilator:anna")
        add_user(centre)
        self.centre = centre
        self.add(8, 10, 0, arrive("S02", "B204-02"))
        self.add(8, 10, 5, arrive("S04", "B204-04"))
        # S04's terminal persisted 470 s at 08:19:50 and then died.
        self.add(8, 19, 50, [answer("S04", "t:a1", 470_000)])
        self.add(8, 19, 55, [answer("S02", "t:a1", 100_000)])
        self.now = self.clock.epoch(8, 20, 0)

    def add(self, hh: int, mm: int, ss: int, new: list[NewEvent]) -> None:
        self.clock.at(hh, mm, ss)
        with self.centre.ledger() as ledger:
            ledger.append_many(new)

    def app(self) -> Any:
        return console_app(self.centre, language="en", sitting=SITTING,
                              now=lambda: self.now, timers=False)


@pytest.fixture
def room(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Room:
    return Room(tmp_path, monkeypatch)


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def log_in(pilot: Any) -> RoomScreen:
    app = pilot.app
    app.screen.query_one("#user").value = USER
    app.screen.query_one("#password").value = PASSWORD
    app.screen.query_one("#password").focus()
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, RoomScreen)
    return app.screen


def cell(screen: RoomScreen, candidate: str, column: str) -> str:
    return str(screen.query_one("#room", DataTable).get_cell(candidate, column))


def rendered(renderable: Any, width: int = 100) -> str:
    console = Console(width=width, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def notices(app: Any) -> list[str]:
    return [str(n.message) for n in app._notifications]


@size_ids
def test_the_real_seat_after_a_login_elsewhere(room: Room, size: tuple[int, int]) -> None:
    async def scenario() -> None:
        app = room.app()
        async with app.run_test(size=size) as pilot:
            screen = await log_in(pilot)
            assert cell(screen, "S01", "seat") == "B204-03"  # the plan, not yet arrived
            # S01 logs in at B204-09 while the console is open.
            room.add(8, 20, 1, arrive("S01", "B204-09", admitted=False, started=False))
            screen.refresh_room()
            assert cell(screen, "S01", "seat") == "B204-09"
            screen.select_candidate("S01")
            await pilot.press("a")
            await settle(pilot)
            dialog = app.screen
            assert isinstance(dialog, FormDialog)
            assert "B204-09" in dialog.info and "B204-03" not in dialog.info
        # A fresh console shows the same, without "(@…)".
        async with room.app().run_test(size=size) as pilot:
            screen = await log_in(pilot)
            assert cell(screen, "S01", "seat") == "B204-09"

    run(scenario())


def test_a_dead_terminals_time_does_not_count_down(room: Room) -> None:
    async def scenario() -> None:
        app = room.app()
        async with app.run_test(size=(120, 36)) as pilot:
            screen = await log_in(pilot)
            # S04 wrote 10 s ago: alive, its clock runs on the console (600 - 470 - 10 s).
            assert cell(screen, "S04", "remaining") in ("2:00", "2:01")
            room.now += 60  # a minute later nobody has written: the terminal is dead
            screen.redraw()
            # S04 persisted 470 s 70 s ago (dead after 30 s): the console shows what a relogin
            # resumes from.
            assert cell(screen, "S04", "remaining") == "2:10"
            room.now += 300
            screen.redraw()
            assert cell(screen, "S04", "remaining") == "2:10"

    run(scenario())


def screen_lines(app: Any) -> list[str]:
    """The screen as a person sees it, one string a row."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


#: Every key the room view offers in its key bar while the sitting is open.
BAR_KEYS = ["F1 Help", "a Admit", "s Start", "p Pause", "r Resume", "e Extend",
            "l Left/returned", "i Irregularity", "n Message", "g Room map",
            "c Close/open sitting"]


@size_ids
def test_every_key_is_on_screen_and_f1_is_a_table(room: Room, size: tuple[int, int]) -> None:
    """At 80 columns Textual's one-line footer hid message, room map and close (and at 120 cut
    "Close/open sitting"): the key bar wraps between keys instead."""
    async def scenario() -> None:
        app = room.app()
        async with app.run_test(size=size) as pilot:
            screen = await log_in(pilot)
            bar = screen.query_one(KeyBar)
            assert [f"{k} {label}" for k, label, _ in bar.keys] == BAR_KEYS
            lines = screen_lines(app)
            bottom = lines[-bar.outer_size.height:]
            assert bar.outer_size.height == (2 if size[0] < 140 else 1)
            for key in BAR_KEYS:
                assert any(key in line for line in bottom), (key, bottom)
            # the table above keeps its rows: the bar takes two lines, not the screen
            assert any("Tóth Bence" in line for line in lines[:-bar.outer_size.height])
            await pilot.press("f1")
            await settle(pilot)
            dialog = app.screen
            assert isinstance(dialog, MessageDialog)
            text = rendered(dialog.text)
            lines = [line for line in text.splitlines() if line.strip()]
            # One key a line, the action in a column of its own.
            admit = next(line for line in lines if line.lstrip().startswith("a "))
            start_all = next(line for line in lines if "Shift+S" in line)
            assert admit.index("Admit") == start_all.index("Start all")

    run(scenario())


@size_ids
def test_a_key_in_the_bar_is_clickable_and_the_bar_follows_the_close(
        room: Room, size: tuple[int, int]) -> None:
    async def scenario() -> None:
        app = room.app()
        async with app.run_test(size=size) as pilot:
            screen = await log_in(pilot)
            bar = screen.query_one(KeyBar)
            row, line = next((y, text) for y, text in enumerate(screen_lines(app)[-2:])
                             if "g Room map" in text)
            top = app.size.height - 2
            await pilot.click(offset=(line.index("g Room map") + 2, top + row))
            await pilot.pause()
            assert isinstance(app.screen, MessageDialog)  # the room map
            await pilot.press("escape")
            await pilot.pause()
            await pilot.press("c")
            await pilot.pause()
            await pilot.click("#yes")
            await pilot.pause()
            assert not screen.room.open
            shown = " ".join(screen_lines(app)[-bar.outer_size.height:])
            assert "c Close/open sitting" in shown and "g Room map" in shown
            assert "a Admit" not in shown and "p Pause" not in shown

    run(scenario())


def test_key_lines_break_between_keys_only() -> None:
    keys = [(k, label, "x") for k, label in (("F1", "Help"), ("a", "Admit"),
                                              ("c", "Close/open sitting"))]
    assert key_lines(keys, 80) == [keys]
    assert key_lines(keys, 20) == [keys[:2], keys[2:]]
    assert key_lines(keys, 5) == [[k] for k in keys]  # too narrow: one key a line, never split


def test_force_submit_asks_a_reason_and_the_minutes_carry_it(room: Room) -> None:
    async def scenario() -> None:
        app = room.app()
        async with app.run_test(size=(120, 36)) as pilot:
            screen = await log_in(pilot)
            screen.select_candidate("S02")
            await pilot.press("f")
            await settle(pilot)
            dialog = app.screen
            assert isinstance(dialog, FormDialog)
            assert [f.id for f in dialog.fields] == ["reason"] and dialog.fields[0].required
            await pilot.click("#ok")  # empty: refused
            await settle(pilot)
            assert app.screen is dialog
            dialog.query_one("#f-reason").value = "fire alarm, building evacuated"
            dialog.action_save()
            await settle(pilot)
            assert screen.room.row("S02", room.now).status == "submitted", (notices(app), app.screen)
        assert "fire alarm, building evacuated" in minutes_text(room.centre, SITTING,
                                                                language="en")

    run(scenario())


def test_nothing_but_looking_and_reopening_after_the_close(room: Room) -> None:
    async def scenario() -> None:
        app = room.app()
        async with app.run_test(size=(120, 36)) as pilot:
            screen = await log_in(pilot)
            await pilot.press("c")
            await settle(pilot)
            await pilot.click("#yes")
            await settle(pilot)
            assert not screen.room.open
            screen.select_candidate("S02")
            for key in ("a", "p", "e", "i", "n", "f", "S", "E"):
                await pilot.press(key)
                await settle(pilot)
                assert app.screen is screen, key  # no dialog opened
            shown = {b[1].description for b in screen.active_bindings.values() if b[1].show}
            assert "Admit" not in shown and "Pause" not in shown
            assert screen.check_action("detail", ()) and screen.check_action("close_sitting", ())

    run(scenario())


def test_a_message_to_the_room_and_to_one_candidate(room: Room) -> None:
    async def scenario() -> None:
        app = room.app()
        async with app.run_test(size=(120, 36)) as pilot:
            screen = await log_in(pilot)
            await pilot.press("N")
            await settle(pilot)
            app.screen.query_one("#f-text").text = "Ten minutes left for everyone."
            await pilot.click("#ok")
            await settle(pilot)
            screen.select_candidate("S02")
            await pilot.press("n")
            await settle(pilot)
            app.screen.query_one("#f-text").text = "Please raise your hand."
            await pilot.click("#ok")
            await settle(pilot)
        with Centre.open(room.centre.path).reader() as reader:
            sent = [(e.attempt, e.body["text"]) for e in reader.events(kind="invigilator_message")]
        assert sent == [(None, "Ten minutes left for everyone."),
                        (attempt_id("S02"), "Please raise your hand.")]
        text = minutes_text(room.centre, SITTING, language="en")
        assert "the whole room" in text and "Please raise your hand." in text

    run(scenario())


def test_the_candidate_detail_view(room: Room) -> None:
    room.add(8, 19, 58, [invigilate("S02", "time_extended",
                                    {"minutes": 3, "reason": "power", "cause": "lost_time"})])

    async def scenario() -> None:
        app = room.app()
        async with app.run_test(size=(120, 36)) as pilot:
            screen = await log_in(pilot)
            screen.select_candidate("S02")
            screen.query_one("#room", DataTable).focus()
            await pilot.press("enter")
            await settle(pilot)
            dialog = app.screen
            assert isinstance(dialog, MessageDialog)
            text = rendered(dialog.text)
            assert "B204-02" in text
            assert "part 1, question 1 of" in text
            assert "Time used" in text and "1:40" in text  # 100 s persisted
            assert "Time added" in text and "3:00" in text
            assert "+5 min" in text  # the accommodation
            assert "time extended: power" in text

    run(scenario())


def test_alerts_for_a_stale_terminal_and_repeated_wrong_pins(room: Room) -> None:
    for ss in (1, 2, 3):
        room.add(8, 19, 56 + ss, [NewEvent("kiosk_exit_refused", {"seat": "B204-02"},
                                           "terminal:B204-02", attempt_id("S02"))])

    async def scenario() -> None:
        app = room.app()
        async with app.run_test(size=(120, 36)) as pilot:
            screen = await log_in(pilot)
            await settle(pilot)
            assert any("3 wrong exit PINs" in n and "S02" in n for n in notices(app))
            room.now += 40  # S04 silent for 50 s, past the 30 s of a stale terminal
            screen.redraw()
            await settle(pilot)
            assert any("No sign of life" in n and "S04" in n for n in notices(app))
            count = len(notices(app))
            screen.redraw()
            assert len(notices(app)) == count  # once per episode
        text = minutes_text(room.centre, SITTING, language="en")
        wrong = [line for line in text.splitlines() if "wrong exit PIN" in line]
        assert len(wrong) == 3 and all("terminal at B204-02" in line for line in wrong)

    run(scenario())


@size_ids
def test_accommodation_in_the_row_and_the_room_map(room: Room, size: tuple[int, int]) -> None:
    async def scenario() -> None:
        app = room.app()
        async with app.run_test(size=size) as pilot:
            screen = await log_in(pilot)
            assert cell(screen, "S02", "extra") == "+5"
            assert cell(screen, "S04", "extra") == ""
            await pilot.press("g")
            await settle(pilot)
            dialog = app.screen
            assert isinstance(dialog, MessageDialog)
            text = rendered(dialog.text)
            first = next(line for line in text.splitlines() if " 1 " in line)
            # seats 1..4 in one row, in seat order: S03 (1) S02 (2) S01 (3) S04 (4)
            assert first.index("S03") < first.index("S02") < first.index("S01") < \
                first.index("S04")

    run(scenario())
