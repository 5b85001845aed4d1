"""matching: give each left-hand entry its right-hand text.

keys = pairs, right = pairs matched correctly, wrong = 0 (a wrong match simply is not right).
Distractors are extra right-hand texts that belong to no pair. Responses name pairs by id and
right-hand entries by text, so right-hand texts (distractors included) must be distinct.
"""

from __future__ import annotations

import random
from typing import Any, ClassVar

from kiosk.builtins.qtypes.base import (
    BuiltinType,
    answered_table,
    malformed,
    not_answered,
    render_table,
)
from kiosk.builtins.qtypes.fields import (
    check_ids,
    check_unknown,
    is_text,
    letter,
    same_text,
    table_list,
)
from kiosk.builtins.qtypes.mapping import mapped_value, validate_mapping
from kiosk.domain.items import FieldError, Item, default_ids
from kiosk.domain.scoring import Judgement
from kiosk.domain.texts import Text

PAIR_KEYS = {"id", "left", "right"}


def pairs_of(item: Item) -> list[dict[str, Any]]:
    raw = item.spec.get("pairs")
    return default_ids([p for p in raw if isinstance(p, dict)]) if isinstance(raw, list) else []


def distractors_of(item: Item) -> list[str]:
    raw = item.spec.get("distractors", [])
    return [d for d in raw if isinstance(d, str)] if isinstance(raw, list) else []


class Matching(BuiltinType):
    name: ClassVar[str] = "matching"
    title: ClassVar[Text] = Text("qtype.matching", "Párosítás")
    fields: ClassVar[set[str]] = {"pairs", "distractors", "mapping"}

    def check(self, item: Item, errors: list[FieldError]) -> None:
        pairs = table_list(item.spec, "pairs", errors, what="pairs ({left, right})")
        rights: dict[str, str] = {}
        lefts: dict[str, str] = {}
        for i, pair in enumerate(pairs or [], start=1):
            path = f"pairs[{i}]"
            check_unknown(pair, PAIR_KEYS, path, errors)
            for side, seen in (("left", lefts), ("right", rights)):
                text = pair.get(side)
                if not is_text(text):
                    errors.append(
                        FieldError(f"{path}.{side}", f"missing or empty {side}-hand text")
                    )
                elif same_text(text) in seen:
                    errors.append(
                        FieldError(f"{path}.{side}", f"same text as {seen[same_text(text)]}: {text!r}")
                    )
                else:
                    seen[same_text(text)] = f"{path}.{side}"
        if pairs is not None:
            check_ids(pairs, "pairs", errors)
            validate_mapping(item.spec, {p["id"] for p in default_ids(pairs)}, errors)
        raw = item.spec.get("distractors", [])
        if not isinstance(raw, list):
            errors.append(FieldError("distractors", "must be a list of right-hand texts"))
            return
        for i, text in enumerate(raw, start=1):
            path = f"distractors[{i}]"
            if not is_text(text):
                errors.append(FieldError(path, f"must be a non-empty string, got {text!r}"))
            elif same_text(text) in rights:
                errors.append(FieldError(path, f"same text as {rights[same_text(text)]}: {text!r}"))
            else:
                rights[same_text(text)] = path

    def normalise_spec(self, spec: dict[str, Any]) -> dict[str, Any]:
        spec["pairs"] = default_ids(spec.get("pairs", []))
        spec.setdefault("distractors", [])
        return spec

    def judge(self, item: Item, response: Any) -> Judgement:
        pairs = pairs_of(item)
        keys = len(pairs)
        if not answered_table(response):
            return not_answered(keys, mapped_value(item, []))
        if not isinstance(response, dict):
            return malformed(keys, response, mapped=mapped_value(item, []))
        verdicts: dict[str, bool] = {}
        for pair in pairs:
            given = response.get(pair["id"])
            verdicts[pair["id"]] = (
                isinstance(given, str)
                and isinstance(pair.get("right"), str)
                and same_text(given) == same_text(pair["right"])
            )
        hits = [pid for pid, ok in verdicts.items() if ok]
        return Judgement(
            keys=keys,
            right=len(hits),
            wrong=0,
            mapped=mapped_value(item, hits),
            detail={"pairs": verdicts, "correct": self.correct_response(item)},
        )

    def is_answered(self, item: Item, response: Any) -> bool:
        return answered_table(response)

    def is_complete(self, item: Item, response: Any) -> bool:
        if not isinstance(response, dict):
            return False
        return all(isinstance(response.get(p["id"]), str) and response[p["id"]].strip()
                   for p in pairs_of(item))

    def presentation(self, item: Item, rng: random.Random, shuffle: bool) -> dict[str, Any]:
        rights = [p.get("right", "") for p in pairs_of(item)] + distractors_of(item)
        if shuffle:
            rng.shuffle(rights)
        else:
            # Bank order would line up with the left column and give the answer away.
            rights.sort(key=lambda t: (str(t).casefold(), str(t)))
        return {"left": [p["id"] for p in pairs_of(item)], "right": rights}

    def correct_response(self, item: Item) -> Any:
        return {p["id"]: p.get("right") for p in pairs_of(item)}

    def render_item(self, item: Item, presentation: dict[str, Any] | None = None) -> str:
        pairs = pairs_of(item)
        rights = (presentation or {}).get("right")
        if not isinstance(rights, list):
            rights = sorted(
                [p.get("right", "") for p in pairs] + distractors_of(item),
                key=lambda t: (str(t).casefold(), str(t)),
            )
        lines = [item.stem.rstrip(), ""]
        lines += [f"{n}. {p.get('left', '')}" for n, p in enumerate(pairs, start=1)]
        lines.append("")
        lines += [f"{letter(n)}. {text}" for n, text in enumerate(rights)]
        return "\n".join(lines)

    def render_response(self, item: Item, response: Any) -> str:
        return render_table(
            response, ((p["id"], f"{p.get('left', '')} → ") for p in pairs_of(item))
        )

    def widget(self, item: Item, presentation: dict[str, Any], response: Any) -> Any:
        from kiosk.builtins.qtypes.matching_widget import MatchingWidget

        return MatchingWidget(item, presentation, response)
