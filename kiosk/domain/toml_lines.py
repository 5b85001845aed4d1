"""Line numbers for TOML data: tomllib gives none, so errors find them by scanning the text.

A heuristic that is right for the way banks and exams are written by hand (one `key = value` per
line, `[[items]]` / `[[parts.draw]]` headers, arrays of inline tables one per line); when it cannot
tell, it falls back to the enclosing table's header line.
"""

from __future__ import annotations

import bisect
import re
import tomllib
from dataclasses import dataclass
from typing import Any

_HEADER_RE = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\- ]+?)\s*\]\]?\s*(#.*)?$")
_AT_RE = re.compile(r"\s*\(at line (\d+), column \d+\)")
_PATH_RE = re.compile(r"^([A-Za-z0-9_-]+)(?:\[(\d+)\])?(?:\.(.+))?$")


def syntax_error(exc: tomllib.TOMLDecodeError, text: str) -> tuple[int, str]:
    """(line, reason) from tomllib's message, e.g. "... (at line 5, column 3)"."""
    message = str(exc)
    m = _AT_RE.search(message)
    if m:
        return int(m.group(1)), _AT_RE.sub("", message).strip()
    # "(at end of document)"
    return max(1, text.count("\n") + 1), message.replace(" (at end of document)", " at end of file")


@dataclass(frozen=True)
class Block:
    """Lines [start, end) of one table; `start` is its header line (1-based)."""

    start: int
    end: int


class SourceLines:
    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        # (line number, header name) for every table header, in order
        self.headers: list[tuple[int, str]] = []
        in_multiline = False
        for n, line in enumerate(self.lines, start=1):
            # Headers inside a multi-line string are text, not tables.
            if ('"""' in line or "'''" in line) and (
                    line.count('"""') % 2 == 1 or line.count("'''") % 2 == 1):
                in_multiline = not in_multiline
                continue
            if in_multiline or not line.lstrip().startswith("["):
                continue
            m = _HEADER_RE.match(line)
            if m:
                self.headers.append((n, m.group(1).replace(" ", "")))
        # Header line numbers alone, for bisecting: every lookup below is a binary search
        # plus a scan of its own block, so a 100,000-item bank is checked in linear time.
        self._lines = [n for n, _ in self.headers]

    def _headers_between(self, lo: int, hi: int) -> range:
        """Indexes into `headers` of the headers on lines lo < n < hi."""
        return range(bisect.bisect_right(self._lines, lo), bisect.bisect_left(self._lines, hi))

    @property
    def last(self) -> int:
        return max(1, len(self.lines))

    def blocks(self, name: str, within: Block | None = None) -> list[Block]:
        """The `[[name]]` tables (in order), each up to the next table of the same or an outer
        kind, e.g. `[[items]]` blocks include their `[[items.options]]` sub-tables."""
        lo, hi = (within.start, within.end) if within else (0, self.last + 1)
        prefix = name + "."
        out = []
        indexes = range(bisect.bisect_left(self._lines, lo), bisect.bisect_left(self._lines, hi))
        for i in indexes:
            n, h = self.headers[i]
            if h != name:
                continue
            end = hi
            # Only this block's own sub-table headers are skipped: linear over the file.
            for j in range(i + 1, len(self.headers)):
                if not self.headers[j][1].startswith(prefix):
                    end = min(end, self.headers[j][0])
                    break
            out.append(Block(n, end))
        return out

    def block(self, name: str, index: int, within: Block | None = None) -> Block | None:
        found = self.blocks(name, within)
        return found[index] if 0 <= index < len(found) else None

    def own_end(self, block: Block) -> int:
        """End of the block's own keys: the first sub-table header after its start."""
        inside = self._headers_between(block.start, block.end)
        return self.headers[inside[0]][0] if inside else block.end

    def key_line(self, block: Block, key: str) -> int | None:
        pattern = re.compile(rf"""^\s*(?:{re.escape(key)}|"{re.escape(key)}"|'{re.escape(key)}')\s*[=.]""")
        for n in range(block.start + (1 if block.start else 0), self.own_end(block)):
            if 1 <= n <= len(self.lines) and pattern.match(self.lines[n - 1]):
                return n
        return None

    def field_line(self, block: Block, table: str, path: str) -> int:
        """Best line for a field path like `options[2].text` inside the `[[table]]` block.

        Indexes are 1-based, as question types write them (`options[2]` is the second)."""
        m = _PATH_RE.match(path)
        if not m:
            return block.start
        key, index, rest = m.group(1), m.group(2), m.group(3)
        sub = f"{table}.{key}"
        if any(self.headers[i][1] == sub for i in self._headers_between(block.start, block.end)):
            i = int(index) - 1 if index is not None else 0
            sub_block = self.block(sub, i, block)
            if sub_block is None:
                return block.start
            if rest:
                inner = _PATH_RE.match(rest)
                if inner:
                    line = self.key_line(sub_block, inner.group(1))
                    if line:
                        return line
            return sub_block.start
        line = self.key_line(block, key)
        if line is None:
            return block.start
        if index is not None:
            entry = self._array_entry(line, int(index) - 1)
            if entry:
                return entry
        return line

    def _array_entry(self, key_line: int, index: int) -> int | None:
        """Line of the index-th entry of a multi-line array that starts at `key_line`."""
        first = self.lines[key_line - 1]
        if first.rstrip().endswith("]"):
            return None
        count = 0
        for n in range(key_line + 1, len(self.lines) + 1):
            stripped = self.lines[n - 1].strip()
            if stripped.startswith("]"):
                return None
            if stripped and not stripped.startswith("#"):
                if count == index:
                    return n
                count += 1
        return None


#: Deepest nesting of arrays, inline tables and tables a bank, exam or scale may use. Real
#: content needs four or five; tomllib (and anything walking its result recursively) fails
#: with RecursionError near a thousand, which must be a clear error, not a traceback.
MAX_DEPTH = 32


def loads(text: str, max_depth: int = MAX_DEPTH) -> dict[str, Any]:
    """tomllib.loads with a nesting limit. Too deep: TOMLDecodeError whose message names the
    line and column the way tomllib's own do, so callers report it like any syntax error."""
    try:
        data: dict[str, Any] | None = tomllib.loads(text)
    except RecursionError:
        data = None
    if data is None or _data_depth(data) > max_depth:
        # Only now the scan for where (a bank of 100,000 items pays nothing for it).
        where = _too_deep_at(text, max_depth)
        if where is not None:
            raise tomllib.TOMLDecodeError(
                f"arrays or inline tables nested deeper than {max_depth} levels "
                f"(at line {where[0]}, column {where[1]})")
        # Dotted keys and table headers nest too (`a.b.c.d… = 1`).
        raise tomllib.TOMLDecodeError(f"keys or tables nested deeper than {max_depth} levels")
    return data


_SCAN_RE = re.compile(r"""[\[\]{}"'#]""")
_BASIC_END_RE = re.compile(r'(?:[^"\\\n]|\\.)*(?:"|\n|$)')
_ML_BASIC_END_RE = re.compile(r'(?:[^"\\]|\\.|"(?!""))*(?:"""|$)', re.S)
_NL = "\n"


def _too_deep_at(text: str, max_depth: int) -> tuple[int, int] | None:
    """(line, column) where `[`/`{` nesting outside strings and comments first exceeds
    max_depth. One regex-driven pass (a 100,000-item bank is megabytes); a `[table]` header
    closes on its own line, so only nested values count."""
    depth = 0
    search = _SCAN_RE.search
    i = 0
    while (m := search(text, i)) is not None:
        i = m.start()
        c = text[i]
        if c == "#":
            j = text.find(_NL, i)
            i = len(text) if j < 0 else j
        elif c == '"':
            if text.startswith('"' * 3, i):
                i = _ML_BASIC_END_RE.match(text, i + 3).end()  # type: ignore[union-attr]
            else:
                i = _BASIC_END_RE.match(text, i + 1).end()  # type: ignore[union-attr]
        elif c == "'":
            quote = "'" * 3 if text.startswith("'" * 3, i) else "'"
            j = text.find(quote, i + len(quote))
            if len(quote) == 1:
                newline = text.find(_NL, i + 1)
                if newline >= 0 and (j < 0 or newline < j):
                    j = newline  # unterminated: tomllib reports it
            i = len(text) if j < 0 else j + len(quote)
        elif c in "[{":
            depth += 1
            if depth > max_depth:
                return text.count(_NL, 0, i) + 1, i - text.rfind(_NL, 0, i)
            i += 1
        else:
            depth = max(0, depth - 1)
            i += 1
    return None


def _data_depth(data: Any) -> int:
    """Nesting depth of parsed TOML, without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 0)]  # the document itself is no nesting
    while stack:
        value, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values() if isinstance(v, dict | list))
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value if isinstance(v, dict | list))
    return deepest
