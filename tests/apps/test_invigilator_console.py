"""Pilot tests of the invigilator console with candidate terminals running as separate processes
(tests/support/invigilation_driver.py), all of them clients of one real centre service process: every
action taken in the console goes through the service and reaches the candidate's session."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Checkbox, DataTable, Input, TextArea

from kiosk.apps.invigilator.app import InvigilatorApp
from kiosk.apps.invigilator.screens.dialogs import ConfirmDialog, FormDialog
from kiosk.apps.invigilator.screens.login import LoginScreen
from kiosk.apps.invigilator.screens.room import RoomScreen
from kiosk.apps.invigilator.screens.sittings import SittingScreen
from kiosk.client import RemoteCalls
from kiosk.i18n import set_language
from kiosk.minutes import minutes_text
from tests.support.async_tests import sync
from tests.support.invigilation_helpers import PASSWORD, USER, Candidate, room_setup, settle
from tests.support.service_helpers import running_service
from tests.support.session_helpers import Setup

#: Clock-source granularity (the driver's monotonic clock against the wall-clock stamps), not a
#: speed requirement: no timing thresholds here, Candidate.wait_for's timeout is the hang detector.
CLOCK_SLACK_S = 0.25


def clock_started_at(line: dict[str, Any], full: float, since: float) -> None:
    """The candidate's clock shows `full` less at most the real time since `since` (an action
    taken after `since` started or changed it), however slowly the machine reacted."""
    assert full - (line["t"] - since) - CLOCK_SLACK_S <= line["remaining"] <= full, (full, line)


@pytest.fixture(autouse=True)
def _language() -> Iterator[None]:
    yield
    set_language("hu")


@pytest.fixture
def setup(tmp_path: Path) -> Setup:
    return room_setup(tmp_path)


@pytest.fixture
def sock(setup: Setup) -> Iterator[Path]:
    """The centre service, a real process: the console and the terminals are its clients."""
    with running_service(setup.centre.path) as child:
        yield child.path


@pytest.fixture
def candidates(sock: Path) -> Iterator[list[Candidate]]:
    started: list[Candidate] = []
    yield started
    for c in started:
        c.stop()


def sit(setup: Setup, started: list[Candidate], candidate: str, seat: str, sock: Path
        ) -> Candidate:
    c = Candidate(setup, candidate, seat, sock)
    started.append(c)
    return c


async def log_in(pilot: Any, *, expect_room: bool = True) -> RoomScreen:
    app = pilot.app
    assert isinstance(app.screen, LoginScreen)
    app.screen.query_one("#user", Input).value = USER
    app.screen.query_one("#password", Input).value = PASSWORD
    app.screen.query_one("#password", Input).focus()
    await pilot.press("enter")
    await settle(pilot)
    if expect_room:
        assert isinstance(app.screen, RoomScreen)
    return app.screen


async def wait_row(pilot: Any, screen: RoomScreen, candidate: str, status: str,
                   timeout: float = 10.0) -> None:
    """Until the console shows `status` for `candidate` (its own poll timer running)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if screen.room.row(candidate, time.time()).status == status:
            return
        await pilot.pause(0.05)
    raise AssertionError(f"{candidate} never showed {status}: "
                         f"{screen.room.row(candidate, time.time())}")


async def form(pilot: Any, **values: str) -> None:
    """Fill the open form dialog and save it."""
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, FormDialog), dialog
    for key, value in values.items():
        widget = dialog.query_one(f"#f-{key}")
        if isinstance(widget, Input):
            widget.value = value
        elif isinstance(widget, TextArea):
            widget.text = value
        elif isinstance(widget, Checkbox):
            widget.value = bool(value)
    await pilot.click("#ok")
    await settle(pilot)


async def yes(pilot: Any) -> None:
    await settle(pilot)
    assert isinstance(pilot.app.screen, ConfirmDialog)
    await pilot.click("#yes")
    await settle(pilot)


def reached(c: Candidate, since: float, pred: Any, mark: int) -> dict[str, Any]:
    line = c.wait_for(lambda line: "status" in line and pred(line), after=mark)
    assert line["t"] >= since, line
    return line


def app_for(sock: Path, sitting: str | None = None, **kwargs: Any) -> InvigilatorApp:
    """The console as `kiosk invigilate` runs it: a client of the service at `sock`."""
    return InvigilatorApp(RemoteCalls(sock), centre_name="Teszt", language="en",
                          sitting=sitting, **kwargs)


