"""Aiken: a question line, lettered options (`A.` or `A)`), then `ANSWER: X`.

Moodle wants the question on one line; continuation lines before the first option are accepted
and joined. `ANSWER: A, C` (not in Moodle's Aiken) gives a multiple_response item. `A)text`
without a space is an option (Moodle accepts it); `A.text` is not (it would swallow "A.k.a.").
A malformed question is reported in `errors` (file:line and reason) and the reader resumes at
the next blank line, so the rest of the file imports.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kiosk.builtins.importers.common import (
    IdAllocator,
    ImportFormatError,
    ImportResult,
    duplicate_text,
    import_each,
    order_item,
    read_text,
    safe_id,
)
from kiosk.builtins.importers.text import escape_markdown

_OPTION = re.compile(r"([A-Za-z])(?:[.)]\s+|\)\s*)(.*\S)\s*$")
_ANSWER = re.compile(r"ANSWER\s*:\s*(.*?)\s*$", re.IGNORECASE)


class _Reader:
    """One Aiken file, line by line: the question being read (stem lines, options so far)."""

    def __init__(self, source: str, topic: str, ids: IdAllocator, prefix: str,
                 result: ImportResult) -> None:
        self.source, self.topic, self.ids, self.prefix = source, topic, ids, prefix
        self.result = result
        self.stem_lines: list[str] = []
        self.options: list[tuple[str, str]] = []
        self.start = 0
        self.index = 0

    def fail(self, line: int, reason: str) -> ImportFormatError:
        return ImportFormatError(self.source, reason, line=line)

    def reset(self) -> None:
        self.stem_lines.clear()
        self.options.clear()

    def line(self, number: int, line: str, gap_before: bool) -> dict[str, Any] | None:
        """The item this line completes (an ANSWER line), else None."""
        answer = _ANSWER.match(line)
        if answer:
            return self._answer(number, answer.group(1))
        option = _OPTION.match(line)
        if option and self.stem_lines:
            letter = option.group(1).upper()
            expected = chr(ord("A") + len(self.options))
            if letter == expected:
                self.options.append((letter, option.group(2)))
                return None
            if self.options:
                raise self.fail(number, f"option {letter} out of order: expected {expected}")
        if self.options and gap_before:
            # A new question after a blank line: the previous one never got its ANSWER line.
            self.result.errors.append(str(self.fail(self.start, "question has no ANSWER: line")))
            self.reset()
        if self.options:
            raise self.fail(
                number,
                f"expected option {chr(ord('A') + len(self.options))}. or ANSWER: line, "
                f"found {line[:40]!r}",
            )
        if not self.stem_lines:
            self.start = number
        self.stem_lines.append(line)
        return None

    def _answer(self, number: int, given: str) -> dict[str, Any]:
        if not self.stem_lines:
            raise self.fail(number, "ANSWER line without a question before it")
        if len(self.options) < 2:
            raise self.fail(number, "a question needs at least two lettered options (A. ..., B. ...)")
        letters = [a.strip().upper() for a in re.split(r"[,\s]+", given) if a.strip()]
        known = [letter for letter, _ in self.options]
        if not letters:
            raise self.fail(number, "ANSWER: names no option letter")
        for letter in letters:
            if letter not in known:
                raise self.fail(number, f"ANSWER: {letter} is not one of the options {', '.join(known)}")
        dup = duplicate_text([text_ for _, text_ in self.options])
        if dup is not None:
            raise self.fail(number, f"option text {dup!r} appears twice in the question")
        self.index += 1
        item: dict[str, Any] = {
            "id": self.ids.take(f"{self.prefix}-{self.index:03d}"),
            "type": "single_choice" if len(letters) == 1 else "multiple_response",
            "topic": self.topic,
            "points": 1,
            "stem": escape_markdown("\n".join(self.stem_lines)),
            "options": [
                {"text": text_, "correct": letter in letters} for letter, text_ in self.options
            ],
        }
        self.reset()
        return order_item(item)


def parse_aiken(
    text: str, source: str, topic: str, ids: IdAllocator | None = None, stem: str = "aiken"
) -> ImportResult:
    result = ImportResult()
    reader = _Reader(source, topic, ids or IdAllocator(), safe_id(stem, "aiken"), result)
    skipping = False
    gap_before = False
    for number_, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line:
            skipping = False
            gap_before = True
            continue
        if skipping:
            # resume after the bad question's ANSWER line
            skipping = not _ANSWER.match(line)
            continue
        try:
            done = reader.line(number_, line, gap_before)
        except ImportFormatError as exc:
            result.errors.append(str(exc))
            reader.reset()
            # The rest of this question is skipped up to the next blank line or ANSWER line.
            skipping = not _ANSWER.match(line)
            continue
        finally:
            gap_before = False
        if done is not None:
            result.items.append(done)
    if reader.stem_lines:
        result.errors.append(str(reader.fail(reader.start, "question has no ANSWER: line")))
    return result


def import_aiken(paths: Sequence[Path], topic: str | None = None) -> ImportResult:
    return import_each(paths, topic, lambda path, item_topic, ids: parse_aiken(
        read_text(path), str(path), item_topic, ids, path.stem))
