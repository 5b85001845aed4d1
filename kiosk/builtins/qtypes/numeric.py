"""numeric: a number typed as text ("3,14", "1 250", "-2", "12 cm").

A decimal comma or point is accepted, spaces may group thousands, and the item's `unit` may
follow (required only with `unit_required`); any other trailing text, including a wrong unit,
makes the answer wrong. Input that is not a number is an answered, wrong response.
Answers are `{value, tolerance, relative, weight}` (relative: tolerance is a fraction of value) or
`{min, max, weight}`; the best matching weight is the fraction. `wrong_feedback` (Moodle's
catch-all `*` answer) is shown at review for a response that no answer gives credit for.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any, ClassVar

from kiosk.builtins.qtypes.base import BuiltinType, blank, malformed, not_answered
from kiosk.builtins.qtypes.fields import (
    check_bool,
    check_unknown,
    check_weight,
    is_number,
    is_text,
    json_text,
    table_list,
)
from kiosk.domain.items import FieldError, Item
from kiosk.domain.scoring import Judgement
from kiosk.domain.texts import Text

_INT = r"(?:\d{1,3}(?: \d{3})+|\d+)"
_NUMBER = rf"[+-]?(?:{_INT}(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?"
_TYPED = re.compile(rf"({_NUMBER})\s*(.*)", re.DOTALL)
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2212": "-", "\t": " "})
ANSWER_KEYS = {"value", "tolerance", "relative", "min", "max", "weight", "feedback"}


def parse_typed(text: str) -> tuple[float, str] | None:
    """(number, trailing text) or None when the text does not start with a number."""
    text = unicodedata.normalize("NFC", text).translate(_SPACES).strip()
    match = _TYPED.fullmatch(text)
    if not match:
        return None
    number = match.group(1).replace(" ", "").replace(",", ".")
    try:
        value = float(number)
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    return value, match.group(2).strip()


def answer_weight(answer: dict[str, Any], value: float) -> float | None:
    """The answer's weight if `value` falls within it, else None."""
    weight = answer.get("weight", 1.0)
    weight = float(weight) if is_number(weight) else 0.0
    if "value" in answer:
        target = answer.get("value")
        if not is_number(target):
            return None
        tol = answer.get("tolerance", 0.0)
        tol = float(tol) if is_number(tol) else 0.0
        if answer.get("relative") is True:
            tol *= abs(target)
        # Room for binary rounding: 0.1 + 0.2 must equal 0.3 with tolerance 0.
        slack = 1e-9 * max(1.0, abs(target))
        return weight if abs(value - target) <= tol + slack else None
    low, high = answer.get("min"), answer.get("max")
    if is_number(low) and is_number(high):
        slack = 1e-9 * max(1.0, abs(low), abs(high))
        return weight if low - slack <= value <= high + slack else None
    return None


def format_number(value: float) -> str:
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(value).replace(".", ",")


def _check_value(answer: dict[str, Any], path: str, errors: list[FieldError]) -> None:
    """Whether a value answer has a number, a tolerance ≥ 0 and a true/false `relative`."""
    if not is_number(answer["value"]):
        errors.append(FieldError(f"{path}.value", f"must be a number, got {answer['value']!r}"))
    tol = answer.get("tolerance", 0)
    if not is_number(tol) or tol < 0:
        errors.append(FieldError(f"{path}.tolerance", f"must be a number ≥ 0, got {tol!r}"))
    check_bool(answer, "relative", path, errors)


def _check_range(answer: dict[str, Any], path: str, errors: list[FieldError]) -> None:
    """Whether a range answer has numbers for min and max, min not above max."""
    for key in ("min", "max"):
        if not is_number(answer.get(key)):
            errors.append(FieldError(f"{path}.{key}", f"must be a number, got {answer.get(key)!r}"))
    low, high = answer.get("min"), answer.get("max")
    if is_number(low) and is_number(high) and low > high:
        errors.append(FieldError(f"{path}.min", f"{low:g} is above max {high:g}"))


