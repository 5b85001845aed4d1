"""The candidate kiosk's answer to an unexpected exception: never a traceback on the terminal,
never an exit without the invigilator.

Textual ends an app after an unhandled exception (the failing message loop stops), so the app
is not kept alive; the process is. `contain(app, error)` (called from
`CandidateApp._handle_exception`) keeps the error and closes the app without printing anything.
`supervise(app)` (what `run_candidate_app` runs) then writes the traceback to a log file in the
centre (`logs/`, owner-only), saves what it still can, releases the terminal's lease and shows
`CrashApp`: "call the invigilator", left only with the invigilator PIN (recorded as
`kiosk_exit`). The candidate then logs in again, here or at another terminal, and resumes the
attempt with every acknowledged answer.
"""

from __future__ import annotations

import os
import re
import time
import traceback
from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Static

from kiosk.apps.candidate.app import LOCKED_KEYS, PIN_KEY
from kiosk.i18n import t

LOG_DIR = "logs"



class CrashScreen(Screen[None]):
    """Shown after an unexpected error; stays until the invigilator's PIN ends the kiosk."""

    kiosk_name = "crashed"

    def __init__(self, reference: str, unsaved: int) -> None:
        super().__init__()
        self.reference = reference
        self.unsaved = unsaved

    DEFAULT_CSS = """
    CrashScreen .dialog.crash { border: heavy $error; }
    CrashScreen #crash-body { text-style: bold; margin: 1 0; }
    """

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-wrap"), Vertical(classes="dialog crash"):
            yield Static(t("crash.title"), classes="title", id="crash-title")
            yield Static(t("crash.body"), id="crash-body")
            yield Static(t("crash.unsaved", n=self.unsaved) if self.unsaved else t("crash.saved"),
                         id="crash-saved")
            yield Static(t("crash.ref", ref=self.reference), classes="hint", id="crash-ref")


def log_folder(centre: Path | str, service: Path | str | None) -> Path:
    """Where a terminal writes its crash logs: the centre's `logs/` when it runs embedded; with
    a centre service the terminal's account cannot write the centre, so its own state folder
    (`$KIOSK_LOG_DIR`, else `$XDG_STATE_HOME/kiosk/logs`, else `~/.local/state/kiosk/logs`)."""
    if service is None:
        return Path(centre) / LOG_DIR
    explicit = os.environ.get("KIOSK_LOG_DIR")
    if explicit:
        return Path(explicit)
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "kiosk" / LOG_DIR


def write_log(centre: Path, seat: str, error: BaseException,
              service: Path | str | None = None) -> Path | None:
    """The traceback in `<log folder>/candidate-<seat>-<time>-<pid>.log` (mode 0600, see
    `log_folder`); None if it cannot be written (the screen still shows)."""
    try:
        folder = log_folder(centre, service)
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        safe_seat = re.sub(r"[^A-Za-z0-9_.-]", "_", seat)[:40] or "seat"
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        path = folder / f"candidate-{safe_seat}-{stamp}-{os.getpid()}.log"
        text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8", errors="replace") as out:
            out.write(f"{time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime())} UTC seat {seat}\n")
            out.write(text + "\n")
        return path
    except Exception:  # noqa: BLE001 - a full disk must not turn into a second crash
        return None


def contain(app: Any, error: Exception) -> bool:
    """Keep the first unexpected error and close the app quietly; False leaves it to Textual
    (in pilot tests, unless the app opted in with `contain_crashes = True`)."""
    if app.is_headless and not getattr(app, "contain_crashes", False):
        return False
    if getattr(app, "crash_error", None) is None:
        app.crash_error = error
    # What Textual's own handler does, minus the traceback it would print at exit.
    app._close_messages_no_wait()
    return True


def after_crash(app: Any) -> tuple[str, int]:
    """Log the kept error, save what can be saved and release the lease; (log name, number of
    changes that could not be saved)."""
    error = app.crash_error
    log = write_log(app.centre, str(getattr(app, "seat", "")), error,
                    getattr(app, "service", None))
    unsaved = 0
    saver = getattr(app, "saver", None)
    if saver is not None:
        try:
            saver.flush()
        except Exception:  # noqa: BLE001 - the ledger may be what failed
            pass
        unsaved = len(getattr(saver, "pending", {}) or {})
    session = getattr(app, "session", None)
    if session is not None:
        try:
            session.close(force=True)  # the lease goes: the attempt resumes at the next login
        except Exception:  # noqa: BLE001
            pass
    return (log.name if log else "-"), unsaved


class CrashApp(App[None]):
    """The kiosk after an unexpected error: one screen, locked like the candidate app, left only
    with the invigilator PIN."""

    CSS_PATH = "candidate.tcss"
    TITLE = "kiosk"
    ENABLE_COMMAND_PALETTE = False

    BINDINGS = [
        *(Binding(key, "locked", show=False, priority=True, system=True) for key in LOCKED_KEYS),
        Binding(PIN_KEY, "invigilator_pin", show=False, priority=True, system=True),
    ]

    def __init__(self, centre: Path | str, seat: str, reference: str, unsaved: int,
                 service: Path | str | None = None) -> None:
        super().__init__()
        self.centre = Path(centre)
        #: the centre service's socket: then the PIN is checked by the service (this terminal
        #: cannot read the centre)
        self.service = service
        self.seat = seat
        self.reference = reference
        self.unsaved = unsaved

    def on_mount(self) -> None:
        self.push_screen(CrashScreen(self.reference, self.unsaved))

    def action_locked(self) -> None:
        """Quit, suspend and palette keys do nothing here either."""

    async def action_quit(self) -> None:
        """Disabled: only the invigilator PIN exits."""

    def action_invigilator_pin(self) -> None:
        from kiosk.apps.candidate.screens.pin import PinDialog

        if not isinstance(self.screen, PinDialog):
            self.push_screen(PinDialog())

    def try_exit(self, pin: str) -> bool:
        try:
            if self.service is not None:
                from kiosk.client import seat_exit

                ok = bool(seat_exit(self.service, pin, self.seat))
            else:
                from kiosk.session import record_kiosk_exit

                ok = bool(record_kiosk_exit(self.centre, pin, self.seat))
        except Exception:  # noqa: BLE001 - a broken centre must not trap the invigilator
            ok = False
        if ok:
            self.exit()
        return ok

    def route(self) -> None:
        """The PIN dialog calls this when it closes; there is nothing to follow here."""

    def _handle_exception(self, error: Exception) -> None:
        write_log(self.centre, self.seat, error, self.service)
        super()._handle_exception(error)


def supervise(app: Any) -> None:
    """Run the candidate app; after an unexpected error, the crash screen until the PIN."""
    app.run()
    if getattr(app, "crash_error", None) is None:
        return
    reference, unsaved = after_crash(app)
    CrashApp(app.centre, str(app.seat), reference, unsaved,
             getattr(app, "service", None)).run()
