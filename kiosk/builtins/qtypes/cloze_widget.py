"""cloze: the text with numbered gaps, then one input (free text) or drop-down (options) per gap.

A terminal cannot put an editable field in the middle of wrapped text, so the stem shows each gap
as `[(1) … ]` with what has been typed so far, and the fields follow in gap order.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Label, Select, Static

from kiosk.apps.widgets.questions.base import QuestionWidget, stem_renderable
from kiosk.builtins.qtypes.cloze import PLACEHOLDER, gaps_of
from kiosk.builtins.qtypes.text_widget import MAX_LINE
from kiosk.i18n import t


class ClozeWidget(QuestionWidget):
    typed = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._gaps = gaps_of(self.item)
        self._number = {g["id"]: n for n, g in enumerate(self._gaps, start=1)}
        given = self.response if isinstance(self.response, dict) else {}
        self._values: dict[str, str] = {
            k: v for k, v in given.items() if isinstance(v, str) and k in self._number
        }

    def _stem_text(self) -> str:
        def fill(match: Any) -> str:
            gid = match.group(1).strip()
            n = self._number.get(gid, "?")
            value = self._values.get(gid, "").strip()
            # Escaped brackets keep Markdown from reading the gap as a link.
            return f"\\[({n}) {value or '______'}\\]"

        return PLACEHOLDER.sub(fill, self.item.stem)

    def compose(self) -> ComposeResult:
        yield Static(stem_renderable(self._stem_text()), classes="stem cloze-stem")
        yield from self.compose_attachments()
        yield Static(t("question.fill_gaps"), classes="hint")
        orders = self.presentation.get("gaps")
        orders = orders if isinstance(orders, dict) else {}
        for gap in self._gaps:
            gid = gap["id"]
            with Horizontal(classes="gap-row"):
                yield Label(f"({self._number[gid]})", classes="gap-label")
                options = orders.get(gid, gap.get("options"))
                if isinstance(options, list):
                    select: Select[str] = Select(
                        [(Text(o), o) for o in options if isinstance(o, str)],
                        prompt=t("question.choose"),
                        value=self._values.get(gid, Select.NULL),
                        compact=True,
                        classes="answer gap-select",
                    )
                    select.gap_id = gid  # type: ignore[attr-defined]
                    yield select
                else:
                    field = Input(
                        value=self._values.get(gid, ""),
                        max_length=MAX_LINE,
                        select_on_focus=False,
                        compact=True,
                        classes="answer gap-input",
                    )
                    field.gap_id = gid  # type: ignore[attr-defined]
                    yield field

    def _changed(self, gid: str | None, value: Any, settle: bool) -> None:
        if gid is None:
            return
        if isinstance(value, str) and value.strip():
            self._values[gid] = value
        else:
            self._values.pop(gid, None)
        self.query_one(".cloze-stem", Static).update(stem_renderable(self._stem_text()))
        self.answer({g["id"]: self._values[g["id"]] for g in self._gaps if g["id"] in self._values}, settle=settle)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._changed(getattr(event.input, "gap_id", None), event.value, True)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Answered(self, self.response, settle=False))

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._changed(getattr(event.select, "gap_id", None), event.value, False)
