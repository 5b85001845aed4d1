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
from kiosk.builtins.qtypes.marks_widget import MarkedCheckbox, MarkedRadioButton, reset_radio_set
from kiosk.domain.items import Item
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

    def reuse_for(self, item: Item, presentation: dict[str, Any] | None, response: Any) -> bool:
        if item.attachments or self.item.attachments:
            return False
        options = choices.ordered(item, presentation or {})
        pressed = next((n for n, o in enumerate(options) if o["id"] == response), None)
        labels = [plain(f"{letter(n)}. {o.get('text', '')}") for n, o in enumerate(options)]
        if not reset_radio_set(self.query_one(RadioSet), labels, pressed):
            return False
        self.set_question(item, presentation, response)
        self.update_stem()
        return True

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        if event.radio_set.pressed_button is not event.pressed:
            return  # a change that a later one (or a reuse for another question) overtook
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

    def reuse_for(self, item: Item, presentation: dict[str, Any] | None, response: Any) -> bool:
        if item.attachments or self.item.attachments:
            return False
        pressed = 0 if response is True else 1 if response is False else None
        labels = [plain(f"A. {t('question.true')}"), plain(f"B. {t('question.false')}")]
        if not reset_radio_set(self.query_one(RadioSet), labels, pressed):
            return False
        self.set_question(item, presentation, response)
        self.update_stem()
        return True

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        if event.radio_set.pressed_button is not event.pressed:
            return  # overtaken (see SingleChoiceWidget)
        self.answer(event.index == 0)


class MultipleResponseWidget(QuestionWidget):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choose()

    def _choose(self) -> None:
        self._ids = [o["id"] for o in choices.ordered(self.item, self.presentation)]
        chosen = self.response if isinstance(self.response, list) else []
        self._chosen = {i for i in chosen if i in self._ids}

    def reuse_for(self, item: Item, presentation: dict[str, Any] | None, response: Any) -> bool:
        if item.attachments or self.item.attachments:
            return False
        options = choices.ordered(item, presentation or {})
        boxes = list(self.query(MarkedCheckbox))
        if len(boxes) != len(options):
            return False
        self.set_question(item, presentation, response)
        self._choose()
        with self.prevent(Checkbox.Changed):
            for n, (box, option) in enumerate(zip(boxes, options, strict=True)):
                box.label = plain(f"{letter(n)}. {option.get('text', '')}")
                box.option_id = option["id"]  # type: ignore[attr-defined]
                box.value = option["id"] in self._chosen
        self.update_stem()
        return True

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
        if option_id is None or event.value != event.checkbox.value:
            return  # overtaken by a later change, or the box now shows another question
        if event.value:
            self._chosen.add(option_id)
        else:
            self._chosen.discard(option_id)
        # Presentation order keeps the stored list stable whatever order the boxes were ticked in.
        self.answer([i for i in self._ids if i in self._chosen])
