"""User-and-password login screen shared by the staff apps (examiner, invigilator)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Center, Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Input, Label, Static

from kiosk.errors import KioskError
from kiosk.i18n import t


class StaffLoginScreen(Screen[None]):
    """Subclasses name their string prefix (`ROLE`: ROLE.title, ROLE.login.*) and do the login.

    `authenticate` raises KioskError on a wrong user or password; on success it is the app's
    job to replace this screen.
    """

    ROLE = ""
    DIALOG_CLASSES = "dialog"
    LABEL_CLASSES = ""

    def subtitle(self) -> str | None:
        return None

    def authenticate(self, name: str, password: str) -> None:
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        role = self.ROLE
        with Center(classes="dialog-wrap"):
            with Vertical(classes=self.DIALOG_CLASSES):
                yield Static(t(f"{role}.title"), classes="title")
                subtitle = self.subtitle()
                if subtitle is not None:
                    yield Static(subtitle, classes="subtitle")
                yield Label(t(f"{role}.login.user"), classes=self.LABEL_CLASSES)
                yield Input(id="user", max_length=64)
                yield Label(t(f"{role}.login.password"), classes=self.LABEL_CLASSES)
                yield Input(id="password", password=True, max_length=256)
                yield Static("", id="login-message", classes="message")
                with Horizontal(classes="buttons"):
                    yield Button(t(f"{role}.login.submit"), id="login", variant="primary")

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
        password = self.query_one("#password", Input)
        try:
            self.authenticate(self.query_one("#user", Input).value, password.value)
        except KioskError:
            password.value = ""
            self.query_one("#login-message", Static).update(t(f"{self.ROLE}.login.failed"))
            password.focus()
