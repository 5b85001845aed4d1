"""The candidate kiosk: login → identity → instructions → waiting room → exam → review → submitted.

The app only renders and forwards: every decision about time, parts, pauses and submission is the
session's (`kiosk.session.CandidateSession`), and the screen shown always follows the session's
view. A poll every half second folds in what other processes wrote (an invigilator's start, pause
or extension) and a tick every second charges time; the session submits by itself at zero.

Lockdown: the default bindings that quit, suspend or open the command palette are replaced by
no-ops, and only the invigilator PIN (a hidden key) exits.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from textual.app import App
from textual.binding import Binding
from textual.events import Resize
from textual.screen import ModalScreen, Screen
from textual.theme import Theme

from kiosk.apps.candidate.saver import AnswerSaver, SaveState
from kiosk.apps.typeahead import TypeAheadApp
from kiosk.apps.widgets.size_notice import SizeNotice, too_small
from kiosk.errors import KioskError
from kiosk.i18n import current_language, normalise_language, set_language, t, tn

POLL_SECONDS = 0.5
TICK_SECONDS = 1.0
#: Without an answer from the centre service for this long, the screen asks for the invigilator.
CALL_AFTER_S = 3.0

NOT_STARTED = frozenset({"created", "logged_in", "admitted"})
RUNNING = frozenset({"in_progress", "away"})
FINISHED = frozenset({"submitted", "timed_out"})

#: Keys that leave, suspend or reveal the app in a stock Textual app (or a terminal). They are
#: bound at the highest priority to an action that does nothing, so no widget can act on them.
LOCKED_KEYS = ("ctrl+q", "ctrl+c", "ctrl+z", "ctrl+backslash", "ctrl+p", "ctrl+s")
PIN_KEY = "ctrl+e"

HIGH_CONTRAST = Theme(
    name="kiosk-high-contrast",
    primary="#ffff00",
    secondary="#00ffff",
    accent="#ffff00",
    warning="#ffff00",
    error="#ff5555",
    success="#00ff00",
    foreground="#ffffff",
    background="#000000",
    surface="#000000",
    panel="#000000",
    boost="#333333",
    dark=True,
    # Inputs draw their unfocused border in $border-blurred, by default a shade of the surface:
    # black on black here, so every field the candidate is not in vanished.
    variables={"border-blurred": "#c0c0c0", "border": "#ffff00"},
)
CALM = Theme(
    name="kiosk-calm",
    primary="#4f8fd6",
    secondary="#6aa5a0",
    accent="#d9a441",
    warning="#d9a441",
    error="#d9534f",
    success="#5cb85c",
    foreground="#e6e6e6",
    background="#1b1f24",
    surface="#242a31",
    panel="#2c333b",
    dark=True,
)


def login_remote(socket: Path) -> Callable[..., Any]:
    """The real login (`kiosk sit`): through the centre service's socket; this process never
    opens the ledger, the key or the exam content."""

    def login(candidate_id: str, code: str, *, seat: str, language: str) -> Any:
        from kiosk.client import RemoteSession

        return RemoteSession.login(socket, candidate_id, code, seat=seat, language=language)

    return login


def login_with(centre: Path, clock: Callable[[], float]) -> Callable[..., Any]:
    """In-process login (a test seam for the session logic with an injected clock): the app
    then holds the centre's authority itself, which `kiosk sit` never does."""

    def login(candidate_id: str, code: str, *, seat: str, language: str) -> Any:
        from kiosk.session import CandidateSession

        return CandidateSession.login(
            centre, candidate_id, code, seat=seat, language=language, clock=clock
        )

    return login


