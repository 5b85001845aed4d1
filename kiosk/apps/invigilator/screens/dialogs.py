"""Modal dialogs of the console: a small form (reasons, minutes, seats, statements), a yes/no
confirmation and a message."""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import RenderableType
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static, TextArea

from kiosk.apps.widgets.confirm import ConfirmDialog as SharedConfirmDialog
from kiosk.i18n import t


@dataclass(frozen=True)
class Field:
    id: str
    label: str
    kind: str = "text"  # text | long | number | choice | check
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()  # (label, value)
    default: str = ""


Answers = dict[str, str]


class FormDialog(ModalScreen[Answers | None]):
    """Dismisses with the field values (strings; checkboxes "1"/""), or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", show=False), Binding("ctrl+s", "save", show=False)]

    def __init__(self, title: str, fields: list[Field], *, info: str = "",
                 ok: str | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.fields = fields
        self.info = info
        self.ok = ok or t("invigilator.dialog.ok")

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog form"):
            yield Static(self.title_text, classes="title")
            if self.info:
                yield Static(self.info, classes="message")
            for f in self.fields:
                mark = " *" if f.required else ""
                if f.kind == "check":
                    yield Checkbox(f.label, value=f.default == "1", id=f"f-{f.id}")
                    continue
                yield Label(f.label + mark, classes="field-label")
                if f.kind == "long":
                    yield TextArea(f.default, id=f"f-{f.id}", classes="long")
                elif f.kind == "choice":
                    yield Select(list(f.choices), allow_blank=False,
                                 value=f.default or f.choices[0][1], id=f"f-{f.id}")
                else:
                    yield Input(f.default, id=f"f-{f.id}",
                                type="number" if f.kind == "number" else "text")
            yield Static("", id="form-message", classes="message error")
            with Horizontal(classes="buttons"):
                yield Button(t("invigilator.dialog.cancel"), id="cancel")
                yield Button(self.ok, id="ok", variant="primary")

    def on_mount(self) -> None:
        if self.fields:
            self.query_one(f"#f-{self.fields[0].id}").focus()
        else:
            self.query_one("#ok", Button).focus()

    def values(self) -> Answers:
        out: Answers = {}
        for f in self.fields:
            widget = self.query_one(f"#f-{f.id}")
            if isinstance(widget, Checkbox):
                out[f.id] = "1" if widget.value else ""
            elif isinstance(widget, TextArea):
                out[f.id] = widget.text.strip()
            elif isinstance(widget, Select):
                out[f.id] = str(widget.value)
            elif isinstance(widget, Input):
                out[f.id] = widget.value.strip()
        return out

    def action_save(self) -> None:
        values = self.values()
        missing = [f.label for f in self.fields if f.required and not values.get(f.id)]
        if missing:
            self.query_one("#form-message", Static).update(
                t("invigilator.dialog.required", fields=", ".join(missing)))
            return
        self.dismiss(values)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "ok":
            self.action_save()
        else:
            self.action_cancel()


class ConfirmDialog(SharedConfirmDialog):
    """The console's "no" is always the same word; its questions may need scrolling."""

    BOX = VerticalScroll

    def __init__(self, question: str, yes: str | None = None) -> None:
        super().__init__(question, yes or t("invigilator.dialog.yes"), t("invigilator.dialog.no"))


class MessageDialog(ModalScreen[None]):
    BINDINGS = [Binding("escape,enter", "close", show=False)]

    def __init__(self, title: str, text: RenderableType) -> None:
        super().__init__()
        self.title_text = title
        self.text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog message-dialog"):
            yield Static(self.title_text, classes="title")
            yield Static(self.text, classes="message", id="message-text")
            with Horizontal(classes="buttons"):
                yield Button(t("invigilator.dialog.close"), id="close", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#close", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
