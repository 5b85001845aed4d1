"""true_false: the response is JSON true or false; anything else is a wrong answer."""

from __future__ import annotations

from typing import Any, ClassVar

from kiosk.builtins.qtypes.base import BuiltinType, malformed, not_answered
from kiosk.builtins.qtypes.fields import check_penalty, json_text
from kiosk.builtins.qtypes.mapping import mapped_value, validate_mapping
from kiosk.domain.items import FieldError, Item
from kiosk.domain.scoring import Judgement
from kiosk.domain.texts import Text

LABELS = {True: "Igaz", False: "Hamis"}


class TrueFalse(BuiltinType):
    name: ClassVar[str] = "true_false"
    title: ClassVar[Text] = Text("qtype.true_false", "Igaz/hamis")
    fields: ClassVar[set[str]] = {"answer", "feedback_true", "feedback_false", "penalty", "mapping"}

    def check(self, item: Item, errors: list[FieldError]) -> None:
        if "answer" not in item.spec:
            errors.append(FieldError("answer", "missing: answer = true or answer = false"))
        elif not isinstance(item.spec["answer"], bool):
            errors.append(
                FieldError("answer", f"must be true or false, got {item.spec['answer']!r}")
            )
        for key in ("feedback_true", "feedback_false"):
            if key in item.spec and not isinstance(item.spec[key], str):
                errors.append(FieldError(key, "must be a string"))
        check_penalty(item.spec, errors)
        validate_mapping(item.spec, {"true", "false"}, errors)

    def judge(self, item: Item, response: Any) -> Judgement:
        if response is None:
            return not_answered(1, mapped_value(item, []))
        if not isinstance(response, bool):
            return malformed(1, response, wrong=1, mapped=mapped_value(item, []))
        right = response is item.spec.get("answer")
        detail: dict[str, Any] = {"chosen": response, "correct": item.spec.get("answer")}
        feedback = item.spec.get("feedback_true" if response else "feedback_false")
        if isinstance(feedback, str):
            detail["feedback"] = feedback
        return Judgement(
            keys=1,
            right=1 if right else 0,
            wrong=0 if right else 1,
            mapped=mapped_value(item, ["true" if response else "false"]),
            detail=detail,
        )

    def is_answered(self, item: Item, response: Any) -> bool:
        return response is not None

    def correct_response(self, item: Item) -> Any:
        answer = item.spec.get("answer")
        return answer if isinstance(answer, bool) else None

    def render_item(self, item: Item, presentation: dict[str, Any] | None = None) -> str:
        return f"{item.stem.rstrip()}\n\nA. {LABELS[True]}\nB. {LABELS[False]}"

    def render_response(self, item: Item, response: Any) -> str:
        if response is None:
            return ""
        if not isinstance(response, bool):
            return json_text(response)
        return LABELS[response]

    def widget(self, item: Item, presentation: dict[str, Any], response: Any) -> Any:
        from kiosk.builtins.qtypes.choices_widget import TrueFalseWidget

        return TrueFalseWidget(item, presentation, response)
