"""Login with a staff account (kiosk user add --role invigilator NAME), checked by the centre
service on a worker thread (scrypt is slow on purpose; the screen stays responsive)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

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

    def start_login(self, name: str, password: str) -> None:
        self.console.background(lambda: self.console.login(name, password), self._done,
                                failed=self._failed, group="login")

    def _done(self, _user: Any) -> None:
        # The keys stay held until the next screen (sittings or the room) is up.
        self.console.after_login(failed=self._next_failed)

    def _failed(self, exc: KioskError) -> None:
        message = t(f"{self.ROLE}.login.failed")
        if "password" not in str(exc):
            message += f"\n{exc}"  # not a wrong password: the service is not answering, …
        self.login_failed(message)

    def _next_failed(self, exc: KioskError) -> None:
        # Logged in, but the sittings (or the room) could not be read: say so, stay here.
        self.login_failed(str(exc))
