"""Login with a staff account (kiosk user add --role invigilator NAME), checked by the centre
service on a worker thread (scrypt is slow on purpose; the screen stays responsive)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual.widgets import Input, Static

from kiosk.apps.widgets.staff_login import StaffLoginScreen
from kiosk.errors import KioskError
from kiosk.i18n import t

if TYPE_CHECKING:
    from kiosk.apps.invigilator.app import InvigilatorApp


class LoginScreen(StaffLoginScreen):
    ROLE = "invigilator"
    DIALOG_CLASSES = "dialog login"
    LABEL_CLASSES = "field-label"

    @property
    def console(self) -> InvigilatorApp:
        return cast("InvigilatorApp", self.app)

    def subtitle(self) -> str | None:
        return self.console.centre_name or None

    def attempt_login(self) -> None:
        name = self.query_one("#user", Input).value
        password = self.query_one("#password", Input).value
        self.console.background(lambda: self.console.login(name, password), self._done,
                                failed=self._failed, group="login")

    def _done(self, _user: Any) -> None:
        self.console.after_login()

    def _failed(self, exc: KioskError) -> None:
        password = self.query_one("#password", Input)
        password.value = ""
        message = t(f"{self.ROLE}.login.failed")
        if "password" not in str(exc):
            message += f"\n{exc}"  # not a wrong password: the service is not answering, …
        self.query_one("#login-message", Static).update(message)
        password.focus()
