"""Small checks shared by the question types' `validate` methods.

Field paths use 1-based indexes (`options[2].text` is the second option) because examiners count
entries in the TOML file that way and default ids are 1-based positions too.
"""

from __future__ import annotations

import math
import string
import unicodedata
from typing import Any

from kiosk.domain.items import FieldError


def is_number(value: Any) -> bool:
    # TOML booleans are ints in Python; `correct = true` must not pass as a weight of 1.
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def is_text(value: Any) -> bool:
    return isinstance(value, str) and value.strip() != ""


def same_text(text: str) -> str:
    """The form two texts are compared in: NFC (a typed and a pasted "ő" agree), no outer blanks."""
    return unicodedata.normalize("NFC", text).strip()


def letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: option labels in presentation order."""
    letters = string.ascii_uppercase
    label = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        label = letters[rem] + label
    return label


def check_unknown(
    entry: dict[str, Any], allowed: set[str], path: str, errors: list[FieldError]
) -> None:
    for key in entry:
        if key not in allowed:
            name = f"{path}.{key}" if path else str(key)
            known = ", ".join(sorted(allowed))
            errors.append(FieldError(name, f"unknown field (known: {known})"))


def check_bool(spec: dict[str, Any], key: str, path: str, errors: list[FieldError]) -> None:
    if key in spec and not isinstance(spec[key], bool):
        errors.append(FieldError(join(path, key), f"must be true or false, got {spec[key]!r}"))


def check_weight(
    entry: dict[str, Any], path: str, errors: list[FieldError], low: float = 0.0
) -> None:
    if "weight" not in entry:
        return
    w = entry["weight"]
    if not is_number(w) or not low <= w <= 1:
        errors.append(
            FieldError(join(path, "weight"), f"must be a number from {low:g} to 1, got {w!r}")
        )


def check_penalty(spec: dict[str, Any], errors: list[FieldError]) -> None:
    if "penalty" in spec and (not is_number(spec["penalty"]) or spec["penalty"] < 0):
        errors.append(FieldError("penalty", f"must be a number ≥ 0, got {spec['penalty']!r}"))


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def table_list(
    spec: dict[str, Any], key: str, errors: list[FieldError], *, what: str
) -> list[dict[str, Any]] | None:
    """The list of tables under `key`, or None (with an error) when it is missing or malformed."""
    value = spec.get(key)
    if value is None:
        errors.append(FieldError(key, f"missing: {what}"))
        return None
    if not isinstance(value, list) or not value:
        errors.append(FieldError(key, f"must be a non-empty list of {what}"))
        return None
    ok = True
    for i, entry in enumerate(value, start=1):
        if not isinstance(entry, dict):
            errors.append(FieldError(f"{key}[{i}]", f"must be a table, got {entry!r}"))
            ok = False
    return value if ok else None


def check_ids(entries: list[dict[str, Any]], key: str, errors: list[FieldError]) -> None:
    """Explicit ids must be unique strings or integers, and must not clash with defaulted ones."""
    seen: dict[str, int] = {}
    for i, entry in enumerate(entries, start=1):
        raw = entry.get("id", str(i))
        if isinstance(raw, bool) or not isinstance(raw, str | int) or str(raw).strip() == "":
            errors.append(FieldError(f"{key}[{i}].id", f"must be a non-empty string, got {raw!r}"))
            continue
        ident = str(raw)
        if ident in seen:
            errors.append(
                FieldError(f"{key}[{i}].id", f"duplicate id {ident!r} (also {key}[{seen[ident]}])")
            )
        else:
            seen[ident] = i


def json_text(response: Any) -> str:
    """A malformed response shown as-is so a reviewer sees what was stored."""
    return f"<malformed response: {response!r}>"
