"""What every built-in type shares: unknown-field checks and the shape of odd judgements."""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

from kiosk.builtins.qtypes.fields import check_unknown
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