class Numeric(BuiltinType):
    name: ClassVar[str] = "numeric"
    title: ClassVar[Text] = Text("qtype.numeric", "Számérték")
    fields: ClassVar[set[str]] = {"answers", "unit", "unit_required", "wrong_feedback"}

    def check(self, item: Item, errors: list[FieldError]) -> None:
        spec = item.spec
        answers = table_list(spec, "answers", errors, what="answers ({value} or {min, max})")
        best = 0.0
        for i, answer in enumerate(answers or [], start=1):
            path = f"answers[{i}]"
            check_unknown(answer, ANSWER_KEYS, path, errors)
            check_weight(answer, path, errors)
            has_value = "value" in answer
            has_range = "min" in answer or "max" in answer
            if has_value and has_range:
                errors.append(FieldError(path, "give either value or min/max, not both"))
            elif has_value:
                _check_value(answer, path, errors)
            elif has_range:
                _check_range(answer, path, errors)
            else:
                errors.append(FieldError(path, "needs value (with tolerance) or min and max"))
            if "tolerance" in answer and not has_value:
                errors.append(
                    FieldError(f"{path}.tolerance", "only applies to an answer with value")
                )
            weight = answer.get("weight", 1.0)
            if is_number(weight):
                best = max(best, float(weight))
        if answers is not None and best < 1:
            errors.append(
                FieldError(
                    "answers",
                    f"numeric needs an answer worth full marks (weight 1), best is {best:g}",
                )
            )
        if "unit" in spec and not is_text(spec["unit"]):
            errors.append(FieldError("unit", f"must be a non-empty string, got {spec['unit']!r}"))
        check_bool(spec, "unit_required", "", errors)
        if "wrong_feedback" in spec and not isinstance(spec["wrong_feedback"], str):
            errors.append(FieldError("wrong_feedback", "must be a string"))
        if spec.get("unit_required") is True and "unit" not in spec:
            errors.append(FieldError("unit_required", "is true but the item has no unit"))

    def judge(self, item: Item, response: Any) -> Judgement:
        if blank(response):
            return not_answered(1)
        if not isinstance(response, str):
            return malformed(1, response, wrong=1, fraction=0.0)
        detail: dict[str, Any] = {"correct": self.correct_response(item)}
        if isinstance(item.spec.get("wrong_feedback"), str):
            # Judgements are frozen but their detail is not: set here, removed below when the
            # response earns something.
            detail["feedback"] = item.spec["wrong_feedback"]
        parsed = parse_typed(response)
        wrong = Judgement(keys=1, right=0, wrong=1, fraction=0.0, detail=detail)
        if parsed is None:
            detail["reason"] = "not a number"
            return wrong
        value, unit = parsed
        detail["value"] = value
        expected = item.spec.get("unit")
        expected = expected.strip() if isinstance(expected, str) else None
        if unit and unit != expected:
            detail["reason"] = "wrong unit" if expected else "unexpected text after the number"
            return wrong
        if not unit and expected and item.spec.get("unit_required") is True:
            detail["reason"] = "unit missing"
            return wrong
        answers = item.spec.get("answers")
        weights = [
            w
            for a in (answers if isinstance(answers, list) else [])
            if isinstance(a, dict) and (w := answer_weight(a, value)) is not None
        ]
        best = max(0.0, min(1.0, max(weights, default=0.0)))
        if best > 0:
            detail.pop("feedback", None)
        return Judgement(
            keys=1,
            right=1 if best >= 1 else 0,
            wrong=1 if best <= 0 else 0,
            fraction=best,
            detail=detail,
        )

    def is_answered(self, item: Item, response: Any) -> bool:
        return not blank(response)

    def correct_response(self, item: Item) -> Any:
        answers = item.spec.get("answers")
        full = [
            a
            for a in (answers if isinstance(answers, list) else [])
            if isinstance(a, dict) and a.get("weight", 1.0) == 1
        ]
        if not full:
            return None
        answer = full[0]
        if is_number(answer.get("value")):
            value = float(answer["value"])
        elif is_number(answer.get("min")) and is_number(answer.get("max")):
            value = (answer["min"] + answer["max"]) / 2
        else:
            return None
        text = format_number(value)
        unit = item.spec.get("unit")
        return f"{text} {unit}" if isinstance(unit, str) and unit.strip() else text

    def render_item(self, item: Item, presentation: dict[str, Any] | None = None) -> str:
        unit = item.spec.get("unit")
        suffix = f" {unit}" if isinstance(unit, str) else ""
        return f"{item.stem.rstrip()}\n\nVálasz: ____________{suffix}"

    def render_response(self, item: Item, response: Any) -> str:
        if response is None:
            return ""
        return response if isinstance(response, str) else json_text(response)

    def widget(self, item: Item, presentation: dict[str, Any], response: Any) -> Any:
        from kiosk.builtins.qtypes.text_widget import NumericWidget

        return NumericWidget(item, presentation, response)