class CandidateApp(TypeAheadApp, App[None]):
    CSS_PATH = "candidate.tcss"
    TITLE = "kiosk"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        *(Binding(key, "locked", show=False, priority=True, system=True) for key in LOCKED_KEYS),
        Binding(PIN_KEY, "invigilator_pin", show=False, priority=True, system=True),
        Binding("f3", "toggle_contrast", show=False, priority=True),
    ]

    def __init__(
        self,
        centre: Path | str,
        *,
        seat: str | None = None,
        language: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        high_contrast: bool = False,
        login: Callable[..., Any] | None = None,
        timers: bool = True,
        ready_marker: Path | None = None,
        service: Path | None = None,
    ) -> None:
        super().__init__()
        self.centre = Path(centre)
        self.seat = seat or os.environ.get("KIOSK_SEAT") or _hostname()
        self.language = normalise_language(language or _centre_language(self.centre))
        set_language(self.language)
        self.clock = clock
        self.high_contrast = high_contrast
        #: The centre service's socket: every call goes there, from worker threads.
        self.service = Path(service) if service is not None else None
        self._login = login or (login_remote(self.service) if self.service is not None
                                else login_with(self.centre, clock))
        self._use_timers = timers
        self._ready_marker = ready_marker
        self.session: Any = None
        self.view: Any = None
        self.saver: AnswerSaver | None = None
        self.instructions_read = False
        self.reviewing = False
        #: the candidate is looking at their marked paper (betekintés, after submission)
        self.paper_review = False
        self.part_seen = 0
        self.warnings_shown: set[tuple[int, int]] = set()
        self.receipt: str | None = None
        self.alert: str | None = None
        self.identity_confirmed = False
        self._warnings_due: list[tuple[int, int]] = []
        self._ticks = 0
        self._poll_busy = False
        self._last_ok = time.monotonic()
        self._failing_since: float | None = None

    # -- start-up ------------------------------------------------------------------------------

    def on_mount(self) -> None:
        # Each keypress allocates tens of thousands of short-lived objects (strips, segments,
        # styles): with the default threshold (700) ten young collections ran per next-question
        # keypress and survivors set off full collections of the whole UI heap, 3–6 ms of a
        # keypress on average (benchmarks/next_question.py). Young collections every 50,000
        # allocations let them die young, as in the service (kiosk/service/server.py).
        gc.set_threshold(50_000, 20, 100)
        self.register_theme(CALM)
        self.register_theme(HIGH_CONTRAST)
        self.theme = HIGH_CONTRAST.name if self.high_contrast else CALM.name
        if not self.is_headless:
            _ignore_terminal_signals()
        from kiosk.apps.candidate.screens.login import LoginScreen

        # Keys typed before the login form has the focus wait for it (kiosk/apps/typeahead.py).
        self.hold_keys()
        self.push_screen(LoginScreen())
        if self._use_timers:
            self.set_interval(POLL_SECONDS, self.poll)

    def login_shown(self) -> None:
        """Called by the login screen once it is on screen (the start-up benchmark waits for it)."""
        if self._ready_marker is not None and not self._ready_marker.exists():
            self._ready_marker.write_text(f"{time.time()}\n", encoding="utf-8")

    def on_resize(self, event: Resize) -> None:
        self.set_class(too_small(event.size.width, event.size.height), "-too-small")
        for notice in self.screen.query(SizeNotice):
            notice.refresh_text(event.size)

    # -- lockdown ------------------------------------------------------------------------------

    def action_locked(self) -> None:
        """Quit, suspend, copy-out and palette keys land here and do nothing."""

    async def action_quit(self) -> None:
        """Textual's quit action: disabled (only the invigilator PIN exits)."""

    def action_help_quit(self) -> None:
        """Textual's ctrl+c hint: disabled."""

    def action_suspend_process(self) -> None:
        """Textual's suspend action: disabled."""

    def action_command_palette(self) -> None:
        """The command palette would list system commands (quit, screenshots, themes)."""

    def action_invigilator_pin(self) -> None:
        from kiosk.apps.candidate.screens.pin import PinDialog

        if not isinstance(self.screen, PinDialog):
            self.push_screen(PinDialog())

    def try_exit_in_worker(self, pin: str, wrong: Callable[[], None]) -> None:
        """Through the service: check the PIN (and save what is pending) in a worker; exit, or
        call `wrong` on the UI thread. (Without the service the PIN cannot be checked: the
        terminal cannot read the centre's PIN hash, by design.)"""
        session, saver = self.session, self.saver

        def work() -> None:
            try:
                if session is not None:
                    ok = bool(session.exit_with_pin(pin))
                else:
                    from kiosk.client import seat_exit

                    ok = seat_exit(self.service, pin, self.seat)  # type: ignore[arg-type]
            except KioskError:
                ok = False
            if ok and saver is not None:
                saver.flush_blocking()  # nothing typed is dropped by the exit
            self._on_ui(self.exit if ok else wrong)

        self.run_worker(work, thread=True, group="pin", exit_on_error=False)

    def try_exit(self, pin: str) -> bool:
        """Exit when `pin` is the invigilator's; the PIN is checked by the session layer."""
        ok = False
        try:
            if self.session is not None:
                ok = bool(self.session.exit_with_pin(pin))
            elif self.service is not None:
                from kiosk.client import seat_exit

                ok = seat_exit(self.service, pin, self.seat)
            else:
                from kiosk.session import record_kiosk_exit

                ok = bool(record_kiosk_exit(self.centre, pin, self.seat))
        except KioskError:
            ok = False
        if ok:
            if self.saver is not None:
                self.saver.flush()
            self.exit()
        return ok

    def _handle_exception(self, error: Exception) -> None:
        """An unexpected error ends this app quietly; `run_candidate_app` then logs it to the
        centre and shows "call the invigilator" (kiosk.apps.candidate.crash)."""
        from kiosk.apps.candidate.crash import contain

        if not contain(self, error):
            super()._handle_exception(error)

    def on_unmount(self) -> None:
        if self.session is not None:
            try:
                # Releases this terminal's lease so the candidate can continue elsewhere.
                self.session.close(force=True)
            except KioskError:
                pass

    def action_toggle_contrast(self) -> None:
        self.high_contrast = not self.high_contrast
        self.theme = HIGH_CONTRAST.name if self.high_contrast else CALM.name

    # -- language ------------------------------------------------------------------------------

    def switch_language(self, language: str) -> None:
        self.language = normalise_language(language)
        set_language(self.language)

    # -- login and identity --------------------------------------------------------------------

    def login(self, candidate_id: str, code: str) -> None:
        """Log in (raises LoginFailed, LoginThrottled, SessionElsewhere) and confirm identity."""
        self.logged_in(self.connect(candidate_id, code))

    def connect(self, candidate_id: str, code: str) -> Any:
        """The login call itself (from a worker when it goes to the centre service)."""
        return self._login(
            candidate_id.strip(), code.strip(), seat=self.seat, language=current_language()
        )

    def logged_in(self, session: Any) -> None:
        self._last_ok = time.monotonic()
        self.session = session
        self.set_view(session.view())
        self.part_seen = self.view.part_index
        background = None
        if self.remote:
            def background(fn: Callable[[], None]) -> None:
                self.run_worker(fn, thread=True, group="save", exit_on_error=False)

        self.saver = AnswerSaver(session, self.set_timer, self._save_state, self._saved,
                                 background=background, on_ui=self._on_ui)
        from kiosk.apps.candidate.screens.identity import IdentityScreen

        self.switch_screen(IdentityScreen())

    def logout(self) -> None:
        """"This is not me": back to the login screen without touching the attempt."""
        if self.session is not None:
            try:
                self.session.close()
            except KioskError:
                pass
        self.session = None
        self.view = None
        self.saver = None
        from kiosk.apps.candidate.screens.login import LoginScreen

        self.switch_screen(LoginScreen())

    def confirm_identity(self) -> None:
        self.identity_confirmed = True
        self.route(force=True)

    def acknowledge_instructions(self) -> None:
        self.instructions_read = True
        self.route(force=True)

    def self_start(self) -> None:
        if self.remote:
            session = self.session

            def work() -> None:
                try:
                    session.start()
                    error = None
                except KioskError as exc:
                    error = exc
                self._on_ui(lambda: self._started(session, error))

            self.run_worker(work, thread=True, group="start", exit_on_error=False)
            return
        self.session.start()
        self.refresh_view()

    def _started(self, session: Any, error: KioskError | None) -> None:
        if session is not self.session:
            return
        if error is not None:
            self.show_alert(str(error))
            return
        self.refresh_view()

    # -- following the session -----------------------------------------------------------------

    @property
    def remote(self) -> bool:
        return bool(getattr(self.session, "remote", False))

    def _on_ui(self, fn: Callable[[], None]) -> None:
        """Run `fn` on the UI thread (from a worker); dropped once the app is gone."""
        if threading.get_ident() == getattr(self, "_thread_id", None):
            fn()
            return
        try:
            self.call_from_thread(fn)
        except RuntimeError:
            pass

    def poll(self) -> None:
        """Fold what other processes wrote; charge time once a second."""
        if self.session is None or not self.identity_confirmed:
            return
        self._ticks += 1
        if self.remote:
            self._poll_remote()
            return
        try:
            self.session.refresh()
            if self._ticks % round(TICK_SECONDS / POLL_SECONDS) == 0:
                self.set_view(self.session.tick())
            else:
                self.set_view(self.session.view())
        except KioskError:
            self.show_alert(t("exam.call_invigilator"))
            return
        self.route()

    def _poll_remote(self) -> None:
        """A tick to the service once a second, from a worker: the screen never waits on it.
        The service charges time only for ticks it receives, so an outage costs nothing."""
        if time.monotonic() - self._last_ok >= CALL_AFTER_S:
            self.show_alert(t("exam.call_invigilator"))
        if self._poll_busy or self._ticks % round(TICK_SECONDS / POLL_SECONDS):
            return
        self._poll_busy = True
        session = self.session

        def work() -> None:
            try:
                view, error = session.tick(), None
            except KioskError as exc:
                view, error = None, exc
            self._on_ui(lambda: self._polled(session, view, error))

        self.run_worker(work, thread=True, group="poll", exit_on_error=False)

    def _polled(self, session: Any, view: Any, error: KioskError | None) -> None:
        self._poll_busy = False
        if session is not self.session:
            return
        if error is not None:
            from kiosk.session import SessionElsewhere

            if isinstance(error, SessionElsewhere):
                self.show_alert(str(error))
            return
        self._last_ok = time.monotonic()
        if self.alert == t("exam.call_invigilator") and (
                self.saver is None or self.saver.state != "failed"):
            self.clear_alert()
        self.set_view(view)
        self.route()

    def refresh_view(self) -> None:
        self.session.refresh()
        self.set_view(self.session.view())
        self.route()

    def set_view(self, view: Any) -> None:
        """Keep the latest view; its time warnings are collected here because the session
        reports each one only once, to whichever view() call sees it first."""
        self.view = view
        for minutes in getattr(view, "warnings_due", None) or []:
            self._warnings_due.append((view.part_index, int(minutes)))

    def desired_screen(self) -> str:
        view = self.view
        status = view.status
        if status in FINISHED:
            return "paper_review" if self.paper_review else "submitted"
        if status == "voided":
            return "voided"
        if status in NOT_STARTED:
            return "waiting" if self.instructions_read else "instructions"
        if view.suspended or status == "suspended":
            return "suspended"
        if view.paused or status == "paused":
            return "paused"
        if getattr(view, "away", False):
            return "away"
        if view.part_index > self.part_seen:
            # The next part's clock runs from the moment the previous one closes: no notice
            # screen may stand in between. The confirmation said it; a toast repeats it.
            self._announce_part()
        if not self.instructions_read and view.part_index == 0 and not _touched(view):
            return "instructions"
        return "review" if self.reviewing else "exam"

    def route(self, force: bool = False) -> None:
        if self.session is None or not self.identity_confirmed:
            return
        part_changed = self.view.part_index > self.part_seen
        want = self.desired_screen()
        # A new part needs a new exam screen (its questions), even if "exam" is shown already.
        force = force or (part_changed and want == "exam")
        top = self.screen
        base = top
        if isinstance(top, ModalScreen) and len(self.screen_stack) > 1:
            base = self.screen_stack[-2]
        if getattr(base, "kiosk_name", None) == want and not force:
            # A dialog over the right screen (help, confirm, PIN) stays open.
            self._update_screen(base)
            return
        if isinstance(top, ModalScreen):
            from kiosk.apps.candidate.screens.pin import PinDialog

            if isinstance(top, PinDialog):
                return  # the invigilator is at the keyboard; follow the view once they are done
            # The screen underneath must change (a pause, the time is up): the dialog goes.
            self.pop_screen()
        if want == "submitted" and self.saver is not None:
            self.saver.pending.clear()
        self.switch_screen(self._make_screen(want))
        self._check_warnings()

    def _update_screen(self, screen: Screen[Any]) -> None:
        update = getattr(screen, "update_view", None)
        if update is not None:
            update(self.view)
        self._check_warnings()

    def _make_screen(self, name: str) -> Screen[Any]:
        from kiosk.apps.candidate.screens import (
            exam,
            instructions,
            paper_review,
            paused,
            review,
            submitted,
            waiting,
        )

        makers: dict[str, Callable[[], Screen[Any]]] = {
            "instructions": instructions.InstructionsScreen,
            "waiting": waiting.WaitingScreen,
            "exam": exam.ExamScreen,
            "review": review.ReviewScreen,
            "paused": paused.PausedScreen,
            "suspended": paused.SuspendedScreen,
            "away": paused.AwayScreen,
            "voided": paused.VoidedScreen,
            "submitted": submitted.SubmittedScreen,
            "paper_review": paper_review.PaperReviewScreen,
        }
        return makers[name]()

    def _check_warnings(self) -> None:
        due, self._warnings_due = self._warnings_due, []
        for key in due:
            minutes = key[1]
            if key in self.warnings_shown:
                continue
            self.warnings_shown.add(key)
            self.notify(
                tn("exam.warning", minutes, minutes=minutes),
                title=t("exam.warning_title"),
                severity="warning",
                timeout=10,
            )

    # -- answering -----------------------------------------------------------------------------

    def _save_state(self, state: SaveState) -> None:
        if state == "failed":
            now = time.monotonic()
            if self._failing_since is None:
                self._failing_since = now
            # Through the service a moment's outage is retried quietly; a local ledger that
            # refuses a write is worth the invigilator at once.
            if not self.remote or now - self._failing_since >= CALL_AFTER_S:
                self.show_alert(t("exam.call_invigilator"))
        elif state == "saved":
            self._failing_since = None
            self.clear_alert()
        indicator = getattr(self.screen, "show_save_state", None)
        if indicator is not None:
            indicator(state)

    def _saved(self, key: str, response: Any) -> None:
        self.set_view(self.session.view())
        hook = getattr(self.screen, "answer_saved", None)
        if hook is not None:
            hook(key, response)

    def show_alert(self, text: str) -> None:
        self.alert = text
        hook = getattr(self.screen, "show_alert", None)
        if hook is not None:
            hook(text)

    def clear_alert(self) -> None:
        self.alert = None
        hook = getattr(self.screen, "show_alert", None)
        if hook is not None:
            hook(None)

    def goto(self, index: int) -> None:
        if self.remote:
            session = self.session

            def work() -> None:
                try:
                    session.goto(index)
                except KioskError:
                    return  # the index shown is the screen's; the next tick brings the view
                # (its view may carry a time warning that falls due now: delivered only once)
                self._on_ui(lambda: self.set_view(session.view()))
            self.run_worker(work, thread=True, group="nav", exit_on_error=False)
            return
        try:
            self.session.goto(index)
        except KioskError:
            self.show_alert(t("exam.call_invigilator"))
        self.set_view(self.session.view())

    def set_flag(self, key: str, flagged: bool) -> bool:
        if self.remote:
            session = self.session

            def work() -> None:
                try:
                    session.set_flag(key, flagged)
                except KioskError:
                    self._on_ui(lambda: self.show_alert(t("exam.call_invigilator")))
                    return
                self._on_ui(lambda: self.set_view(session.view()))
            self.run_worker(work, thread=True, group="nav", exit_on_error=False)
            return True
        try:
            self.session.set_flag(key, flagged)
        except KioskError:
            self.show_alert(t("exam.call_invigilator"))
            return False
        self.set_view(self.session.view())
        return True

    def open_review(self) -> None:
        if self.saver is not None:
            self.saver.flush()
        self.reviewing = True
        self.route()

    def close_review(self, index: int | None = None) -> None:
        self.reviewing = False
        if index is not None:
            self.goto(index)
        self.route()

    def open_paper_review(self) -> None:
        self.paper_review = True
        self.route()

    def close_paper_review(self) -> None:
        self.paper_review = False
        self.route()

    def submit_current(self) -> bool:
        """Submit the current part (the whole attempt on the last part). False if answers are
        still unsaved: a submission must not leave an acknowledged-on-screen answer behind."""
        if self.remote:
            self._submit_remote()
            return True
        if self.saver is not None and not self.saver.flush():
            return False
        try:
            if self.view.part_index >= len(self.session.parts) - 1:
                self.receipt = self.session.submit()
            else:
                self.session.submit_part()
        except KioskError:
            self.show_alert(t("exam.call_invigilator"))
            return False
        self.reviewing = False
        self.refresh_view()
        return True

    def _submit_remote(self) -> None:
        """In a worker: save what is pending, then submit; the screen follows the answer."""
        session, saver = self.session, self.saver
        last = self.view.part_index >= len(session.parts) - 1

        def work() -> None:
            receipt, error = None, None
            try:
                if saver is not None and not saver.flush_blocking():
                    raise KioskError("answers not saved yet")
                if last:
                    receipt = session.submit()
                else:
                    session.submit_part()
            except KioskError as exc:
                error = exc
            self._on_ui(lambda: self._submitted(session, receipt, error))

        self.run_worker(work, thread=True, group="submit", exit_on_error=False)

    def _submitted(self, session: Any, receipt: str | None, error: KioskError | None) -> None:
        if session is not self.session:
            return
        if error is not None:
            # Nothing is lost: the answers stay pending and the candidate can submit again.
            self.show_alert(t("exam.call_invigilator"))
            return
        if receipt:
            self.receipt = receipt
        self.reviewing = False
        self.refresh_view()

    def _announce_part(self) -> None:
        from kiosk.apps.candidate.screens.parts import own_minutes

        parts = self.session.parts
        nxt = min(self.view.part_index, len(parts) - 1)
        self.notify(t("parts.started", closed=self.part_seen + 1, number=nxt + 1,
                      title=parts[nxt].title, minutes=f"{own_minutes(parts[nxt]):g}"),
                    title=t("parts.started_title"), timeout=15)
        self.part_seen = self.view.part_index
        self.reviewing = False

    def current_receipt(self) -> str | None:
        return self.receipt or getattr(self.view, "receipt", None) or self.session.receipt


