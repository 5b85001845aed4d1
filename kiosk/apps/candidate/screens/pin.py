"""The invigilator's exit: a hidden key opens this; only the right PIN ends the kiosk."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from kiosk.i18n import t

if TYPE_CHECKING:
    from kiosk.apps.candidate.app import CandidateApp


class PinDialog(ModalScreen[None]):
    BINDINGS = [Binding("escape", "cancel", show=False)]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog pin"):
            yield Static(t("pin.heading"), classes="title")
            yield Input(password=True, id="pin", max_length=32)
            yield Static("", id="pin-message", classes="message")
            yield Static(t("pin.hint"), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#pin", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        app = cast("CandidateApp", self.app)
        pin = event.value
        event.input.value = ""
        if app.service is not None:
            def wrong() -> None:
                if self.is_attached:
                    self.query_one("#pin-message", Static).update(t("pin.wrong"))

            app.try_exit_in_worker(pin, wrong)
            return
        if not app.try_exit(pin):
            self.query_one("#pin-message", Static).update(t("pin.wrong"))

    def action_cancel(self) -> None:
        self.dismiss(None)
        app = cast("CandidateApp", self.app)
        # Whatever happened meanwhile (a pause, a timeout) shows as soon as the dialog is gone.
        app.call_after_refresh(app.route)
