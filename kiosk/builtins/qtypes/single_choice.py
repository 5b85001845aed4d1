"""single_choice: pick one option. With GIFT weights (`%50%`) the chosen option's weight becomes
the judgement's fraction; without, exactly one option is correct."""

from __future__ import annotations

from typing import Any, ClassVar

from kiosk.builtins.qtypes import choices
from kiosk.builtins.qtypes.base import blank, clamp01, malformed, not_answered
from kiosk.builtins.qtypes.fields import json_text
from kiosk.builtins.qtypes.mapping import mapped_value
from kiosk.domain.items import FieldError, Item
from kiosk.domain.scoring import Judgement
from kiosk.domain.texts import Text


class SingleChoice(choices.ChoiceType):
    name: ClassVar[str] = "single_choice"
    title: ClassVar[Text] = Text("qtype.single_choice", "Feleletválasztás (egy helyes)")

    def check_options(self, options: list[dict[str, Any]], errors: list[FieldError]) -> None:
        if choices.weighted(options):
            best = max(choices.weight_of(o) for o in options)
            if best < 1:
                errors.append(
                    FieldError(
                        "options",
                        f"single_choice needs an option worth full marks (weight 1), best is {best:g}",
                    )
                )
        else:
            found = sum(1 for o in options if o.get("correct") is True)
            if found != 1:
                errors.append(
                    FieldError(
                        "options", f"single_choice needs exactly one correct option, found {found}"
                    )
                )

    def _is_full(self, options: list[dict[str, Any]], option: dict[str, Any]) -> bool:
        if choices.weighted(options):
            return choices.weight_of(option) >= 1
        return option.get("correct") is True

    def judge(self, item: Item, response: Any) -> Judgement:
        options = choices.options_of(item)
        is_weighted = choices.weighted(options)
        if blank(response):
            return not_answered(1, mapped_value(item, []))
        by_id = {o["id"]: o for o in options}
        if not isinstance(response, str) or response not in by_id:
            return malformed(
                1,
                response,
                wrong=1,
                mapped=mapped_value(item, []),
                fraction=0.0 if is_weighted else None,
            )
        option = by_id[response]
        full = self._is_full(options, option)
        weight = choices.weight_of(option)
        if is_weighted:
            right, wrong = (1 if full else 0), (1 if weight <= 0 else 0)
        else:
            right, wrong = (1, 0) if full else (0, 1)
        detail: dict[str, Any] = {
            "chosen": response,
            "correct": [o["id"] for o in options if self._is_full(options, o)],
        }
        if isinstance(option.get("feedback"), str):
            detail["feedback"] = option["feedback"]
        return Judgement(
            keys=1,
            right=right,
            wrong=wrong,
            mapped=mapped_value(item, [response]),
            fraction=clamp01(weight) if is_weighted else None,
            detail=detail,
        )

    def correct_response(self, item: Item) -> Any:
        options = choices.options_of(item)
        if not options:
            return None
        best = max(options, key=lambda o: (self._is_full(options, o), choices.weight_of(o)))
        return best["id"]

    def render_response(self, item: Item, response: Any) -> str:
        if blank(response):
            return ""
        if not isinstance(response, str):
            return json_text(response)
        return choices.text_of(item, response)

    def widget(self, item: Item, presentation: dict[str, Any], response: Any) -> Any:
        from kiosk.builtins.qtypes.choices_widget import SingleChoiceWidget

        return SingleChoiceWidget(item, presentation, response)
