"""How deeply a JSON text nests, counted before it is parsed: `json.loads` recurses, so a
100,000-deep line from a hostile terminal or a candidate's code would reach Python's recursion
limit inside the parser. Used by the centre service for request bodies and by runners' parents
for what candidate code reports."""

from __future__ import annotations


def nesting_within(text: str, limit: int) -> bool:
    """True when no array or object in `text` nests deeper than `limit` (brackets inside
    strings do not count)."""
    depth = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return False
        elif ch in "]}":
            depth -= 1
    return True
