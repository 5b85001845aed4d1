"""The invigilator console: login → choose a sitting → the live room view.

The console is a client of the centre service: it never opens the ledger and never needs the
centre key. Its staff login, the sittings list, the room view and every action are use cases
(`invigilation.*`, `sitting.*`; kiosk/service/rooms/) reached through `calls` — the service's
socket (`kiosk.client.RemoteCalls`), or in tests the same functions in-process
(`kiosk.service.usecases.LocalCalls`). Every call runs on a worker thread, never on the UI
thread; the room view is polled about once a second with the version last seen, and only the
rows that changed are redrawn.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.app import App
from textual.binding import Binding

from kiosk.apps.typeahead import TypeAheadApp
from kiosk.errors import KioskError
from kiosk.i18n import normalise_language, set_language

#: How often the room view asks the service what changed (and the clocks move).
POLL_SECONDS = 1.0
#: Who may use the console.
ROLES = ("invigilator", "examiner", "admin")
#: A call the service does not answer within this is reported on the screen (the room view
#: says the service is away; the poll tries again) instead of waiting the CLI's two minutes.
CALL_TIMEOUT_S = 15.0


class SerialCalls:
    """One call at a time, whichever worker thread makes it: the embedded `LocalCalls` shares
    one SQLite connection, and the order of a console's calls is the order it made them."""

    def __init__(self, calls: Any) -> None:
        self.inner = calls
        self._lock = threading.Lock()

    def login(self, name: str, password: str, roles: tuple[str, ...] = ()) -> Any:
        with self._lock:
            return self.inner.login(name, password, roles)

    def call(self, use_case: str, /, **args: Any) -> Any:
        with self._lock:
            return self.inner.call(use_case, **args)

    def close(self) -> None:
        with self._lock:
            self.inner.close()


class InvigilatorApp(TypeAheadApp, App[None]):
    CSS_PATH = "invigilator.tcss"
    TITLE = "kiosk – invigilator"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", show=False, priority=True)]

    def __init__(self, calls: Any, *, centre_name: str = "", language: str | None = None,
                 sitting: str | None = None, now: Callable[[], float] = time.time,
                 timers: bool = True) -> None:
        super().__init__()
        self.calls = SerialCalls(calls)
        self.centre_name = centre_name
        self.language = normalise_language(language)
        set_language(self.language)
        self.wanted_sitting = sitting
        self.now = now
        self.use_timers = timers
        #: the logged-in user (kiosk.service.usecases.Caller)
        self.user: Any = None

    def on_mount(self) -> None:
        from kiosk.apps.invigilator.screens.login import LoginScreen

        # Keys typed before the login form has the focus wait for it (kiosk/apps/typeahead.py).
        self.hold_keys()
        self.push_screen(LoginScreen())

    # -- calls off the UI thread -----------------------------------------------------------

    def background(self, work: Callable[[], Any], then: Callable[[Any], None] | None = None,
                   *, failed: Callable[[KioskError], None] | None = None,
                   group: str = "calls") -> None:
        """Run `work` (a call to the service) on a worker thread; `then(result)` or
        `failed(error)` (default: a notice) afterwards on the UI thread."""

        def job() -> None:
            try:
                result = work()
            except KioskError as exc:
                self._from_thread(failed or self._notify_error, exc)
                return
            except Exception as exc:  # noqa: BLE001 - an answer we cannot read: say so, go on
                self._from_thread(failed or self._notify_error,
                                  KioskError(f"{type(exc).__name__}: {exc}"[:300]))
                return
            if then is not None:
                self._from_thread(then, result)

        self.run_worker(job, thread=True, group=group, exit_on_error=False)

    def _from_thread(self, fn: Callable[..., Any], *args: Any) -> None:
        try:
            self.call_from_thread(fn, *args)
        except RuntimeError:
            pass  # the app is closing: nobody to show it to

    def _notify_error(self, exc: KioskError) -> None:
        self.notify(str(exc), severity="error", timeout=6)

    # -- the screens' data -----------------------------------------------------------------

    def login(self, name: str, password: str) -> Any:
        """On a worker thread: the staff login through the service (KioskError on a wrong name
        or password: one generic message)."""
        self.user = self.calls.login(name.strip(), password, ROLES)
        return self.user

    def after_login(self, failed: Callable[[KioskError], None] | None = None) -> None:
        if self.wanted_sitting:
            self.open_sitting(self.wanted_sitting, failed=failed)
        else:
            self.choose_sitting(failed=failed)

    def choose_sitting(self, failed: Callable[[KioskError], None] | None = None) -> None:
        from kiosk.apps.invigilator.screens.sittings import SittingScreen

        def show(found: list[dict[str, Any]]) -> None:
            ordered = sorted(found, key=lambda s: (not s.get("open"), -int(s.get("seq", 0))))
            self.switch_screen(SittingScreen(ordered))

        self.background(lambda: self.calls.call("sitting.list"), show, failed=failed)

    def open_sitting(self, sitting_id: str,
                     failed: Callable[[KioskError], None] | None = None) -> None:
        from kiosk.apps.invigilator.screens.room import RoomScreen
        from kiosk.console_feed import RoomFeed

        feed = RoomFeed(self.calls, sitting_id)
        self.background(feed.fetch, lambda answer: (feed.apply(answer),
                                                    self.switch_screen(RoomScreen(feed))),
                        failed=failed)

    def on_unmount(self) -> None:
        try:
            self.calls.close()
        except Exception:
            pass


def run_invigilator_app(centre: Path | str, *, service: Path | str,
                        language: str | None = None, sitting: str | None = None) -> None:
    """The console as a client of the service listening at `service` (the centre's name and
    language come from its health answer: this account may not read the centre directory)."""
    from kiosk.client import Client, RemoteCalls

    probe = Client(service, timeout=5.0)
    try:
        health = probe.health()
    except KioskError:
        raise KioskError(f"{service}: the centre service does not answer (is `kiosk serve "
                         f"--centre {centre}` running?)") from None
    finally:
        probe.close()
    calls = RemoteCalls(service, timeout=CALL_TIMEOUT_S)
    app = InvigilatorApp(calls, centre_name=str(health.get("centre", "")),
                         language=language or health.get("language"), sitting=sitting)
    app.run()
