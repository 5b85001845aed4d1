"""Small modal dialogs: yes/no confirmation and the key help."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from kiosk.apps.widgets.confirm import ConfirmDialog
from kiosk.i18n import t

__all__ = ["ConfirmDialog", "HelpDialog"]


class HelpDialog(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,enter", "close", show=False)]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help"):
            yield Static(t("help.heading"), classes="title")
            yield Static(t("instructions.keys"), classes="body-text keys")
            yield Static(t("help.close"), classes="hint")

    def action_close(self) -> None:
        self.dismiss(None)
