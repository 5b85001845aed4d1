"""cloze: a stem with gaps written `[[gap-id]]`.

Each gap is free text (`answers`, compared like short_text; `case_sensitive`,
`normalise_whitespace` and `ignore_accents` may be set for the whole item or per gap) or a choice
(`options` and the `correct` text) or a number (`numbers`: answers as the numeric type has them,
`{value, tolerance, relative, weight}` or `{min, max, weight}`; "4,0" and "4" are the same
number). keys = gaps, right = gaps right, wrong = 0. When any gap
carries `points` (the others share what is left equally) or a weighted answer, the fraction is
the points earned over the total gap points.
"""

from __future__ import annotations

import random
import re
from typing import Any, ClassVar

from kiosk.builtins.qtypes import textmatch
from kiosk.builtins.qtypes.base import (
    BuiltinType,
    answered_table,
    blank,
    malformed,
    not_answered,
    render_table,
)
from kiosk.builtins.qtypes.fields import (
    check_ids,
    check_unknown,
    is_number,
    is_text,
    letter,
    same_text,
    table_list,
)
from kiosk.builtins.qtypes.mapping import mapped_value, validate_mapping
from kiosk.domain.items import FieldError, Item, default_ids
from kiosk.domain.scoring import Judgement
from kiosk.domain.texts import Text

PLACEHOLDER = re.compile(r"\[\[([^\[\]\n]*)\]\]")
GAP_KEYS = {"id", "answers", "options", "numbers", "correct", "points", "feedback",
            *textmatch.OPTION_KEYS}


def placeholders(stem: str) -> list[str]:
    return [m.group(1).strip() for m in PLACEHOLDER.finditer(stem)]


def gaps_of(item: Item) -> list[dict[str, Any]]:
    raw = item.spec.get("gaps")
    return default_ids([g for g in raw if isinstance(g, dict)]) if isinstance(raw, list) else []


def gap_points(item: Item, gaps: list[dict[str, Any]]) -> dict[str, float]:
    """Each gap's points: as given, else an equal share of what the given ones leave."""
    given = {g["id"]: float(g["points"]) for g in gaps if is_number(g.get("points"))}
    rest = [g["id"] for g in gaps if g["id"] not in given]
    if not given:
        return {g["id"]: 1.0 for g in gaps}
    share = max(0.0, float(item.points) - sum(given.values())) / len(rest) if rest else 0.0
    return {g["id"]: given.get(g["id"], share) for g in gaps}


def _number_weight(gap: dict[str, Any], given: str) -> float:
    from kiosk.builtins.qtypes.numeric import answer_weight, parse_typed

    parsed = parse_typed(given)
    if parsed is None or parsed[1]:
        return 0.0
    weights = [w for a in gap.get("numbers", []) if isinstance(a, dict)
               if (w := answer_weight(a, parsed[0])) is not None]
    return max(0.0, min(1.0, max(weights, default=0.0)))


def _gap_weight(gap: dict[str, Any], given: Any, item_options: textmatch.TextOptions) -> float:
    if not isinstance(given, str) or blank(given):
        return 0.0
    if "numbers" in gap:
        return _number_weight(gap, given)
    if "options" in gap:
        correct = gap.get("correct")
        return 1.0 if isinstance(correct, str) and same_text(given) == same_text(correct) else 0.0
    options = textmatch.TextOptions.from_spec(gap, item_options)
    best = textmatch.best_answer(textmatch.parse_answers(gap.get("answers")), given, options)
    return max(0.0, min(1.0, best.weight)) if best else 0.0


