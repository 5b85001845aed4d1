"""ordering: a list the candidate rearranges with the keyboard.

The presentation's shuffled order is only a starting point, not an answer: the question counts as
answered once the candidate moves an element or confirms the order with Enter.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from kiosk.apps.widgets.questions.base import QuestionWidget, plain
from kiosk.builtins.qtypes.ordering import sequence_of
from kiosk.i18n import t


class OrderList(OptionList):
    BINDINGS = [
        Binding("shift+up,ctrl+up,minus", "move(-1)", show=False),
        Binding("shift+down,ctrl+down,plus", "move(1)", show=False),
    ]

    def action_move(self, step: int) -> None:
        owner = next(a for a in self.ancestors if isinstance(a, OrderingWidget))
        owner.move(step)


class OrderingWidget(QuestionWidget):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sequence = sequence_of(self.item)
        given = self.response
        if isinstance(given, list) and sorted(map(str, given)) == sorted(sequence):
            self.order = [str(g) for g in given]
        else:
            order = self.presentation.get("order")
            ok = isinstance(order, list) and sorted(map(str, order)) == sorted(sequence)
            self.order = [str(o) for o in order] if ok else sorted(sequence, key=str.casefold)

    def compose(self) -> ComposeResult:
        yield from self.compose_stem()
        yield Static(t("question.order"), classes="hint")
        yield OrderList(*self._options(), classes="answer order-list")
        state = t("question.order_confirmed") if self.response else t("question.order_untouched")
        yield Static(state, classes="hint order-state")

    def _options(self) -> list[Option]:
        return [Option(plain(f"{n}. {text}")) for n, text in enumerate(self.order, start=1)]

    def on_mount(self) -> None:
        self.query_one(OrderList).highlighted = 0

    def move(self, step: int) -> None:
        listing = self.query_one(OrderList)
        at = listing.highlighted
        if at is None:
            return
        to = at + step
        if not 0 <= to < len(self.order):
            return
        self.order[at], self.order[to] = self.order[to], self.order[at]
        listing.clear_options()
        listing.add_options(self._options())
        listing.highlighted = to
        self._confirm()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._confirm()

    def _confirm(self) -> None:
        self.query_one(".order-state", Static).update(t("question.order_confirmed"))
        self.answer(list(self.order))
