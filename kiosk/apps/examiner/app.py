"""The examiner app: log in → the marking queue by item → mark one response against the rubric;
item statistics per exam.

Markers see an anonymous code per attempt, the item and the response — never a candidate's name
or id (kiosk.domain.marking.anon_code). Every save is one `marked` event through kiosk.marking,
which checks the round, the points and that a double mark comes from a different examiner.
"""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.binding import Binding

from kiosk import marking
from kiosk.i18n import centre_language, set_language
from kiosk.ledger.centre import Centre
from kiosk.ledger.store import Ledger


class ExaminerApp(App[None]):
    CSS_PATH = "examiner.tcss"
    TITLE = "kiosk – examiner"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", show=False, priority=True)]

    def __init__(self, centre: Path | str, *, language: str | None = None,
                 passphrase: str | None = None) -> None:
        super().__init__()
        self.centre = Centre.open(Path(centre))
        self.language = centre_language(self.centre.config(), language)
        set_language(self.language)
        self.passphrase = passphrase
        self.writer: Ledger = self.centre.ledger(passphrase)
        self.user: str | None = None
        self.ctx: marking.Context | None = None

    def on_mount(self) -> None:
        from kiosk.apps.examiner.screens import LoginScreen

        self.push_screen(LoginScreen())

    def login(self, name: str, password: str) -> None:
        """Raises KioskError on a wrong name or password (one generic message)."""
        self.user = marking.login_examiner(self.writer, name, password)
        self.reload()
        from kiosk.apps.examiner.screens import QueueScreen

        self.switch_screen(QueueScreen())

    def reload(self) -> marking.Context:
        self.ctx = marking.load_context(self.centre, self.writer, self.passphrase)
        return self.ctx

    def on_unmount(self) -> None:
        self.writer.close()
