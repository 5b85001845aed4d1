"""short_text and numeric: one line typed by the candidate, stored exactly as typed."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Input, Static
from textual.widgets.input import Selection

from kiosk.apps.widgets.questions.base import QuestionWidget
from kiosk.builtins.qtypes.numeric import parse_typed
from kiosk.domain.items import Item
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

    def reuse_for(self, item: Item, presentation: dict[str, Any] | None, response: Any) -> bool:
        if item.attachments or self.item.attachments:
            return False
        self.set_question(item, presentation, response)
        self.update_stem()
        self._set_hint()
        value = response if isinstance(response, str) else ""
        field = self.query_one(Input)
        with self.prevent(Input.Changed):
            field.value = value
        # as a new field: the cursor after the text, nothing selected, the start in view
        field.selection = Selection.cursor(len(value))
        field.scroll_to(0, 0, animate=False, immediate=True)
        return True

    def _set_hint(self) -> None:
        """The hint under the stem, when it depends on the item (NumericWidget's unit)."""

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if event.value != event.input.value:
            return  # overtaken by a later change, or the field now shows another question
        self.answer(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        # Enter means "I am done typing": save now rather than after the pause.
        event.stop()
        if event.value != event.input.value:
            return  # the field now shows another question
        self.post_message(self.Answered(self, event.value, settle=False))


class NumericWidget(ShortTextWidget):
    """Accepts what a candidate would write on paper ("3,14", "1 250 cm"); the type judges it."""

    def compose(self) -> ComposeResult:
        yield from self.compose_stem()
        yield Static(self._hint(), classes="hint unit-hint")
        value = self.response if isinstance(self.response, str) else ""
        yield Input(value=value, max_length=MAX_LINE, placeholder=t("question.number_example"),
                    select_on_focus=False, classes="answer")
        yield Static(self._check(value), classes="hint number-check")

    def _hint(self) -> str:
        unit = self.item.spec.get("unit")
        if isinstance(unit, str) and unit.strip():
            return t("question.type_number_unit", unit=unit.strip())
        return t("question.type_number")

    def _set_hint(self) -> None:
        self.query_one(".unit-hint", Static).update(self._hint())
        value = self.response if isinstance(self.response, str) else ""
        self.query_one(".number-check", Static).update(self._check(value))

    def _check(self, value: str) -> str:
        if value.strip() and parse_typed(value) is None:
            return t("question.not_a_number")
        return ""

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.value == event.input.value:
            self.query_one(".number-check", Static).update(self._check(event.value))
        super().on_input_changed(event)
