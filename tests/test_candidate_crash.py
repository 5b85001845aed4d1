"""An unexpected exception in the candidate kiosk: the "call the invigilator" screen, the
traceback in the centre's logs (never on the terminal), exit only with the PIN, and the attempt
resumable afterwards. Pilots against a real centre and ledger."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from kiosk.apps.candidate.app import CandidateApp
from kiosk.apps.candidate.crash import CrashApp, CrashScreen, after_crash
from kiosk.apps.candidate.screens.pin import PinDialog
from kiosk.domain.timing import ManualClock
from kiosk.i18n import set_language
from kiosk.ledger.centre import Centre
from kiosk.session import CandidateSession
from tests.candidate_helpers import PIN, Setup, enter_exam, make_centre, settle, type_text
from tests.test_candidate_app import kinds, saved_answers, text_of


@pytest.fixture(autouse=True)
def _language() -> Any:
    yield
    set_language("hu")


@pytest.fixture
def setup(tmp_path: Path) -> Setup:
    return make_centre(tmp_path)


def crashing_app(setup: Setup) -> CandidateApp:
    app = CandidateApp(setup.centre, seat="S1", language="en", clock=ManualClock(),
                       timers=False)
    app.contain_crashes = True  # as on a real terminal (pilots re-raise by default)
    return app


async def crash(pilot: Any) -> None:
    """A real failure inside the app's own code path: the session's refresh blows up."""
    app = pilot.app

    def broken() -> None:
        raise RuntimeError("boom: simulated failure")

    app.session.refresh = broken
    app.call_later(app.refresh_view)
    for _ in range(200):  # the app closes itself; pilot.pause() would wait on a dead loop
        if getattr(app, "crash_error", None) is not None and not app.is_running:
            break
        await asyncio.sleep(0.05)


def test_an_unexpected_error_ends_the_app_quietly_and_the_attempt_resumes(
        setup: Setup) -> None:
    async def scenario() -> CandidateApp:
        app = crashing_app(setup)
        async with app.run_test() as pilot:
            await pilot.pause()
            await enter_exam(pilot, "C1", setup.code)
            first = app.session.parts[0].items[0].key
            app.session.save_answer(first, "x")
            await crash(pilot)
        return app

    app = asyncio.run(scenario())
    assert isinstance(app.crash_error, RuntimeError)
    assert app._exit_renderables == []  # no traceback printed on the terminal at exit
    reference, unsaved = after_crash(app)
    assert reference.startswith("candidate-S1-") and unsaved == 0
    log = setup.centre / "logs" / reference
    assert log.stat().st_mode & 0o077 == 0  # the centre's owner only
    text = log.read_text()
    assert "Traceback" in text and "RuntimeError: boom: simulated failure" in text
    assert "kiosk_exit" not in kinds(setup.centre)  # not an exit: the crash screen follows
    # The lease is released: the candidate logs in again and continues the same attempt.
    again = CandidateSession.login(setup.centre, "C1", setup.code, seat="S2",
                                   clock=ManualClock())
    try:
        assert again.view().status in {"in_progress", "away"}
        assert again.view().answers[again.parts[0].items[0].key] == "x"
    finally:
        again.close()
    assert saved_answers(setup.centre)


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
def test_the_crash_screen_says_call_the_invigilator_and_only_the_pin_exits(
        setup: Setup, size: tuple[int, int]) -> None:
    async def scenario() -> None:
        set_language("en")
        app = CrashApp(setup.centre, "S1", "candidate-S1-20261201T120000-42.log", 0)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, CrashScreen)
            shown = text_of(app)
            assert "An unexpected error occurred" in shown
            assert "Please call the invigilator" in shown
            assert "candidate-S1-20261201T120000-42.log" in shown
            for key in ("ctrl+q", "ctrl+c", "ctrl+z", "escape", "ctrl+p"):
                await pilot.press(key)
                await settle(pilot)
                assert app.is_running and isinstance(app.screen, CrashScreen), key
            await pilot.press("ctrl+e")
            await settle(pilot)
            assert isinstance(app.screen, PinDialog)
            await type_text(pilot, "000000")
            await pilot.press("enter")
            await settle(pilot)
            assert app.is_running
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, CrashScreen)
            await pilot.press("ctrl+e")
            await settle(pilot)
            await type_text(pilot, PIN)
            await pilot.press("enter")
            await settle(pilot)
        assert not app.is_running
        assert kinds(setup.centre).count("kiosk_exit") == 1
        assert kinds(setup.centre).count("kiosk_exit_refused") == 1

    asyncio.run(scenario())


def test_the_crash_screen_tells_when_changes_were_not_saved(setup: Setup) -> None:
    async def scenario() -> None:
        set_language("hu")
        app = CrashApp(setup.centre, "S1", "x.log", 2)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            shown = text_of(app)
            assert "Váratlan hiba történt" in shown and "2 módosítás" in shown

    asyncio.run(scenario())


def test_pilots_still_see_exceptions_unless_they_opt_in(setup: Setup) -> None:
    """Other tests keep failing loudly: containment is for the real terminal."""
    async def scenario() -> None:
        app = CandidateApp(setup.centre, seat="S1", language="en", clock=ManualClock(),
                           timers=False)
        with pytest.raises(RuntimeError, match="loud"):
            async with app.run_test() as pilot:
                await pilot.pause()

                def loud() -> None:
                    raise RuntimeError("loud")

                app.call_later(loud)
                await settle(pilot)

    asyncio.run(scenario())
    assert not (Centre.open(setup.centre).path / "logs").exists()
