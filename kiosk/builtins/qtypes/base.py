"""What every built-in type shares: unknown-field checks, the shape of odd judgements and of
responses that are tables ({entry id: answer})."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any, ClassVar

from kiosk.builtins.qtypes.fields import check_unknown, json_text
from kiosk.domain.items import FieldError, Item
from kiosk.domain.qtypes import QuestionType
from kiosk.domain.scoring import Judgement


class BuiltinType(QuestionType):
    #: The type's own fields; anything else in the spec is reported (typos must not pass silently).
    fields: ClassVar[set[str]] = set()

    def validate(self, item: Item) -> list[FieldError]:
        errors: list[FieldError] = []
        if not isinstance(item.spec, dict):
            return [FieldError("spec", "the type's fields must be a table")]
        check_unknown(item.spec, self.fields, "", errors)
        self.check(item, errors)
        return errors

    def check(self, item: Item, errors: list[FieldError]) -> None:
        """Append the type's own field errors."""

    def normalise(self, item: Item) -> Item:
        return dataclasses.replace(item, spec=self.normalise_spec(dict(item.spec)))

    def normalise_spec(self, spec: dict[str, Any]) -> dict[str, Any]:
        return spec


def not_answered(keys: int, mapped: float | None = None) -> Judgement:
    return Judgement(keys=keys, right=0, wrong=0, answered=False, mapped=mapped)


def malformed(
    keys: int,
    response: Any,
    *,
    wrong: int = 0,
    mapped: float | None = None,
    fraction: float | None = None,
) -> Judgement:
    """A response of the wrong shape: answered, earns nothing, kept visible for review."""
    return Judgement(
        keys=keys,
        right=0,
        wrong=wrong,
        answered=True,
        mapped=mapped,
        fraction=fraction,
        detail={"malformed": True, "response": repr(response)},
    )


def clamp01(value: float) -> float:
    return max(0.0, min(1.0, value))


def blank(value: Any) -> bool:
    """None, an empty or whitespace-only string, an empty list or table."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, list | dict | tuple):
        return len(value) == 0
    return False


def answered_table(response: Any) -> bool:
    """A table response counts as answered once any one of its entries is."""
    if isinstance(response, dict):
        return any(not blank(v) for v in response.values())
    return not blank(response)


def render_table(response: Any, labels: Iterable[tuple[str, str]]) -> str:
    """A table response as one line `label` + answer per answered entry, in the order of `labels`
    ((entry id, label) pairs), so a reviewer reads it in bank order."""
    if blank(response):
        return ""
    if not isinstance(response, dict):
        return json_text(response)
    lines = []
    for key, label in labels:
        given = response.get(key)
        if not blank(given):
            shown = given if isinstance(given, str) else json_text(given)
            lines.append(f"{label}{shown}")
    return "\n".join(lines)
