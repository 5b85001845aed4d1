"""No lost keystrokes at the three login screens (issues 12 and 15): keys typed in one burst land
in the field focused when each was typed, Enter submits with both fields complete, and keys
typed while the login call is in flight go to the next screen (or back to the form after a
failed login), never to a field that vanishes.

Most bursts are posted to the app's driver all at once (`tests.support.keys.burst`), as a
terminal delivers a fast typist's or `tmux send-keys`'s keys: `pilot.press` waits for idle
between keys and hid the defect (`test_candidate_pilot_press_in_one_call` passed before the
fix too). Every other test here failed on the code before the fix (kiosk/apps/typeahead.py):
"anna", Tab, "secret" all landed in the user field; keys typed while the login was in flight
went into the password field (a second login, or lost with it). The in-flight tests type the
login itself with `pilot.press`, so they fail for the in-flight keys alone."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from kiosk.apps.candidate.app import CandidateApp, login_remote
from kiosk.apps.examiner.app import ExaminerApp
from kiosk.apps.examiner.screens import LoginScreen as ExaminerLogin
from kiosk.apps.examiner.screens import QueueScreen, StatsScreen
from kiosk.apps.invigilator.app import InvigilatorApp
from kiosk.apps.invigilator.screens.login import LoginScreen as ConsoleLogin
from kiosk.apps.invigilator.screens.room import RoomScreen
from kiosk.apps.invigilator.screens.sittings import SittingScreen
from kiosk.domain.timing import ManualClock
from kiosk.i18n import current_language, set_language
from kiosk.ledger.centre import Centre
from kiosk.service.usecases import LocalCalls
from tests.support.async_tests import sync
from tests.support.candidate_helpers import Setup as CandidateSetup
from tests.support.candidate_helpers import make_centre
from tests.support.invigilation_helpers import PASSWORD as CONSOLE_PASSWORD
from tests.support.invigilation_helpers import USER as CONSOLE_USER
from tests.support.invigilation_helpers import room_setup
from tests.support.keys import burst, keys_of, until
from tests.support.marking_helpers import PASSWORD as EXAMINER_PASSWORD
from tests.support.marking_helpers import mark_setup
from tests.support.service_helpers import running_service

SIZES = [(80, 24), (120, 36)]


@pytest.fixture(autouse=True)
def _language() -> Iterator[None]:
    yield
    set_language("hu")


class Gate:
    """Holds the first `n` login calls until the test opens it: the login is in flight for as
    long as the test needs to type during it."""

    def __init__(self, n: int = 1) -> None:
        self.entered = threading.Event()
        self.open = threading.Event()
        self.left = n

    def wait(self) -> None:
        if self.left > 0:
            self.left -= 1
            self.entered.set()
            assert self.open.wait(30), "the test never opened the gate"


class GatedCalls:
    """Staff calls (LocalCalls) whose login waits at the gate."""

    def __init__(self, inner: Any, gate: Gate) -> None:
        self.inner, self.gate = inner, gate

    def login(self, *args: Any, **kwargs: Any) -> Any:
        self.gate.wait()
        return self.inner.login(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


async def in_flight(pilot: Any, gate: Gate) -> None:
    """Until the login call has reached the gate (it runs on a worker thread)."""
    await until(pilot, gate.entered.is_set)


def up(app: Any, screen: type) -> bool:
    """`screen` is current and mounted, with its focus set (so the test may end)."""
    return isinstance(app.screen, screen) and app.screen.is_mounted and (
        app.screen.focused is not None)


def refused(app: Any) -> bool:
    """The login form says the login failed."""
    message = app.screen.query("#login-message")
    return bool(message) and "failed" in str(message.first().render()).lower()


def values(app: Any) -> list[str]:
    return [i.value for i in app.screen.query(Input)]


# -- the candidate kiosk ----------------------------------------------------------------------

@pytest.fixture
def cand(tmp_path: Path) -> CandidateSetup:
    return make_centre(tmp_path)


def candidate_app(setup: CandidateSetup, **kwargs: Any) -> CandidateApp:
    return CandidateApp(setup.centre, seat="S1", language="en", clock=ManualClock(),
                        timers=False, **kwargs)


def gated_login(sock: Path, gate: Gate) -> Callable[..., Any]:
    """The app's login through the service, held at `gate` (a login in flight)."""
    remote = login_remote(sock)

    def gated(*args: Any, **kwargs: Any) -> Any:
        gate.wait()
        return remote(*args, **kwargs)

    return gated


