"""single_choice, multiple_response and true_false: options chosen with the keyboard.

Options keep the per-candidate order from the presentation and are labelled A, B, C… so that the
candidate (and an invigilator reading over a shoulder) can name them without relying on colour.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Checkbox, RadioSet, Static

from kiosk.apps.widgets.questions.base import QuestionWidget, letter, plain
from kiosk.builtins.qtypes import choices
from kiosk.builtins.qtypes.marks_widget import MarkedCheckbox, MarkedRadioButton
from kiosk.i18n import t


class SingleChoiceWidget(QuestionWidget):
    def option_ids(self) -> list[str]:
        return [o["id"] for o in choices.ordered(self.item, self.presentation)]

    def compose(self) -> ComposeResult:
        yield from self.compose_stem()
        yield Static(t("question.pick_one"), classes="hint")
        options = choices.ordered(self.item, self.presentation)
        yield RadioSet(
            *(
                MarkedRadioButton(
                    plain(f"{letter(n)}. {o.get('text', '')}"), value=o["id"] == self.response
                )
                for n, o in enumerate(options)
            ),
            classes="answer",
            compact=True,
        )

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        self.answer(self.option_ids()[event.index])


class TrueFalseWidget(QuestionWidget):
    def compose(self) -> ComposeResult:
        yield from self.compose_stem()
        yield Static(t("question.pick_one"), classes="hint")
        yield RadioSet(
            MarkedRadioButton(plain(f"A. {t('question.true')}"), value=self.response is True),
            MarkedRadioButton(plain(f"B. {t('question.false')}"), value=self.response is False),
            classes="answer",
            compact=True,
        )

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        self.answer(event.index == 0)


class MultipleResponseWidget(QuestionWidget):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._ids = [o["id"] for o in choices.ordered(self.item, self.presentation)]
        chosen = self.response if isinstance(self.response, list) else []
        self._chosen = {i for i in chosen if i in self._ids}

    def compose(self) -> ComposeResult:
        yield from self.compose_stem()
        yield Static(t("question.pick_many"), classes="hint")
        for n, option in enumerate(choices.ordered(self.item, self.presentation)):
            box = MarkedCheckbox(
                plain(f"{letter(n)}. {option.get('text', '')}"),
                value=option["id"] in self._chosen,
                classes="answer option",
                compact=True,
            )
            box.option_id = option["id"]  # type: ignore[attr-defined]
            yield box

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        option_id = getattr(event.checkbox, "option_id", None)
        if option_id is None:
            return
        if event.value:
            self._chosen.add(option_id)
        else:
            self._chosen.discard(option_id)
        # Presentation order keeps the stored list stable whatever order the boxes were ticked in.
        self.answer([i for i in self._ids if i in self._chosen])
