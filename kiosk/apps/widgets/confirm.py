"""Yes/no confirmation dialog shared by the kiosk's apps."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Static


class ConfirmDialog(ModalScreen[bool]):
    """Dismisses with True only for an explicit "yes"; Escape or "no" is False."""

    BINDINGS = [Binding("escape", "no", show=False)]
    #: The box around question and buttons; apps with long questions use a scrolling one.
    BOX: type[Widget] = Vertical

    def __init__(self, question: str, yes: str, no: str) -> None:
        super().__init__()
        self.question = question
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        with self.BOX(classes="dialog confirm"):
            yield Static(self.question, classes="message")
            with Horizontal(classes="buttons"):
                yield Button(self.no, id="no")
                yield Button(self.yes, id="yes", variant="warning")

    def on_mount(self) -> None:
        # The safe choice has the focus: a stray Enter does not submit.
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_no(self) -> None:
        self.dismiss(False)
