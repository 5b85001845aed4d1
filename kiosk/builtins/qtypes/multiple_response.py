"""multiple_response: pick every correct option.

keys = number of correct options, right = correct options selected, wrong = incorrect (or
unknown) options selected. With GIFT weights (may be negative) the fraction is the sum of the
selected options' weights, clamped to [0, 1].
"""

from __future__ import annotations

from typing import Any, ClassVar

from kiosk.builtins.qtypes import choices
from kiosk.builtins.qtypes.base import blank, clamp01, malformed, not_answered
from kiosk.builtins.qtypes.fields import json_text
from kiosk.builtins.qtypes.mapping import mapped_value
from kiosk.domain.items import FieldError, Item
from kiosk.domain.scoring import Judgement
from kiosk.domain.texts import Text

#: Weights are written with five decimals of a percent (Moodle's 33.33333 %): three thirds add up
#: to 0.9999999. Sums this close to 1 are full marks.
WEIGHT_TOLERANCE = 1e-5


class MultipleResponse(choices.ChoiceType):
    name: ClassVar[str] = "multiple_response"
    title: ClassVar[Text] = Text("qtype.multiple_response", "Feleletválasztás (több helyes)")

    def check_options(self, options: list[dict[str, Any]], errors: list[FieldError]) -> None:
        for i, option in enumerate(options, start=1):
            w = option.get("weight")
            if option.get("correct") is True and isinstance(w, int | float) and w <= 0:
                errors.append(
                    FieldError(f"options[{i}].weight", f"correct = true but weight is {w:g}")
                )
        correct = [o for o in options if choices.is_correct(o)]
        if not correct:
            errors.append(
                FieldError(
                    "options", "multiple_response needs at least one correct option, found 0"
                )
            )
        elif choices.weighted(options):
            total = sum(max(0.0, choices.weight_of(o)) for o in options)
            if total < 1 - WEIGHT_TOLERANCE:
                errors.append(
                    FieldError(
                        "options",
                        f"positive weights add up to {total:g}; full marks need at least 1",
                    )
                )

    def judge(self, item: Item, response: Any) -> Judgement:
        options = choices.options_of(item)
        keys = sum(1 for o in options if choices.is_correct(o))
        is_weighted = choices.weighted(options)
        if blank(response):
            return not_answered(keys, mapped_value(item, []))
        if not isinstance(response, list):
            return malformed(
                keys, response, mapped=mapped_value(item, []), fraction=0.0 if is_weighted else None
            )
        by_id = {o["id"]: o for o in options}
        selected = [
            r for r in dict.fromkeys(r for r in response if isinstance(r, str)) if r in by_id
        ]
        unknown = len(response) - sum(1 for r in response if isinstance(r, str) and r in by_id)
        right = sum(1 for r in selected if choices.is_correct(by_id[r]))
        wrong = len(selected) - right + unknown
        detail: dict[str, Any] = {
            "selected": selected,
            "correct": [o["id"] for o in options if choices.is_correct(o)],
        }
        if unknown:
            detail["unknown"] = unknown
        fraction = None
        if is_weighted:
            fraction = clamp01(sum(choices.weight_of(by_id[r]) for r in selected))
            if fraction >= 1 - WEIGHT_TOLERANCE:
                fraction = 1.0
        return Judgement(
            keys=keys,
            right=right,
            wrong=wrong,
            mapped=mapped_value(item, selected),
            fraction=fraction,
            detail=detail,
        )

    def correct_response(self, item: Item) -> Any:
        return [o["id"] for o in choices.options_of(item) if choices.is_correct(o)]

    def render_response(self, item: Item, response: Any) -> str:
        if blank(response):
            return ""
        if not isinstance(response, list):
            return json_text(response)
        return "; ".join(choices.text_of(item, r) for r in response)

    def widget(self, item: Item, presentation: dict[str, Any], response: Any) -> Any:
        from kiosk.builtins.qtypes.choices_widget import MultipleResponseWidget

        return MultipleResponseWidget(item, presentation, response)
