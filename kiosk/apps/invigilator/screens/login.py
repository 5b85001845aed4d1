"""Login with an invigilator account (kiosk user add --role invigilator NAME)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from kiosk.apps.widgets.staff_login import StaffLoginScreen

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
        return self.console.centre.name

    def authenticate(self, name: str, password: str) -> None:
        self.console.login(name, password)
