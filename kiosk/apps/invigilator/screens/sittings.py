"""Choose the sitting to invigilate (open ones first, newest first), as the centre service
listed them (`sitting.list`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from kiosk.i18n import t

if TYPE_CHECKING:
    from kiosk.apps.invigilator.app import InvigilatorApp


class SittingScreen(Screen[None]):
    def __init__(self, sittings: list[dict[str, Any]]) -> None:
        super().__init__()
        self.sittings = sittings

    def compose(self) -> ComposeResult:
        with Vertical(classes="page"):
            yield Static(t("invigilator.sittings.heading"), classes="title")
            if not self.sittings:
                yield Static(t("invigilator.sittings.none"), classes="message")
            options = [
                Option(t("invigilator.sittings.row", sitting=s["sitting"], exam=s["exam"],
                         room=s.get("room") or "–", date=s.get("date", ""),
                         count=len(s.get("candidates", [])),
                         state=t("invigilator.open" if s.get("open") else "invigilator.closed")),
                       id=s["sitting"])
                for s in self.sittings
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
        if event.option.id is not None:
            self.console.open_sitting(event.option.id)
