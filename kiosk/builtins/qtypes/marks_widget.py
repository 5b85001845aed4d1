"""Toggle buttons whose state shows as a symbol, not only as a colour."""

from __future__ import annotations

from textual.widgets import Checkbox, RadioButton


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
