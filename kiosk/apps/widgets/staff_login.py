"""User-and-password login screen shared by the staff apps (examiner, invigilator).

Keys typed in a burst land where they were typed (kiosk/apps/typeahead.py): Tab and Enter move
between the fields before the next key is dispatched, and what is typed while the login call is
in flight is held and handed to the next screen, or back to this form if the login failed."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Center, Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Static

from kiosk.apps.typeahead import OrderedForm
from kiosk.i18n import t


class StaffLoginScreen(OrderedForm):
    """Subclasses name their string prefix (`ROLE`: ROLE.title, ROLE.login.*) and start the
    login (`start_login`, off the UI thread). It ends in `login_failed(message)` or in the app
    replacing this screen; until then the keys typed are held (one login at a time)."""

    ROLE = ""
    DIALOG_CLASSES = "dialog"
    LABEL_CLASSES = ""

    def __init__(self) -> None:
        super().__init__()
        self._busy = False

    def subtitle(self) -> str | None:
        return None

    def start_login(self, name: str, password: str) -> None:
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

    def form_fields(self) -> list[Input]:
        return [self.query_one("#user", Input), self.query_one("#password", Input)]

    def on_mount(self) -> None:
        # At once, not through a queued focus call: keys typed ahead wait for this.
        self.set_focus(self.query_one("#user", Input))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        # A click: what is typed meanwhile waits as it does after Enter.
        event.stop()
        self.hold_keys()
        self.attempt_login()

    def submit_form(self, focused: Widget | None) -> None:
        self.attempt_login()

    def attempt_login(self) -> None:
        """Keys are held on entry (Enter or a click); released by `login_failed` or by the
        next screen."""
        if self._busy:
            return  # one login at a time; its outcome releases the keys
        self._busy = True
        self.query_one("#login", Button).disabled = True
        self.start_login(self.query_one("#user", Input).value,
                         self.query_one("#password", Input).value)

    def login_failed(self, message: str) -> None:
        """On the UI thread: say why, empty the password and hand it the held keys."""
        self._busy = False
        password = self.query_one("#password", Input)
        password.value = ""
        self.query_one("#login-message", Static).update(message)
        self.query_one("#login", Button).disabled = False
        self.set_focus(password)
        self.release_keys()
