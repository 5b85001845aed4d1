"""Comparing typed text with accepted answers (short_text and cloze free-text gaps)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from kiosk.builtins.qtypes.fields import check_bool, check_weight, is_text, join
from kiosk.domain.items import FieldError

OPTION_KEYS = ("case_sensitive", "normalise_whitespace", "ignore_accents")
_WS = re.compile(r"\s+")


@dataclass(frozen=True)
class TextOptions:
    case_sensitive: bool = False
    normalise_whitespace: bool = True
    # Off by default: in Hungarian "kör" and "kor" are different words.
    ignore_accents: bool = False

    @classmethod
    def from_spec(cls, spec: dict[str, Any], parent: TextOptions | None = None) -> TextOptions:
        base = parent or cls()
        values = {}
        for key in OPTION_KEYS:
            value = spec.get(key, getattr(base, key))
            values[key] = value if isinstance(value, bool) else getattr(base, key)
        return cls(**values)


@dataclass(frozen=True)
class Answer:
    text: str
    weight: float = 1.0


def normalise_text(text: str, options: TextOptions) -> str:
    text = unicodedata.normalize("NFC", text)
    if options.normalise_whitespace:
        text = _WS.sub(" ", text).strip()
    if options.ignore_accents:
        # NFD splits ő into o + U+030B and ű into u + U+030B; dropping the marks strips them too.
        decomposed = unicodedata.normalize("NFD", text)
        text = unicodedata.normalize(
            "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
        )
    if not options.case_sensitive:
        text = text.casefold()
    return text


def _pattern(answer: str, options: TextOptions) -> re.Pattern[str]:
    # `\*` stays a literal asterisk (Moodle/GIFT convention); a bare `*` matches anything.
    pieces = re.split(r"(\\\*|\*)", normalise_text(answer, options))
    regex = "".join(
        ".*" if p == "*" else re.escape("*") if p == "\\*" else re.escape(p) for p in pieces
    )
    return re.compile(regex, re.DOTALL)


def answer_matches(answer: str, typed: str, options: TextOptions) -> bool:
    return _pattern(answer, options).fullmatch(normalise_text(typed, options)) is not None


def example(answer: str, options: TextOptions) -> str:
    """A typed text the answer accepts: each `*` filled with something it matches."""
    for filler in ("", "x"):
        candidate = answer.replace("\\*", "\0").replace("*", filler).replace("\0", "*")
        if answer_matches(answer, candidate, options):
            return candidate
    return answer


def parse_answers(raw: Any) -> list[Answer]:
    """Accepted answers from `["a", "b"]` or `[{text, weight}]`; skips malformed entries."""
    out: list[Answer] = []
    if not isinstance(raw, list):
        return out
    for entry in raw:
        if isinstance(entry, str):
            out.append(Answer(entry))
        elif isinstance(entry, dict) and isinstance(entry.get("text"), str):
            weight = entry.get("weight", 1.0)
            ok = isinstance(weight, int | float) and not isinstance(weight, bool)
            out.append(Answer(entry["text"], float(weight) if ok else 0.0))
    return out


def best_answer(answers: list[Answer], typed: str, options: TextOptions) -> Answer | None:
    """The matching answer with the highest weight, or None."""
    best: Answer | None = None
    for answer in answers:
        if answer_matches(answer.text, typed, options) and (
            best is None or answer.weight > best.weight
        ):
            best = answer
    return best


def validate_answers(raw: Any, path: str, errors: list[FieldError], *, type_name: str) -> None:
    key = join(path, "answers")
    if raw is None:
        errors.append(FieldError(key, "missing: the accepted answers"))
        return
    if not isinstance(raw, list) or not raw:
        errors.append(FieldError(key, "must be a non-empty list of answers"))
        return
    best = 0.0
    for i, entry in enumerate(raw, start=1):
        here = f"{key}[{i}]"
        if isinstance(entry, str):
            if not is_text(entry):
                errors.append(FieldError(here, "empty answer"))
            best = max(best, 1.0)
            continue
        if not isinstance(entry, dict):
            errors.append(FieldError(here, f"must be a string or a table, got {entry!r}"))
            continue
        for extra in entry:
            if extra not in ("text", "weight", "feedback"):
                errors.append(
                    FieldError(f"{here}.{extra}", "unknown field (known: text, weight, feedback)")
                )
        if not is_text(entry.get("text")):
            errors.append(FieldError(f"{here}.text", "missing or empty answer text"))
        check_weight(entry, here, errors)
        weight = entry.get("weight", 1.0)
        if isinstance(weight, int | float) and not isinstance(weight, bool):
            best = max(best, float(weight))
    if best < 1.0:
        errors.append(
            FieldError(
                key, f"{type_name} needs an answer worth full marks (weight 1), best is {best:g}"
            )
        )


def validate_text_options(spec: dict[str, Any], path: str, errors: list[FieldError]) -> None:
    for key in OPTION_KEYS:
        check_bool(spec, key, path, errors)