def on_identity(app: CandidateApp, candidate: str = "C1") -> bool:
    """The identity screen is up (its confirm button focused) for `candidate`."""
    focused = app.screen.focused
    return (getattr(app.screen, "kiosk_name", "") == "identity"
            and focused is not None and focused.id == "yes"
            and app.session is not None and app.session.identity.candidate == candidate)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("between", ["tab", "enter"])
@sync
async def test_candidate_burst_across_tab_or_enter_signs_in(cand: CandidateSetup, size: Any,
                                                            between: str) -> None:
    app = candidate_app(cand)
    async with app.run_test(size=size) as pilot:
        burst(app, "C1", between, cand.code, "enter")
        await until(pilot, lambda: on_identity(app))


@sync
async def test_keys_typed_during_the_login_do_not_confirm_the_identity(
        cand: CandidateSetup) -> None:
    """Enter pressed twice: the second one, typed while the login was in flight, does not
    confirm an identity the candidate has not seen; an Enter typed once it is shown does."""
    gate = Gate()
    with running_service(cand.centre) as child:
        app = candidate_app(cand, service=child.path, login=gated_login(child.path, gate))
        async with app.run_test(size=(80, 24)) as pilot:
            burst(app, "C1", "tab", cand.code, "enter")
            await in_flight(pilot, gate)
            burst(app, "enter", "enter")
            gate.open.set()
            await until(pilot, lambda: on_identity(app))
            await pilot.pause(0.3)
            assert getattr(app.screen, "kiosk_name", "") == "identity"
            burst(app, "enter")
            await until(pilot, lambda: getattr(app.screen, "kiosk_name", "") == "instructions"
                        and app.screen.is_mounted and app.screen.focused is not None)
            app.session.close(force=True)


@sync
async def test_candidate_fields_hold_what_was_typed_in_each(cand: CandidateSetup) -> None:
    # Editing keys (Backspace, Left …) are bindings of the Input that Textual resolved against
    # the focus *after* the Tab that followed them: they must stay in their own field too.
    app = candidate_app(cand)
    async with app.run_test(size=(120, 36)) as pilot:
        burst(app, "C1x", "backspace", "tab", "AB", "left", "backspace", "shift+tab", "9")
        await until(pilot, lambda: values(app) == ["C19", "B"])
        assert app.screen.focused is app.screen.query_one("#candidate")


@sync
async def test_candidate_keys_typed_across_not_me_reach_the_new_login_form(
        cand: CandidateSetup) -> None:
    """"This is not me" (Escape) and the right candidate's login in one burst: the keys typed
    while the login form comes back land in its fields."""
    app = candidate_app(cand)
    async with app.run_test(size=(80, 24)) as pilot:
        burst(app, "C1", "tab", cand.code, "enter")
        await until(pilot, lambda: on_identity(app))
        burst(app, "escape", "C2", "tab", cand.code, "enter")
        await until(pilot, lambda: on_identity(app, "C2"))


@sync
async def test_candidate_pilot_press_in_one_call(cand: CandidateSetup) -> None:
    app = candidate_app(cand)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*keys_of("C1", "tab", cand.code, "enter"))
        await until(pilot, lambda: on_identity(app))


@sync
async def test_candidate_language_switch_in_a_burst_keeps_the_keys(cand: CandidateSetup) -> None:
    # F2 rebuilds the form in the other language: the keys typed after it go to the new fields.
    app = candidate_app(cand)
    async with app.run_test(size=(120, 36)) as pilot:
        burst(app, "C", "f2", "1", "tab", cand.code, "enter")
        await until(pilot, lambda: on_identity(app))
        assert current_language() == "hu"


@sync
async def test_candidate_keys_typed_while_a_failed_login_is_in_flight_retry_it(
        cand: CandidateSetup, tmp_path: Path) -> None:
    """A wrong code, Enter; while the service answers, the right code and Enter: once the
    failure is shown, those keys land in the emptied code field and sign in."""
    gate = Gate()
    with running_service(cand.centre) as child:
        app = candidate_app(cand, service=child.path, login=gated_login(child.path, gate))
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.press(*keys_of("C1", "tab", "WRONG-CODE", "enter"))
            await in_flight(pilot, gate)
            burst(app, cand.code, "enter")
            await pilot.pause(0.05)
            assert values(app) == ["C1", "WRONG-CODE"]  # nothing typed into the form meanwhile
            gate.open.set()
            await until(pilot, lambda: on_identity(app))
            app.session.close(force=True)


