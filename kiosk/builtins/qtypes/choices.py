"""Options shared by single_choice and multiple_response: checks, ordering and rendering."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any, ClassVar, TypeVar

from kiosk.builtins.qtypes.base import BuiltinType, blank
from kiosk.builtins.qtypes.fields import (
    check_bool,
    check_ids,
    check_penalty,
    check_unknown,
    check_weight,
    is_number,
    is_text,
    letter,
    table_list,
)
from kiosk.builtins.qtypes.mapping import validate_mapping
from kiosk.domain.items import FieldError, Item, default_ids

OPTION_KEYS = {"id", "text", "correct", "weight", "fixed", "feedback"}
T = TypeVar("T")


def validate_options(
    spec: dict[str, Any], errors: list[FieldError], *, weight_low: float
) -> list[dict[str, Any]] | None:
    raw = table_list(spec, "options", errors, what="options ({text, correct})")
    if raw is None:
        return None
    if len(raw) < 2:
        errors.append(FieldError("options", f"needs at least 2 options, found {len(raw)}"))
    check_ids(raw, "options", errors)
    texts: dict[str, int] = {}
    for i, option in enumerate(raw, start=1):
        path = f"options[{i}]"
        check_unknown(option, OPTION_KEYS, path, errors)
        text = option.get("text")
        if not is_text(text):
            errors.append(FieldError(f"{path}.text", "missing or empty option text"))
        elif text.strip() in texts:
            errors.append(
                FieldError(f"{path}.text", f"same text as options[{texts[text.strip()]}]: {text!r}")
            )
        else:
            texts[text.strip()] = i
        for key in ("correct", "fixed"):
            check_bool(option, key, path, errors)
        check_weight(option, path, errors, low=weight_low)
        if "feedback" in option and not isinstance(option["feedback"], str):
            errors.append(FieldError(f"{path}.feedback", "must be a string"))
    return default_ids(raw)


def options_of(item: Item) -> list[dict[str, Any]]:
    """The item's options with ids, tolerating an item that skipped normalise."""
    raw = item.spec.get("options")
    if not isinstance(raw, list):
        return []
    return default_ids([o for o in raw if isinstance(o, dict)])


def weighted(options: list[dict[str, Any]]) -> bool:
    return any("weight" in o for o in options)


def weight_of(option: dict[str, Any]) -> float:
    """GIFT weight when given, else 1 for a correct option and 0 for a wrong one."""
    w = option.get("weight")
    if is_number(w):
        return float(w)
    return 1.0 if option.get("correct") is True else 0.0


def is_correct(option: dict[str, Any]) -> bool:
    if isinstance(option.get("correct"), bool):
        return bool(option["correct"])
    return weight_of(option) > 0


def shuffle_keeping_fixed(
    entries: Sequence[T], fixed: Sequence[bool], rng: random.Random
) -> list[T]:
    """Shuffle only the entries not marked fixed; fixed ones keep their position."""
    out = list(entries)
    free = [i for i, f in enumerate(fixed) if not f]
    moved = [out[i] for i in free]
    rng.shuffle(moved)
    for i, entry in zip(free, moved, strict=True):
        out[i] = entry
    return out


def presentation(item: Item, rng: random.Random, shuffle: bool) -> dict[str, Any]:
    options = options_of(item)
    ids = [o["id"] for o in options]
    if shuffle:
        ids = shuffle_keeping_fixed(ids, [o.get("fixed") is True for o in options], rng)
    return {"options": ids}


def ordered(item: Item, pres: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Options in presentation order; anything the presentation misses follows in bank order."""
    options = options_of(item)
    by_id = {o["id"]: o for o in options}
    wanted = (pres or {}).get("options")
    order = (
        [i for i in wanted if isinstance(i, str) and i in by_id] if isinstance(wanted, list) else []
    )
    order = list(dict.fromkeys(order))
    order += [o["id"] for o in options if o["id"] not in order]
    return [by_id[i] for i in order]


def render(item: Item, pres: dict[str, Any] | None) -> str:
    lines = [item.stem.rstrip(), ""]
    for n, option in enumerate(ordered(item, pres)):
        lines.append(f"{letter(n)}. {option.get('text', '')}")
    return "\n".join(lines)


def text_of(item: Item, option_id: Any) -> str:
    for option in options_of(item):
        if option["id"] == option_id:
            return str(option.get("text", ""))
    return f"<unknown option {option_id!r}>"


class ChoiceType(BuiltinType):
    """A type whose item is a list of options, with an optional penalty and mapping."""

    fields: ClassVar[set[str]] = {"options", "penalty", "mapping"}

    def check(self, item: Item, errors: list[FieldError]) -> None:
        options = validate_options(item.spec, errors, weight_low=-1.0)
        check_penalty(item.spec, errors)
        if options is None:
            return
        validate_mapping(item.spec, {o["id"] for o in options}, errors)
        self.check_options(options, errors)

    def check_options(self, options: list[dict[str, Any]], errors: list[FieldError]) -> None:
        """Append the errors of options that are each well-formed but wrong together."""

    def normalise_spec(self, spec: dict[str, Any]) -> dict[str, Any]:
        spec["options"] = default_ids(spec.get("options", []))
        return spec

    def is_answered(self, item: Item, response: Any) -> bool:
        return not blank(response)

    def presentation(self, item: Item, rng: random.Random, shuffle: bool) -> dict[str, Any]:
        return presentation(item, rng, shuffle)

    def render_item(self, item: Item, presentation: dict[str, Any] | None = None) -> str:
        return render(item, presentation)