def _touched(view: Any) -> bool:
    """Has the candidate already worked on this attempt (a resume after a crash)?"""
    return bool(view.answers or view.flags or view.index)


def _hostname() -> str:
    import socket

    return socket.gethostname() or "seat"


def _centre_language(centre: Path) -> str | None:
    config = centre / "centre.toml"
    try:
        import tomllib

        with open(config, "rb") as handle:
            data = tomllib.load(handle)
    except (OSError, ValueError):
        return None
    lang = data.get("language") or data.get("centre", {}).get("language")
    return lang if isinstance(lang, str) else None


def _ignore_terminal_signals() -> None:
    """The terminal driver already turns ctrl+c/z/\\ into keys; this also stops the signals
    someone might send from a shell on the same tty."""
    for name in ("SIGINT", "SIGQUIT", "SIGTSTP"):
        sig = getattr(signal, name, None)
        if sig is not None:
            try:
                signal.signal(sig, signal.SIG_IGN)
            except (OSError, ValueError):
                pass


#: Terminals known to draw images (Kitty graphics or Sixel); the query costs start-up time, so it
#: is asked only of these, or where KIOSK_GRAPHICS=1 says so (0 turns it off).
GRAPHICS_PROGRAMS = ("WezTerm", "iTerm.app", "ghostty", "mlterm", "contour", "konsole")


