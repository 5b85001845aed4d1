"""essay: free writing marked by a human against the rubric.

An answered essay judges to NeedsMarking; an empty one is simply unanswered (nothing to mark).
"""

from __future__ import annotations

from typing import Any, ClassVar

from kiosk.builtins.qtypes.base import BuiltinType, blank, malformed, not_answered
from kiosk.builtins.qtypes.fields import check_unknown, is_number, is_text, json_text
from kiosk.domain.items import FieldError, Item
from kiosk.domain.scoring import Judgement, NeedsMarking
from kiosk.domain.texts import Text

RUBRIC_KEYS = {"criterion", "points", "description"}


def word_count(text: str) -> int:
    return len(text.split())


class Essay(BuiltinType):
    name: ClassVar[str] = "essay"
    title: ClassVar[Text] = Text("qtype.essay", "Esszé")
    human_marked: ClassVar[bool] = True
    fields: ClassVar[set[str]] = {"word_limit", "min_words", "rubric", "model_answer"}

    def check(self, item: Item, errors: list[FieldError]) -> None:
        spec = item.spec
        for key in ("word_limit", "min_words"):
            value = spec.get(key)
            if key in spec and (
                not isinstance(value, int)
                or isinstance(value, bool)
                or value < (1 if key == "word_limit" else 0)
            ):
                low = "a whole number ≥ 1" if key == "word_limit" else "a whole number ≥ 0"
                errors.append(FieldError(key, f"must be {low}, got {value!r}"))
        low, high = spec.get("min_words"), spec.get("word_limit")
        if isinstance(low, int) and isinstance(high, int) and low > high:
            errors.append(FieldError("min_words", f"{low} is above word_limit {high}"))
        if "model_answer" in spec and not isinstance(spec["model_answer"], str):
            errors.append(FieldError("model_answer", "must be a string"))
        if "rubric" not in spec:
            return
        rubric = spec["rubric"]
        if not isinstance(rubric, list) or not rubric:
            errors.append(FieldError("rubric", "must be a non-empty list of {criterion, points}"))
            return
        total = 0.0
        ok = True
        for i, row in enumerate(rubric, start=1):
            path = f"rubric[{i}]"
            if not isinstance(row, dict):
                errors.append(FieldError(path, f"must be a table, got {row!r}"))
                ok = False
                continue
            check_unknown(row, RUBRIC_KEYS, path, errors)
            if not is_text(row.get("criterion")):
                errors.append(FieldError(f"{path}.criterion", "missing or empty criterion"))
            points = row.get("points")
            if not is_number(points) or points <= 0:
                errors.append(FieldError(f"{path}.points", f"must be a number > 0, got {points!r}"))
                ok = False
            else:
                total += points
        if ok and abs(total - item.points) > 1e-9:
            errors.append(
                FieldError(
                    "rubric",
                    f"rubric points add up to {total:g}, the item is worth {item.points:g}",
                )
            )

    def judge(self, item: Item, response: Any) -> Judgement | NeedsMarking:
        if blank(response):
            return not_answered(1)
        if not isinstance(response, str):
            return malformed(1, response, wrong=1)
        return NeedsMarking("essay: marked by an examiner against the rubric")

    def is_answered(self, item: Item, response: Any) -> bool:
        return not blank(response)

    def correct_response(self, item: Item) -> Any:
        answer = item.spec.get("model_answer")
        return answer if isinstance(answer, str) else None

    def render_item(self, item: Item, presentation: dict[str, Any] | None = None) -> str:
        limits = []
        if isinstance(item.spec.get("min_words"), int):
            limits.append(f"legalább {item.spec['min_words']} szó")
        if isinstance(item.spec.get("word_limit"), int):
            limits.append(f"legfeljebb {item.spec['word_limit']} szó")
        text = item.stem.rstrip()
        return f"{text}\n\n({', '.join(limits)})" if limits else text

    def render_response(self, item: Item, response: Any) -> str:
        if response is None:
            return ""
        if not isinstance(response, str):
            return json_text(response)
        count = word_count(response)
        notes = [f"{count} szó"]
        limit = item.spec.get("word_limit")
        if isinstance(limit, int) and count > limit:
            notes.append(f"túllépi a {limit} szavas korlátot")
        low = item.spec.get("min_words")
        if isinstance(low, int) and count < low:
            notes.append(f"kevesebb a minimum {low} szónál")
        return f"{response}\n\n({'; '.join(notes)})"

    def widget(self, item: Item, presentation: dict[str, Any], response: Any) -> Any:
        from kiosk.builtins.qtypes.essay_widget import EssayWidget

        return EssayWidget(item, presentation, response)