class Cloze(BuiltinType):
    name: ClassVar[str] = "cloze"
    title: ClassVar[Text] = Text("qtype.cloze", "Kiegészítés")
    fields: ClassVar[set[str]] = {"gaps", "mapping", *textmatch.OPTION_KEYS}

    def check(self, item: Item, errors: list[FieldError]) -> None:
        textmatch.validate_text_options(item.spec, "", errors)
        raw = table_list(
            item.spec, "gaps", errors, what="gaps ({id, answers} or {id, options, correct})"
        )
        if raw is None:
            return
        check_ids(raw, "gaps", errors)
        gaps = default_ids(raw)
        in_stem = placeholders(item.stem)
        ids = {g["id"] for g in gaps}
        seen: set[str] = set()
        for name in in_stem:
            if name in seen:
                errors.append(FieldError("stem", f"placeholder [[{name}]] appears more than once"))
            seen.add(name)
            if name not in ids:
                errors.append(FieldError("stem", f"placeholder [[{name}]] has no gap in gaps"))
        validate_mapping(item.spec, ids, errors)
        given_points = 0.0
        all_given = True
        for i, gap in enumerate(gaps, start=1):
            path = f"gaps[{i}]"
            check_unknown(raw[i - 1], GAP_KEYS, path, errors)
            if gap["id"] not in seen:
                errors.append(
                    FieldError(
                        f"{path}.id", f"gap {gap['id']!r} is not in the stem as [[{gap['id']}]]"
                    )
                )
            self._check_gap(gap, path, errors)
            if "points" in gap:
                if not is_number(gap["points"]) or gap["points"] <= 0:
                    errors.append(
                        FieldError(f"{path}.points", f"must be a number > 0, got {gap['points']!r}")
                    )
                else:
                    given_points += gap["points"]
            else:
                all_given = False
        if given_points and all_given and abs(given_points - item.points) > 1e-9:
            errors.append(
                FieldError(
                    "gaps",
                    f"gap points add up to {given_points:g}, the item is worth {item.points:g}",
                )
            )
        elif given_points and not all_given and given_points >= item.points:
            errors.append(
                FieldError(
                    "gaps",
                    f"gap points add up to {given_points:g}, leaving nothing of the item's "
                    f"{item.points:g} for the gaps without points",
                )
            )

    def _check_gap(self, gap: dict[str, Any], path: str, errors: list[FieldError]) -> None:
        textmatch.validate_text_options(gap, path, errors)
        if sum(key in gap for key in ("options", "answers", "numbers")) > 1:
            errors.append(FieldError(
                path, "give one of answers (free text), options or numbers, not several"))
        elif "numbers" in gap:
            self._check_numbers(gap["numbers"], f"{path}.numbers", errors)
        elif "options" in gap:
            options = gap["options"]
            if not isinstance(options, list) or len(options) < 2:
                errors.append(FieldError(f"{path}.options", "must be a list of at least 2 texts"))
                return
            seen: set[str] = set()
            for j, text in enumerate(options, start=1):
                if not is_text(text):
                    errors.append(
                        FieldError(
                            f"{path}.options[{j}]", f"must be a non-empty string, got {text!r}"
                        )
                    )
                elif same_text(text) in seen:
                    errors.append(FieldError(f"{path}.options[{j}]", f"duplicate option {text!r}"))
                else:
                    seen.add(same_text(text))
            correct = gap.get("correct")
            if not isinstance(correct, str):
                errors.append(FieldError(f"{path}.correct", "missing: the correct option's text"))
            elif same_text(correct) not in seen:
                errors.append(
                    FieldError(f"{path}.correct", f"{correct!r} is not one of the options")
                )
        elif "answers" in gap:
            if "correct" in gap:
                errors.append(FieldError(f"{path}.correct", "only applies to a gap with options"))
            textmatch.validate_answers(gap["answers"], path, errors, type_name="a cloze gap")
        else:
            errors.append(FieldError(path, "needs answers (free text) or options and correct"))

    def _check_numbers(self, numbers: Any, path: str, errors: list[FieldError]) -> None:
        """The numeric type's answer checks, reused on a throwaway numeric item."""
        from kiosk.builtins.qtypes.numeric import Numeric

        if not isinstance(numbers, list) or not numbers:
            errors.append(FieldError(path, "must be a non-empty list of {value} or {min, max}"))
            return
        probe = Item(id="gap", type="numeric", topic="-", points=1, stem="-",
                     spec={"answers": numbers})
        for problem in Numeric().validate(probe):
            name = problem.field.replace("answers", path, 1)
            errors.append(FieldError(name, problem.reason))

    def normalise_spec(self, spec: dict[str, Any]) -> dict[str, Any]:
        spec["gaps"] = default_ids(spec.get("gaps", []))
        return spec

    def judge(self, item: Item, response: Any) -> Judgement:
        gaps = gaps_of(item)
        keys = len(gaps)
        if not answered_table(response):
            return not_answered(keys, mapped_value(item, []))
        fractional = any("points" in g for g in gaps) or any(
            a.weight != 1 for g in gaps for a in textmatch.parse_answers(g.get("answers"))
        ) or any(
            isinstance(a, dict) and a.get("weight", 1) != 1
            for g in gaps for a in (g.get("numbers") if isinstance(g.get("numbers"), list) else [])
        )
        if not isinstance(response, dict):
            return malformed(
                keys, response, mapped=mapped_value(item, []), fraction=0.0 if fractional else None
            )
        item_options = textmatch.TextOptions.from_spec(item.spec)
        weights = {g["id"]: _gap_weight(g, response.get(g["id"]), item_options) for g in gaps}
        points = gap_points(item, gaps)
        total = sum(points.values())
        hits = [gid for gid, w in weights.items() if w >= 1]
        fraction = None
        if fractional:
            fraction = sum(points[gid] * w for gid, w in weights.items()) / total if total else 0.0
        return Judgement(
            keys=keys,
            right=len(hits),
            wrong=0,
            mapped=mapped_value(item, hits),
            fraction=fraction,
            detail={
                "gaps": {gid: w >= 1 for gid, w in weights.items()},
                "correct": self.correct_response(item),
            },
        )

    def is_answered(self, item: Item, response: Any) -> bool:
        return answered_table(response)

    def is_complete(self, item: Item, response: Any) -> bool:
        if not isinstance(response, dict):
            return False
        return all(isinstance(response.get(g["id"]), str) and response[g["id"]].strip()
                   for g in gaps_of(item))

    def presentation(self, item: Item, rng: random.Random, shuffle: bool) -> dict[str, Any]:
        out: dict[str, list[str]] = {}
        for gap in gaps_of(item):
            options = gap.get("options")
            if isinstance(options, list):
                order = [o for o in options if isinstance(o, str)]
                if shuffle:
                    rng.shuffle(order)
                out[gap["id"]] = order
        return {"gaps": out}

    def correct_response(self, item: Item) -> Any:
        item_options = textmatch.TextOptions.from_spec(item.spec)
        out: dict[str, Any] = {}
        for gap in gaps_of(item):
            if "options" in gap:
                out[gap["id"]] = gap.get("correct")
                continue
            if "numbers" in gap:
                from kiosk.builtins.qtypes.numeric import Numeric

                probe = Item(id="gap", type="numeric", topic="-", points=1, stem="-",
                             spec={"answers": gap["numbers"]})
                out[gap["id"]] = Numeric().correct_response(probe)
                continue
            answers = textmatch.parse_answers(gap.get("answers"))
            if answers:
                best = max(answers, key=lambda a: a.weight)
                options = textmatch.TextOptions.from_spec(gap, item_options)
                out[gap["id"]] = textmatch.example(best.text, options)
        return out

    def render_item(self, item: Item, presentation: dict[str, Any] | None = None) -> str:
        by_id = {g["id"]: g for g in gaps_of(item)}
        orders = (presentation or {}).get("gaps")
        orders = orders if isinstance(orders, dict) else {}

        def fill(match: re.Match[str]) -> str:
            gid = match.group(1).strip()
            gap = by_id.get(gid, {})
            options = orders.get(gid, gap.get("options"))
            if isinstance(options, list):
                listed = " / ".join(f"{letter(n)}. {o}" for n, o in enumerate(options))
                return f"[{gid}: {listed}]"
            return f"[{gid}: ________]"

        return PLACEHOLDER.sub(fill, item.stem)

    def render_response(self, item: Item, response: Any) -> str:
        return render_table(response, ((g["id"], f"{g['id']}: ") for g in gaps_of(item)))

    def widget(self, item: Item, presentation: dict[str, Any], response: Any) -> Any:
        from kiosk.builtins.qtypes.cloze_widget import ClozeWidget

        return ClozeWidget(item, presentation, response)
