"""Login with an invigilator account (kiosk user add --role invigilator NAME)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.containers import Center, Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Input, Label, Static

from kiosk.errors import KioskError
from kiosk.i18n import t

if TYPE_CHECKING:
    from kiosk.apps.invigilator.app import InvigilatorApp


class LoginScreen(Screen[None]):
    def compose(self) -> ComposeResult:
        with Center(classes="dialog-wrap"):
            with Vertical(classes="dialog login"):
                yield Static(t("invigilator.title"), classes="title")
                yield Static(self.console.centre.name, classes="subtitle")
                yield Label(t("invigilator.login.user"), classes="field-label")
                yield Input(id="user", max_length=64)
                yield Label(t("invigilator.login.password"), classes="field-label")
                yield Input(id="password", password=True, max_length=256)
                yield Static("", id="login-message", classes="message")
                with Horizontal(classes="buttons"):
                    yield Button(t("invigilator.login.submit"), id="login", variant="primary")

    @property
    def console(self) -> InvigilatorApp:
        return cast("InvigilatorApp", self.app)

    def on_mount(self) -> None:
        self.query_one("#user", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "user":
            self.query_one("#password", Input).focus()
        else:
            self.attempt_login()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.attempt_login()

    def attempt_login(self) -> None:
        name = self.query_one("#user", Input).value
        password = self.query_one("#password", Input)
        try:
            self.console.login(name, password.value)
        except KioskError:
            password.value = ""
            self.query_one("#login-message", Static).update(t("invigilator.login.failed"))
            password.focus()
