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
from tests.apps.test_candidate_app import kinds, saved_answers, text_of
from tests.support.candidate_helpers import PIN, Setup, enter_exam, settle, type_text

pytestmark = pytest.mark.world("candidate")


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


DRIVER = """
import sys
from pathlib import Path
from kiosk.apps.candidate.app import CandidateApp
from kiosk.apps.candidate.crash import supervise

def boom(*args, **kwargs):
    raise RuntimeError("boom: the login blew up")

supervise(CandidateApp(Path(sys.argv[1]), seat="T1", language="en", login=boom,
                       ready_marker=Path(sys.argv[2])))
"""


def test_on_a_real_terminal_no_traceback_and_only_the_pin_exits(setup: Setup,
                                                                  tmp_path: Path) -> None:
    """The real thing on a pseudo-terminal: an exception in the kiosk prints nothing, the crash
    screen stays through quit keys, the PIN ends the process with code 0."""
    import os
    import pty
    import select
    import subprocess
    import sys
    import time

    marker = tmp_path / "ready"
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-c", DRIVER, str(setup.centre), str(marker)],
                            stdin=slave, stdout=slave, stderr=slave, start_new_session=True,
                            env=dict(os.environ, TERM="xterm-256color"))
    os.close(slave)
    seen = bytearray()

    def drain(seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            ready, _, _ = select.select([master], [], [], 0.02)
            if ready:
                try:
                    seen.extend(os.read(master, 65536))
                except OSError:
                    return

    def until(predicate: Any, what: str, timeout: float = 45) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            assert time.monotonic() < deadline, what
            drain(0.05)

    try:
        until(marker.exists, "the login screen did not show")
        for data in (b"C1\t", setup.code.encode(), b"\r"):
            os.write(master, data)
            drain(0.3)
        logs = setup.centre / "logs"
        until(lambda: logs.exists() and any(logs.iterdir()), "no crash log written")
        until(lambda: b"call" in bytes(seen) and b"invigilator" in bytes(seen),
              "the crash screen did not show")
        for byte in (b"\x03", b"\x11", b"\x1a", b"\x1b"):
            os.write(master, byte)
            drain(0.3)
            assert proc.poll() is None, f"the kiosk exited on {byte!r}"
        os.write(master, b"\x05")  # ctrl+e: the invigilator's key
        drain(0.5)
        os.write(master, PIN.encode() + b"\r")
        until(lambda: proc.poll() is not None, "the PIN did not end the kiosk")
        drain(0.3)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 9)
        proc.wait(timeout=10)
        os.close(master)
    assert proc.returncode == 0
    assert b"Traceback" not in seen and b"RuntimeError" not in seen
    log = next((setup.centre / "logs").iterdir()).read_text()
    assert "RuntimeError: boom: the login blew up" in log
    assert kinds(setup.centre).count("kiosk_exit") == 1


def test_a_served_terminal_logs_its_crash_outside_the_centre(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    """With a centre service the terminal's account cannot write the centre directory: the
    traceback goes to the terminal's own log folder, never into the centre (nor the screen)."""
    from kiosk.apps.candidate.crash import write_log

    centre = tmp_path / "centre"
    centre.mkdir()
    monkeypatch.setenv("KIOSK_LOG_DIR", str(tmp_path / "own-logs"))
    try:
        raise RuntimeError("boom with an answer: Balaton")
    except RuntimeError as exc:
        path = write_log(centre, "B204-07", exc, service=tmp_path / "service.sock")
    assert path is not None and path.parent == tmp_path / "own-logs"
    assert "Balaton" in path.read_text(encoding="utf-8")
    assert (path.stat().st_mode & 0o777) == 0o600
    assert not (centre / "logs").exists()
