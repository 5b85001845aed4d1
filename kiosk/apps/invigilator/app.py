"""The invigilator console: login → choose a sitting → the live room view.

Every action goes through `kiosk.invigilation` (one signed event, carrying the logged-in user);
the app only renders the `RoomView` and asks for reasons and statements. A poll every quarter
second compares the ledger's data_version, so any process's change shows within a second, and
only the rows that changed are redrawn.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from textual.app import App
from textual.binding import Binding

from kiosk import invigilation
from kiosk.domain import sittings as S
from kiosk.i18n import centre_language, set_language
from kiosk.ledger.centre import Centre
from kiosk.ledger.store import Ledger

POLL_SECONDS = 0.25
CLOCK_SECONDS = 1.0


class InvigilatorApp(App[None]):
    CSS_PATH = "invigilator.tcss"
    TITLE = "kiosk – invigilator"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", show=False, priority=True)]

    def __init__(self, centre: Path | str, *, language: str | None = None,
                 sitting: str | None = None, passphrase: str | None = None,
                 now: Callable[[], float] = time.time, timers: bool = True) -> None:
        super().__init__()
        self.centre = Centre.open(Path(centre))
        self.language = centre_language(self.centre.config(), language)
        set_language(self.language)
        self.passphrase = passphrase
        self.wanted_sitting = sitting
        self.now = now
        self.use_timers = timers
        self.writer: Ledger = self.centre.ledger(passphrase)
        self.reader: Ledger = self.centre.reader()
        self.user: invigilation.Invigilator | None = None

    def on_mount(self) -> None:
        from kiosk.apps.invigilator.screens.login import LoginScreen

        self.push_screen(LoginScreen())

    def login(self, name: str, password: str) -> None:
        """Raises KioskError on a wrong name or password (one generic message)."""
        self.user = invigilation.login(self.writer, name, password)
        if self.wanted_sitting:
            self.open_sitting(self.wanted_sitting)
        else:
            self.choose_sitting()

    def choose_sitting(self) -> None:
        from kiosk.apps.invigilator.screens.sittings import SittingScreen

        self.switch_screen(SittingScreen())

    def sittings(self) -> list[S.Sitting]:
        found = S.sittings(self.reader.events(kind=S.KINDS)).values()
        return sorted(found, key=lambda s: (not s.open, -s.seq))

    def open_sitting(self, sitting_id: str) -> None:
        from kiosk.apps.invigilator.feed import RoomFeed, exam_timing
        from kiosk.apps.invigilator.screens.room import RoomScreen

        sitting = invigilation.sitting(self.reader, sitting_id)
        feed = RoomFeed(self.reader, sitting, exam_timing(self.centre, sitting.exam,
                                                          self.passphrase))
        self.switch_screen(RoomScreen(feed))

    def on_unmount(self) -> None:
        for ledger in (self.writer, self.reader):
            try:
                ledger.close()
            except Exception:
                pass


def run_invigilator_app(centre: Path | str, *, language: str | None = None,
                        sitting: str | None = None, passphrase: str | None = None) -> None:
    InvigilatorApp(centre, language=language, sitting=sitting, passphrase=passphrase).run()
