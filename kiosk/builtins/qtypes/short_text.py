"""short_text: a typed answer compared with the accepted answers.

Text is always NFC-normalised; `case_sensitive` (default false), `normalise_whitespace` (default
true: strip and collapse runs) and `ignore_accents` (default false) refine the comparison. `*` in
an answer matches any run of characters (GIFT). The best matching answer's weight is the fraction.
"""

from __future__ import annotations

from typing import Any, ClassVar

from kiosk.builtins.qtypes import textmatch
from kiosk.builtins.qtypes.base import BuiltinType, blank, malformed, not_answered
from kiosk.builtins.qtypes.fields import json_text
from kiosk.domain.items import FieldError, Item
from kiosk.domain.scoring import Judgement
from kiosk.domain.texts import Text


class ShortText(BuiltinType):
    name: ClassVar[str] = "short_text"
    title: ClassVar[Text] = Text("qtype.short_text", "Rövid válasz")
    fields: ClassVar[set[str]] = {"answers", *textmatch.OPTION_KEYS}

    def check(self, item: Item, errors: list[FieldError]) -> None:
        textmatch.validate_answers(item.spec.get("answers"), "", errors, type_name=self.name)
        textmatch.validate_text_options(item.spec, "", errors)

    def normalise_spec(self, spec: dict[str, Any]) -> dict[str, Any]:
        # One shape for every consumer: a list of {text, weight} tables.
        answers = []
        for entry in spec.get("answers", []):
            answers.append(
                {"text": entry, "weight": 1.0} if isinstance(entry, str) else dict(entry)
            )
        for answer in answers:
            answer.setdefault("weight", 1.0)
        spec["answers"] = answers
        return spec

    def judge(self, item: Item, response: Any) -> Judgement:
        if blank(response):
            return not_answered(1)
        if not isinstance(response, str):
            return malformed(1, response, wrong=1, fraction=0.0)
        answers = textmatch.parse_answers(item.spec.get("answers"))
        options = textmatch.TextOptions.from_spec(item.spec)
        best = textmatch.best_answer(answers, response, options)
        weight = max(0.0, min(1.0, best.weight)) if best else 0.0
        full = [a.text for a in answers if a.weight >= 1]
        return Judgement(
            keys=1,
            right=1 if weight >= 1 else 0,
            wrong=1 if weight <= 0 else 0,
            fraction=weight,
            detail={"matched": best.text if best else None, "correct": full},
        )

    def is_answered(self, item: Item, response: Any) -> bool:
        return not blank(response)

    def correct_response(self, item: Item) -> Any:
        answers = textmatch.parse_answers(item.spec.get("answers"))
        if not answers:
            return None
        best = max(answers, key=lambda a: a.weight)
        options = textmatch.TextOptions.from_spec(item.spec)
        return textmatch.example(best.text, options)

    def render_item(self, item: Item, presentation: dict[str, Any] | None = None) -> str:
        return f"{item.stem.rstrip()}\n\nVálasz: ____________"

    def render_response(self, item: Item, response: Any) -> str:
        if response is None:
            return ""
        return response if isinstance(response, str) else json_text(response)

    def widget(self, item: Item, presentation: dict[str, Any], response: Any) -> Any:
        from kiosk.builtins.qtypes.text_widget import ShortTextWidget

        return ShortTextWidget(item, presentation, response)
