"""matching: one drop-down per left-hand entry, offering every right-hand text (distractors too)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, Select, Static

from kiosk.apps.widgets.questions.base import QuestionWidget, letter, plain
from kiosk.builtins.qtypes.matching import distractors_of, pairs_of
from kiosk.i18n import t


class MatchingWidget(QuestionWidget):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rights = self.presentation.get("right")
        if not isinstance(rights, list):
            rights = sorted(
                [p.get("right", "") for p in pairs_of(self.item)] + distractors_of(self.item),
                key=str.casefold,
            )
        self._rights = [r for r in rights if isinstance(r, str)]
        given = self.response if isinstance(self.response, dict) else {}
        self._chosen: dict[str, str] = {
            k: v for k, v in given.items() if isinstance(v, str) and v in self._rights
        }

    def compose(self) -> ComposeResult:
        yield from self.compose_stem()
        yield Static(t("question.match"), classes="hint")
        options = [(Text(f"{letter(n)}. {r}"), r) for n, r in enumerate(self._rights)]
        for n, pair in enumerate(pairs_of(self.item), start=1):
            with Horizontal(classes="match-row"):
                yield Label(plain(f"{n}. {pair.get('left', '')}"), classes="match-left")
                select: Select[str] = Select(
                    options,
                    prompt=t("question.choose"),
                    value=self._chosen.get(pair["id"], Select.NULL),
                    compact=True,
                    classes="answer match-right",
                )
                select.pair_id = pair["id"]  # type: ignore[attr-defined]
                yield select

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        pair_id = getattr(event.select, "pair_id", None)
        if pair_id is None:
            return
        if isinstance(event.value, str):
            self._chosen[pair_id] = event.value
        else:
            self._chosen.pop(pair_id, None)
        order = [p["id"] for p in pairs_of(self.item)]
        self.answer({k: self._chosen[k] for k in order if k in self._chosen})