# -- the invigilator console ------------------------------------------------------------------

@pytest.fixture
def room(tmp_path: Path) -> Any:
    return room_setup(tmp_path)


def console(setup: Any, gate: Gate | None = None, **kwargs: Any) -> InvigilatorApp:
    centre = setup.centre if isinstance(setup.centre, Centre) else Centre.open(setup.centre)
    calls: Any = LocalCalls(centre)
    if gate is not None:
        calls = GatedCalls(calls, gate)
    return InvigilatorApp(calls, centre_name=centre.name, language="en", **kwargs)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("between", ["tab", "enter"])
@sync
async def test_console_burst_across_tab_or_enter_logs_in(room: Any, size: Any,
                                                         between: str) -> None:
    app = console(room)
    async with app.run_test(size=size) as pilot:
        burst(app, CONSOLE_USER, between, CONSOLE_PASSWORD, "enter")
        await until(pilot, lambda: up(app, SittingScreen)
                    or refused(app))
        assert isinstance(app.screen, SittingScreen), values(app)
        assert app.user.name == CONSOLE_USER


@sync
async def test_console_keys_typed_while_the_login_is_in_flight_reach_the_next_screen(
        room: Any) -> None:
    """Enter typed while the password is being checked chooses the sitting on the screen that
    follows (before: it went into the password field, which vanished)."""
    gate = Gate()
    app = console(room, gate)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press(*keys_of(CONSOLE_USER, "tab", CONSOLE_PASSWORD, "enter"))
        await in_flight(pilot, gate)
        burst(app, "enter")
        await pilot.pause(0.05)
        assert isinstance(app.screen, ConsoleLogin)
        assert values(app) == [CONSOLE_USER, CONSOLE_PASSWORD]
        gate.open.set()
        await until(pilot, lambda: up(app, RoomScreen))
        assert app.screen.feed.sitting.id == room.sitting


@sync
async def test_console_keys_typed_while_a_failed_login_is_in_flight_retry_it(room: Any) -> None:
    gate = Gate()
    app = console(room, gate)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*keys_of(CONSOLE_USER, "tab", "wrong-password", "enter"))
        await in_flight(pilot, gate)
        burst(app, CONSOLE_PASSWORD, "enter")
        gate.open.set()
        await until(pilot, lambda: up(app, SittingScreen))


# -- the examiner's marking app ---------------------------------------------------------------

@pytest.fixture
def marking(tmp_path: Path) -> Any:
    return mark_setup(tmp_path)


def examiner(setup: Any, gate: Gate | None = None) -> ExaminerApp:
    def calls() -> Any:
        local = LocalCalls(setup.centre)
        return GatedCalls(local, gate) if gate is not None else local

    return ExaminerApp(setup.centre.path, language="en", calls=calls)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("between", ["tab", "enter"])
@sync
async def test_examiner_burst_across_tab_or_enter_logs_in(marking: Any, size: Any,
                                                          between: str) -> None:
    app = examiner(marking)
    async with app.run_test(size=size) as pilot:
        burst(app, "anna", between, EXAMINER_PASSWORD, "enter")
        await until(pilot, lambda: up(app, QueueScreen)
                    or refused(app))
        assert isinstance(app.screen, QueueScreen), values(app)
        assert app.user == "anna"


@sync
async def test_examiner_keys_typed_while_the_login_is_in_flight_reach_the_queue(
        marking: Any) -> None:
    """"s" (statistics) typed while the login is checked opens the statistics once the queue
    is up (before: it was typed into the password field and vanished with it)."""
    gate = Gate()
    app = examiner(marking, gate)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press(*keys_of("anna", "tab", EXAMINER_PASSWORD, "enter"))
        await in_flight(pilot, gate)
        burst(app, "s")
        await pilot.pause(0.05)
        assert isinstance(app.screen, ExaminerLogin)
        assert values(app) == ["anna", EXAMINER_PASSWORD]
        gate.open.set()
        await until(pilot, lambda: up(app, StatsScreen))

