"""Choose the sitting to invigilate (open ones first, newest first)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from kiosk.errors import KioskError
from kiosk.i18n import t

if TYPE_CHECKING:
    from kiosk.apps.invigilator.app import InvigilatorApp


class SittingScreen(Screen[None]):
    def compose(self) -> ComposeResult:
        sittings = self.console.sittings()
        with Vertical(classes="page"):
            yield Static(t("invigilator.sittings.heading"), classes="title")
            if not sittings:
                yield Static(t("invigilator.sittings.none"), classes="message")
            options = [
                Option(t("invigilator.sittings.row", sitting=s.id, exam=s.exam,
                         room=s.room or "–", date=s.date, count=len(s.candidates),
                         state=t("invigilator.open" if s.open else "invigilator.closed")),
                       id=s.id)
                for s in sittings
            ]
            yield OptionList(*options, id="sittings")
        yield Footer()

    @property
    def console(self) -> InvigilatorApp:
        return cast("InvigilatorApp", self.app)

    def on_mount(self) -> None:
        self.query_one("#sittings", OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is None:
            return
        try:
            self.console.open_sitting(event.option.id)
        except KioskError as exc:
            self.notify(str(exc), severity="error")