@sync
async def test_login_rejects_a_wrong_password_and_lists_sittings(setup: Setup,
                                                                 sock: Path) -> None:
    app = app_for(sock)
    async with app.run_test(size=(140, 40)) as pilot:
        app.screen.query_one("#user", Input).value = USER
        app.screen.query_one("#password", Input).value = "wrong-password"
        app.screen.query_one("#password", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert app.user is None
        assert "Login failed" in str(app.screen.query_one("#login-message").render())
        await log_in(pilot, expect_room=False)
        assert isinstance(app.screen, SittingScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RoomScreen)
        assert app.screen.feed.sitting.id == setup.sitting


@sync
async def test_one_candidate_through_every_intervention(setup: Setup, candidates: list[Candidate],
                                                        sock: Path) -> None:
    c1 = sit(setup, candidates, "C1", "B204-01", sock)
    c1.wait_for(lambda line: line.get("ready"))
    app = app_for(sock, setup.sitting)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await log_in(pilot)
        await wait_row(pilot, screen, "C1", "logged_in")
        screen.select_candidate("C1")

        # admit (identity checked), then start
        mark, since = c1.mark(), time.time()
        await pilot.press("a")
        await form(pilot, document="személyi igazolvány 123456AB")
        reached(c1, since, lambda line: line["status"] == "admitted", mark)
        mark, since = c1.mark(), time.time()
        await pilot.press("s")
        running = reached(c1, since, lambda line: line["status"] == "in_progress", mark)
        clock_started_at(running, 600, since)

        # pause: the remaining time does not move
        mark, since = c1.mark(), time.time()
        await pilot.press("p")
        await form(pilot, reason="fire alarm test")
        paused = reached(c1, since, lambda line: line["paused"], mark)
        time.sleep(1.5)
        still = c1.last()
        assert still["paused"] and still["remaining"] == pytest.approx(paused["remaining"],
                                                                       abs=0.05)
        mark, since = c1.mark(), time.time()
        await pilot.press("r")
        resumed = reached(c1, since, lambda line: line["status"] == "in_progress", mark)
        clock_started_at(resumed, still["remaining"], since)  # the pause charged nothing

        # left the room: the time keeps running (Szkr 278. § (1))
        mark, since = c1.mark(), time.time()
        await pilot.press("l")
        await form(pilot, reason="toilet")
        away = reached(c1, since, lambda line: line["away"] and line["status"] == "away", mark)
        later = c1.wait_for(lambda line: "status" in line
                            and line["remaining"] <= away["remaining"] - 1.2, after=c1.mark() - 1)
        assert later["status"] == "away" and later["away"], later
        mark, since = c1.mark(), time.time()
        await pilot.press("l")
        reached(c1, since, lambda line: line["status"] == "in_progress", mark)

        # extension for lost time appears on the candidate's clock
        before_line = c1.last()
        before = before_line["remaining"]
        mark, since = c1.mark(), time.time()
        await pilot.press("e")
        await form(pilot, minutes="5", reason="power cut in the room")
        extended = reached(c1, since, lambda line: line["remaining"] > before + 250, mark)
        clock_started_at(extended, before + 300, before_line["t"])

        # irregularity: suspended at once, recorded, then the candidate continues
        mark, since = c1.mark(), time.time()
        await pilot.press("i")
        suspended = reached(c1, since, lambda line: line["suspended"], mark)
        time.sleep(1.0)
        assert c1.last()["remaining"] == pytest.approx(suspended["remaining"], abs=0.05)
        mark, since = c1.mark(), time.time()
        await form(pilot, nature="talking to the neighbour",
                   candidate="I only asked for a pen.",
                   supervisor="Warned the candidate; the neighbour confirmed.")
        reached(c1, since, lambda line: line["status"] == "in_progress", mark)
        await wait_row(pilot, screen, "C1", "in_progress")
        assert screen.room.row("C1", time.time()).incidents == 1

        # force-submit at the end
        mark, since = c1.mark(), time.time()
        await pilot.press("f")
        await form(pilot, reason="the candidate asked to finish")
        done = reached(c1, since, lambda line: line["status"] == "submitted", mark)
        assert done["receipt"]

        # close the sitting
        await pilot.press("c")
        await yes(pilot)
        await pilot.pause(0.3)
        assert not screen.room.open
        assert "closed" in str(screen.query_one("#room-header").render())

    text = minutes_text(setup.centre, setup.sitting, language="en")
    assert f"{done['receipt']}" in text
    assert "talking to the neighbour" in text and "I only asked for a pen." in text
    assert "Warned the candidate; the neighbour confirmed." in text
    assert "fire alarm test" in text and "power cut in the room" in text
    assert "személyi igazolvány 123456AB" in text
    assert "the candidate asked to finish" in text
    assert any(line.rstrip().endswith("anna") and "forced" in line for line in text.splitlines())


@sync
async def test_room_wide_start_pause_and_extension(setup: Setup, candidates: list[Candidate],
                                                   sock: Path) -> None:
    c1 = sit(setup, candidates, "C1", "B204-01", sock)
    c3 = sit(setup, candidates, "C3", "B204-03", sock)
    for c in (c1, c3):
        c.wait_for(lambda line: line.get("ready"))
    app = app_for(sock, setup.sitting)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await log_in(pilot)
        for cand in ("C1", "C3"):
            await wait_row(pilot, screen, cand, "logged_in")
            screen.select_candidate(cand)
            await pilot.press("a")
            await form(pilot)
        marks, since = [c.mark() for c in (c1, c3)], time.time()
        await pilot.press("S")
        await yes(pilot)
        first = [reached(c, since, lambda line: line["status"] == "in_progress", m)
                 for c, m in zip((c1, c3), marks, strict=True)]
        # C3 has 10 extra minutes (roster accommodation)
        clock_started_at(first[0], 600, since)
        clock_started_at(first[1], 1200, since)

        marks, since = [c.mark() for c in (c1, c3)], time.time()
        await pilot.press("P")
        await form(pilot, reason="noise outside")
        paused = [reached(c, since, lambda line: line["paused"], m)
                  for c, m in zip((c1, c3), marks, strict=True)]
        time.sleep(1.2)
        for c, p in zip((c1, c3), paused, strict=True):
            assert c.last()["remaining"] == pytest.approx(p["remaining"], abs=0.05)
        # one candidate's resume does not lift the room's pause
        screen.select_candidate("C1")
        await pilot.press("r")
        await pilot.pause()
        assert c1.last()["paused"]

        marks, since = [c.mark() for c in (c1, c3)], time.time()
        await pilot.press("E")
        await form(pilot, minutes="2", reason="the pause took time")
        for c, m, p in zip((c1, c3), marks, paused, strict=True):
            reached(c, since, lambda line, p=p: line["remaining"] > p["remaining"] + 100, m)

        marks, since = [c.mark() for c in (c1, c3)], time.time()
        await pilot.press("R")
        for c, m in zip((c1, c3), marks, strict=True):
            reached(c, since, lambda line: not line["paused"], m)
        await wait_row(pilot, screen, "C3", "in_progress")


@sync
async def test_a_voided_attempt_cannot_submit(setup: Setup, candidates: list[Candidate],
                                              sock: Path) -> None:
    c2 = sit(setup, candidates, "C2", "B204-02", sock)
    c2.wait_for(lambda line: line.get("ready"))
    app = app_for(sock, setup.sitting)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await log_in(pilot)
        await wait_row(pilot, screen, "C2", "logged_in")
        screen.select_candidate("C2")
        await pilot.press("a")
        await form(pilot)
        await pilot.press("s")
        await wait_row(pilot, screen, "C2", "in_progress")
        mark, since = c2.mark(), time.time()
        await pilot.press("v")
        await form(pilot, reason="used a phone")
        reached(c2, since, lambda line: line["status"] == "voided", mark)
        await wait_row(pilot, screen, "C2", "voided")
        mark = c2.mark()
        c2.send("submit")
        refused = c2.wait_for(lambda line: "error" in line or "submitted" in line, after=mark)
        assert refused.get("error") == "NotInProgress", refused
        mark = c2.mark()  # taken before sending: the reply may come before wait_for runs
        c2.send("answer")
        refused = c2.wait_for(lambda line: "error" in line or "answered" in line, after=mark)
        assert refused.get("error") == "NotInProgress", refused
    assert "VOIDED" in minutes_text(setup.centre, setup.sitting, language="en")


@sync
async def test_a_moved_candidate_resumes_on_the_new_seat(setup: Setup, candidates: list[Candidate],
                                                         sock: Path) -> None:
    old = sit(setup, candidates, "C1", "B204-01", sock)
    old.wait_for(lambda line: line.get("ready"))
    app = app_for(sock, setup.sitting)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await log_in(pilot)
        await wait_row(pilot, screen, "C1", "logged_in")
        screen.select_candidate("C1")
        await pilot.press("a")
        await form(pilot)
        await pilot.press("s")
        await wait_row(pilot, screen, "C1", "in_progress")
        old.wait_for(lambda line: line.get("status") == "in_progress")
        old.send("answer")
        assert old.wait_for(lambda line: "answered" in line or "error" in line).get("answered")
        await pilot.press("m")
        await form(pilot, seat="B204-09", reason="keyboard broken")
        await pilot.pause(0.3)
        table = screen.query_one("#room", DataTable)
        assert "B204-09" in str(table.get_cell("C1", "seat"))

        new = sit(setup, candidates, "C1", "B204-09", sock)
        ready = new.wait_for(lambda line: "ready" in line or "login_error" in line)
        assert ready.get("ready"), ready
        # the old terminal is locked out at its next tick ...
        assert "moved to seat B204-09" in old.wait_for(lambda line: "elsewhere" in line)[
            "elsewhere"]
        # ... and cannot log in again
        again = sit(setup, candidates, "C1", "B204-01", sock)
        refused = again.wait_for(lambda line: "ready" in line or "login_error" in line)
        assert refused.get("login_error") == "SessionElsewhere", refused
        # the new seat continues the same attempt, answers kept, clock running
        # (its first report may come before a tenth of a second is charged: wait for the clock)
        line = new.wait_for(lambda line: line.get("status") == "in_progress"
                            and line["remaining"] < 600)
        assert line["remaining"] > 500
        mark = new.mark()
        new.send("submit")
        assert new.wait_for(lambda line: "submitted" in line or "error" in line,
                            after=mark).get("submitted")
        await wait_row(pilot, screen, "C1", "submitted")
    text = minutes_text(setup.centre, setup.sitting, language="en")
    assert "keyboard broken" in text
    # the seating plan: at B204-09 now, also logged in at B204-01 before
    assert any(line.split()[:2] == ["B204-09", "C1"] and line.rstrip().endswith("B204-01")
               for line in text.splitlines())
