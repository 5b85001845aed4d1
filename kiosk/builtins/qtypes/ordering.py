"""ordering: put the elements of `sequence` in the correct order.

Scoring: keys = number of elements, right = elements standing in their correct position
(position i of the response equals sequence[i]); wrong = 0. So moving one element from the end to
the front of a five-element list leaves 0 right, not 4: the rule counts positions, not adjacent
pairs. The initial order is always shuffled (an unshuffled list would be the answer) and never
equals the correct order.
"""

from __future__ import annotations

import random
from typing import Any, ClassVar

from kiosk.builtins.qtypes.base import BuiltinType, blank, malformed, not_answered
from kiosk.builtins.qtypes.fields import is_text, json_text, letter
from kiosk.domain.items import FieldError, Item
from kiosk.domain.scoring import Judgement
from kiosk.domain.texts import Text


def sequence_of(item: Item) -> list[str]:
    raw = item.spec.get("sequence")
    return [s for s in raw if isinstance(s, str)] if isinstance(raw, list) else []


class Ordering(BuiltinType):
    name: ClassVar[str] = "ordering"
    title: ClassVar[Text] = Text("qtype.ordering", "Sorbarendezés")
    fields: ClassVar[set[str]] = {"sequence"}

    def check(self, item: Item, errors: list[FieldError]) -> None:
        raw = item.spec.get("sequence")
        if raw is None:
            errors.append(FieldError("sequence", "missing: the elements in their correct order"))
            return
        if not isinstance(raw, list) or len(raw) < 2:
            errors.append(FieldError("sequence", "must be a list of at least 2 texts"))
            return
        seen: dict[str, int] = {}
        for i, text in enumerate(raw, start=1):
            if not is_text(text):
                errors.append(
                    FieldError(f"sequence[{i}]", f"must be a non-empty string, got {text!r}")
                )
            elif text.strip() in seen:
                errors.append(
                    FieldError(
                        f"sequence[{i}]", f"same text as sequence[{seen[text.strip()]}]: {text!r}"
                    )
                )
            else:
                seen[text.strip()] = i

    def judge(self, item: Item, response: Any) -> Judgement:
        sequence = sequence_of(item)
        keys = len(sequence)
        if blank(response):
            return not_answered(keys)
        if not isinstance(response, list):
            return malformed(keys, response)
        positions = [
            i < len(response)
            and isinstance(response[i], str)
            and response[i].strip() == text.strip()
            for i, text in enumerate(sequence)
        ]
        return Judgement(
            keys=keys,
            right=sum(positions),
            wrong=0,
            detail={"positions": positions, "correct": sequence},
        )

    def is_answered(self, item: Item, response: Any) -> bool:
        return not blank(response)

    def presentation(self, item: Item, rng: random.Random, shuffle: bool) -> dict[str, Any]:
        sequence = sequence_of(item)
        order = list(sequence)
        if len(set(order)) < 2:
            return {"order": order}
        # Reshuffling until it differs keeps the draw deterministic for a seeded rng.
        while order == sequence:
            rng.shuffle(order)
        return {"order": order}

    def correct_response(self, item: Item) -> Any:
        return sequence_of(item)

    def render_item(self, item: Item, presentation: dict[str, Any] | None = None) -> str:
        order = (presentation or {}).get("order")
        if not isinstance(order, list):
            order = sorted(sequence_of(item), key=str.casefold)
        lines = [item.stem.rstrip(), ""]
        lines += [f"{letter(n)}. {text}" for n, text in enumerate(order)]
        return "\n".join(lines)

    def render_response(self, item: Item, response: Any) -> str:
        if blank(response):
            return ""
        if not isinstance(response, list):
            return json_text(response)
        return "\n".join(
            f"{n}. {text if isinstance(text, str) else json_text(text)}"
            for n, text in enumerate(response, start=1)
        )

    def widget(self, item: Item, presentation: dict[str, Any], response: Any) -> Any:
        from kiosk.builtins.qtypes.ordering_widget import OrderingWidget

        return OrderingWidget(item, presentation, response)
