"""Pilot tests of `kiosk mark` (the examiner app): log in, mark one response against the
rubric, and markers never see a candidate's name or id."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

from textual.widgets import DataTable, Input, Static

from kiosk.apps.examiner.app import ExaminerApp
from kiosk.apps.examiner.screens import LoginScreen, MarkScreen, QueueScreen, StatsScreen
from kiosk.domain import marking as M
from tests.support.marking_helpers import PASSWORD, essay_answers, mark_setup, sit


async def settle(pilot: Any) -> None:
    """Let the screen's workers (calls to the centre service) finish and their answers show."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def log_in(pilot: Any, user: str = "anna", password: str = PASSWORD) -> None:
    screen = pilot.app.screen
    assert isinstance(screen, LoginScreen)
    screen.query_one("#user", Input).value = user
    screen.query_one("#password", Input).value = password
    screen.query_one("#password", Input).focus()
    await pilot.press("enter")
    await settle(pilot)


def shown(secret: str, text: str) -> bool:
    """`secret` on screen as a word of its own: a random marker code such as JC2W-36LH holds
    "C2" without showing candidate C2."""
    return re.search(rf"(?<![A-Za-z0-9]){re.escape(secret)}(?![A-Za-z0-9])", text) is not None


def screen_text(app: ExaminerApp) -> str:
    return app.export_screenshot()


def test_login_mark_one_response_appends_a_marked_event(tmp_path: Path) -> None:
    s = mark_setup(tmp_path)
    attempts = {cid: sit(s, cid, essay_answers(f"Szöveg {text}"))
                for cid, text in (("C1", "egy"), ("C2", "kettő"))}

    async def body() -> None:
        app = ExaminerApp(s.centre.path, language="en")
        async with app.run_test(size=(140, 45)) as pilot:
            await log_in(pilot, password="wrong-password")
            assert isinstance(app.screen, LoginScreen)
            assert "Unknown user name" in str(
                app.screen.query_one("#login-message", Static).render())
            await log_in(pilot)
            assert isinstance(app.screen, QueueScreen)
            groups = app.screen.query_one("#groups", DataTable)
            assert groups.row_count == 2
            text = screen_text(app)
            for secret in ("Kovács", "Nagy", "C1", "C2", *attempts.values()):
                assert not shown(secret, text), secret
            await pilot.press("m")
            await settle(pilot)
            mark = app.screen
            assert isinstance(mark, MarkScreen)
            assert mark.entry.item == "m:e1"
            text = screen_text(app)
            for secret in ("Kovács", "Nagy", "C1", "C2", *attempts.values()):
                assert not shown(secret, text), secret
            assert mark.entry.code in text
            assert "Szöveg" in text  # the response, read-only
            assert mark.query_one("#response").read_only  # type: ignore[attr-defined]
            mark.query_one("#crit-0", Input).value = "5"
            mark.query_one("#crit-1", Input).value = "9"  # above the criterion's 4 points
            mark.save()
            await settle(pilot)
            assert isinstance(app.screen, MarkScreen)
            assert "Nyelvhelyesség: at most 4 points" in str(
                app.screen.query_one("#mark-message", Static).render())
            mark.query_one("#crit-1", Input).value = "3"
            mark.save()
            await settle(pilot)
            # the next response of the same item opens at once; Escape goes back to the queue
            assert isinstance(app.screen, MarkScreen) and app.screen is not mark
            assert app.screen.entry.item == "m:e1"
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, QueueScreen)
            assert app.screen.query_one("#groups", DataTable).get_row_at(0)[2:] == ["1", "1"]
            await pilot.press("s")
            await pilot.pause()
            assert isinstance(app.screen, StatsScreen)
            # computed in a worker thread: the screen answers at once, the figures follow
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert "Flagged for review" in str(
                app.screen.query_one("#stats-text", Static).render())

    asyncio.run(body())
    with s.centre.reader() as r:
        [ev] = list(r.events(kind="marked"))
    assert ev.actor == "examiner:anna"
    assert ev.body["item"] == "m:e1" and ev.body["points"] == 8
    assert ev.body["criteria"] == {"Tartalom": 5, "Nyelvhelyesség": 3}
    assert ev.body["attempt"] in attempts.values()
    with s.centre.reader() as r:
        key = r.get(1).hash  # type: ignore[union-attr]
    # the marker saw the code of the attempt that was marked
    assert M.anon_code(ev.body["attempt"], key) in {M.anon_code(a, key)
                                                    for a in attempts.values()}


def test_invigilator_accounts_cannot_mark(tmp_path: Path) -> None:
    from tests.support.invigilation_helpers import add_user

    s = mark_setup(tmp_path)
    add_user(s.centre, "ivan", PASSWORD, role="invigilator")

    async def body() -> None:
        app = ExaminerApp(s.centre.path, language="en")
        async with app.run_test(size=(120, 40)) as pilot:
            await log_in(pilot, user="ivan")
            assert isinstance(app.screen, LoginScreen)

    asyncio.run(body())
