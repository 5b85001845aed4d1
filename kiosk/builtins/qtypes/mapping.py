"""QTI-style `mapping` (map_response): points per response value, summed and bounded.

Which values a response "hits" is up to the type: chosen option ids (single_choice,
multiple_response), "true"/"false" (true_false), ids of pairs matched correctly (matching) and ids
of gaps answered right (cloze). A hit without an entry counts `default`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kiosk.builtins.qtypes.fields import is_number
from kiosk.domain.items import FieldError, Item

MAPPING_KEYS = {"entries", "default", "lower_bound", "upper_bound"}


def validate_mapping(spec: dict[str, Any], known_ids: set[str], errors: list[FieldError]) -> None:
    if "mapping" not in spec:
        return
    mapping = spec["mapping"]
    if not isinstance(mapping, dict):
        errors.append(FieldError("mapping", f"must be a table, got {mapping!r}"))
        return
    for key in mapping:
        if key not in MAPPING_KEYS:
            known = ", ".join(sorted(MAPPING_KEYS))
            errors.append(FieldError(f"mapping.{key}", f"unknown field (known: {known})"))
    entries = mapping.get("entries")
    if not isinstance(entries, dict) or not entries:
        errors.append(FieldError("mapping.entries", "must be a non-empty table of id = points"))
    else:
        for key, value in entries.items():
            if known_ids and str(key) not in known_ids:
                ids = ", ".join(sorted(known_ids))
                errors.append(FieldError(f"mapping.entries.{key}", f"no such id (known: {ids})"))
            if not is_number(value):
                errors.append(
                    FieldError(f"mapping.entries.{key}", f"must be a number, got {value!r}")
                )
    for key in ("default", "lower_bound", "upper_bound"):
        if key in mapping and not is_number(mapping[key]):
            errors.append(FieldError(f"mapping.{key}", f"must be a number, got {mapping[key]!r}"))
    low, high = mapping.get("lower_bound"), mapping.get("upper_bound")
    if is_number(low) and is_number(high) and low > high:
        errors.append(FieldError("mapping.lower_bound", f"{low:g} is above upper_bound {high:g}"))


def mapped_value(item: Item, hits: Iterable[str]) -> float | None:
    """Sum of the mapping over distinct hits, clamped to the mapping's bounds; None without one."""
    mapping = item.spec.get("mapping")
    if not isinstance(mapping, dict):
        return None
    entries = mapping.get("entries") if isinstance(mapping.get("entries"), dict) else {}
    default = mapping.get("default", 0.0)
    default = float(default) if is_number(default) else 0.0
    total = 0.0
    for hit in dict.fromkeys(hits):  # each value counts once, as in QTI
        value = entries.get(hit, default)
        total += float(value) if is_number(value) else default
    low, high = mapping.get("lower_bound"), mapping.get("upper_bound")
    if is_number(low):
        total = max(float(low), total)
    if is_number(high):
        total = min(float(high), total)
    return total