def graphics_terminal(env: Mapping[str, str]) -> bool:
    """Whether to ask the terminal for Kitty/Sixel image support before the app starts."""
    wanted = env.get("KIOSK_GRAPHICS", "")
    if wanted in ("0", "1"):
        return wanted == "1"
    term = env.get("TERM", "")
    return bool(env.get("KITTY_WINDOW_ID") or "kitty" in term or "ghostty" in term
                or env.get("TERM_PROGRAM", "") in GRAPHICS_PROGRAMS
                or "sixel" in term or term.startswith(("mlterm", "foot", "contour")))


def run_candidate_app(
    centre_path: Path | str,
    seat: str | None = None,
    language: str | None = None,
    *,
    high_contrast: bool = False,
    ready_marker: Path | None = None,
    service: Path | None = None,
) -> None:
    """Run the kiosk full-screen until the invigilator's PIN ends it."""
    # Textual keeps ctrl+c as a key unless this is set; a kiosk must never let it through.
    os.environ.pop("TEXTUAL_ALLOW_SIGNALS", None)
    if graphics_terminal(os.environ) and sys.stdout.isatty():
        # textual-image asks the terminal what it draws (Kitty, Sixel) when first imported,
        # which works only before Textual owns stdin; elsewhere images use half-cells.
        from kiosk.apps.widgets.media import prepare_graphics

        prepare_graphics()
    from kiosk.apps.candidate.crash import supervise

    supervise(CandidateApp(
        centre_path,
        seat=seat,
        language=language,
        high_contrast=high_contrast,
        ready_marker=ready_marker,
        service=service,
    ))
