"""short_text and numeric: one line typed by the candidate, stored exactly as typed."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Input, Static

from kiosk.apps.widgets.questions.base import QuestionWidget
from kiosk.builtins.qtypes.numeric import parse_typed
from kiosk.i18n import t

MAX_LINE = 500


class ShortTextWidget(QuestionWidget):
    typed = True

    def compose(self) -> ComposeResult:
        yield from self.compose_stem()
        yield Static(t("question.type_answer"), classes="hint")
        value = self.response if isinstance(self.response, str) else ""
        # No select-all on focus: coming back to an answer and typing must add to it, not
        # silently replace it.
        yield Input(value=value, max_length=MAX_LINE, select_on_focus=False, classes="answer")

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.answer(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        # Enter means "I am done typing": save now rather than after the pause.
        event.stop()
        self.post_message(self.Answered(self, event.value, settle=False))


class NumericWidget(ShortTextWidget):
    """Accepts what a candidate would write on paper ("3,14", "1 250 cm"); the type judges it."""

    def compose(self) -> ComposeResult:
        yield from self.compose_stem()
        unit = self.item.spec.get("unit")
        if isinstance(unit, str) and unit.strip():
            yield Static(t("question.type_number_unit", unit=unit.strip()), classes="hint")
        else:
            yield Static(t("question.type_number"), classes="hint")
        value = self.response if isinstance(self.response, str) else ""
        yield Input(value=value, max_length=MAX_LINE, placeholder=t("question.number_example"),
                    select_on_focus=False, classes="answer")
        yield Static(self._check(value), classes="hint number-check")

    def _check(self, value: str) -> str:
        if value.strip() and parse_typed(value) is None:
            return t("question.not_a_number")
        return ""

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_one(".number-check", Static).update(self._check(event.value))
        super().on_input_changed(event)
