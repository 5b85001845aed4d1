"""Write calibrated difficulties into a bank file, line by line, so the author's comments and
layout stay as they were: each `[[items]]` table whose `id` has a value gets its `difficulty`
line replaced, or one added after its `id` line. The result is parsed again and checked before
anyone writes it (kiosk.stats gives the values: the share of an item an average candidate is
expected to miss, 0–1, from the Rasch calibration)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping

_TABLE = re.compile(r"^\s*\[")
_ITEMS = re.compile(r"^\s*\[\[\s*items\s*\]\]\s*(#.*)?$")
_ID = re.compile(r"""^\s*id\s*=\s*(?:"([^"]*)"|'([^']*)')\s*(#.*)?$""")
_DIFFICULTY = re.compile(r"^\s*difficulty\s*=")


class BankEditError(ValueError):
    """The bank file cannot be edited safely (one line naming why)."""


def set_difficulties(text: str, values: Mapping[str, float]) -> tuple[str, list[str]]:
    """(new text, item ids of `values` not found in the bank). Values are rounded to 3 places."""
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    seen: set[str] = set()
    in_item = False
    pending: str | None = None  # the id of the current item, until its difficulty is written
    id_index = -1

    def close_item() -> None:
        nonlocal pending
        if pending is not None and id_index >= 0:
            out.insert(id_index + 1, f"difficulty = {values[pending]:.3f}\n")
        pending = None

    for line in lines:
        if _TABLE.match(line):
            close_item()
            in_item = bool(_ITEMS.match(line))
            out.append(line)
            continue
        if in_item:
            m = _ID.match(line)
            if m:
                item_id = m.group(1) if m.group(1) is not None else m.group(2)
                out.append(line if line.endswith("\n") else line + "\n")
                if item_id in values:
                    seen.add(item_id)
                    pending, id_index = item_id, len(out) - 1
                continue
            if pending is not None and _DIFFICULTY.match(line):
                out.append(f"difficulty = {values[pending]:.3f}\n")
                pending = None
                continue
        out.append(line)
    close_item()
    new = "".join(out)
    try:
        data = tomllib.loads(new)
    except tomllib.TOMLDecodeError as exc:
        raise BankEditError(f"the edited bank would not parse ({exc}); nothing written") from None
    for raw in data.get("items", []):
        item_id = raw.get("id")
        if item_id in values and abs(raw.get("difficulty", -1) - round(values[item_id], 3)) > 1e-9:
            raise BankEditError(f"item {item_id!r}: its difficulty could not be set safely "
                                "(an unusual layout); nothing written")
    return new, sorted(set(values) - seen)
