"""Toggle buttons whose state shows as a symbol, not only as a colour."""

from __future__ import annotations

from typing import Any

from textual.widgets import Checkbox, RadioButton, RadioSet


class MarkedCheckbox(Checkbox):
    """Shows `X` when ticked and a blank when not (the stock one shows `X` in both, coloured)."""

    @property  # type: ignore[override]
    def BUTTON_INNER(self) -> str:  # noqa: N802 - overrides the class attribute Textual reads
        return "X" if self.value else " "


class MarkedRadioButton(RadioButton):
    """Shows `●` when chosen and a blank when not."""

    @property  # type: ignore[override]
    def BUTTON_INNER(self) -> str:  # noqa: N802
        return "●" if self.value else " "


def reset_radio_set(radio_set: RadioSet, labels: list[Any], pressed: int | None) -> bool:
    """Give a mounted RadioSet new labels and a new pressed button, as if newly mounted (the
    first button highlighted), posting no Changed: a question widget reused for another
    question (`QuestionWidget.reuse_for`). False when the number of buttons differs."""
    buttons = list(radio_set.query(RadioButton))
    if len(buttons) != len(labels):
        return False
    with radio_set.prevent(RadioButton.Changed, RadioSet.Changed):
        for n, (button, label) in enumerate(zip(buttons, labels, strict=True)):
            button.label = label
            button.value = n == pressed
    # RadioSet keeps which button is pressed and which is highlighted in private state that
    # it updates from the buttons' Changed messages (prevented above) and on mount: set it
    # as its `_on_mount` does. tests/apps/test_candidate_reuse.py checks both against a new set.
    radio_set._pressed_button = buttons[pressed] if pressed is not None else None
    radio_set._selected = 0 if buttons else None
    return True
