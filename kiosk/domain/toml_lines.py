"""Line numbers for TOML data: tomllib gives none, so errors find them by scanning the text.

A heuristic that is right for the way banks and exams are written by hand (one `key = value` per
line, `[[items]]` / `[[parts.draw]]` headers, arrays of inline tables one per line); when it cannot
tell, it falls back to the enclosing table's header line.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass

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
            if line.count('"""') % 2 == 1 or line.count("'''") % 2 == 1:
                in_multiline = not in_multiline
                continue
            if in_multiline:
                continue
            m = _HEADER_RE.match(line)
            if m:
                self.headers.append((n, m.group(1).replace(" ", "")))

    @property
    def last(self) -> int:
        return max(1, len(self.lines))

    def blocks(self, name: str, within: Block | None = None) -> list[Block]:
        """The `[[name]]` tables (in order), each up to the next table of the same or an outer
        kind, e.g. `[[items]]` blocks include their `[[items.options]]` sub-tables."""
        lo, hi = (within.start, within.end) if within else (0, self.last + 1)
        starts = [n for n, h in self.headers if h == name and lo <= n < hi]
        out = []
        for s in starts:
            end = hi
            for n, h in self.headers:
                if n > s and not h.startswith(name + "."):
                    end = min(end, n)
                    break
            out.append(Block(s, end))
        return out

    def block(self, name: str, index: int, within: Block | None = None) -> Block | None:
        found = self.blocks(name, within)
        return found[index] if 0 <= index < len(found) else None

    def own_end(self, block: Block) -> int:
        """End of the block's own keys: the first sub-table header after its start."""
        for n, _ in self.headers:
            if block.start < n < block.end:
                return n
        return block.end

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
        if any(h == sub for n, h in self.headers if block.start < n < block.end):
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
