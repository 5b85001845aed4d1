"""Aiken: a question line, lettered options (`A.` or `A)`), then `ANSWER: X`.

Moodle wants the question on one line; continuation lines before the first option are accepted
and joined. `ANSWER: A, C` (not in Moodle's Aiken) gives a multiple_response item.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kiosk.importers.common import (
    IdAllocator,
    ImportFormatError,
    ImportResult,
    default_topic,
    order_item,
    read_text,
    safe_id,
)

_OPTION = re.compile(r"([A-Za-z])[.)]\s+(.*\S)\s*$")
_ANSWER = re.compile(r"ANSWER\s*:\s*(.*?)\s*$", re.IGNORECASE)


def parse_aiken(
    text: str, source: str, topic: str, ids: IdAllocator | None = None, stem: str = "aiken"
) -> ImportResult:
    ids = ids or IdAllocator()
    prefix = safe_id(stem, "aiken")
    result = ImportResult()
    stem_lines: list[str] = []
    options: list[tuple[str, str]] = []
    start = 0
    index = 0

    def fail(line: int, reason: str) -> ImportFormatError:
        return ImportFormatError(source, reason, line=line)

    for number_, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line:
            continue
        answer = _ANSWER.match(line)
        if answer:
            if not stem_lines:
                raise fail(number_, "ANSWER line without a question before it")
            if len(options) < 2:
                raise fail(number_, "a question needs at least two lettered options (A. ..., B. ...)")
            letters = [a.strip().upper() for a in re.split(r"[,\s]+", answer.group(1)) if a.strip()]
            known = [letter for letter, _ in options]
            if not letters:
                raise fail(number_, "ANSWER: names no option letter")
            for letter in letters:
                if letter not in known:
                    raise fail(number_, f"ANSWER: {letter} is not one of the options {', '.join(known)}")
            index += 1
            item: dict[str, Any] = {
                "id": ids.take(f"{prefix}-{index:03d}"),
                "type": "single_choice" if len(letters) == 1 else "multiple_response",
                "topic": topic,
                "points": 1,
                "stem": "\n".join(stem_lines),
                "options": [
                    {"text": text_, "correct": letter in letters} for letter, text_ in options
                ],
            }
            result.items.append(order_item(item))
            stem_lines, options = [], []
            continue
        option = _OPTION.match(line)
        if option and stem_lines:
            letter = option.group(1).upper()
            expected = chr(ord("A") + len(options))
            if letter == expected:
                options.append((letter, option.group(2)))
                continue
            if options:
                raise fail(number_, f"option {letter} out of order: expected {expected}")
        if options:
            raise fail(
                number_,
                f"expected option {chr(ord('A') + len(options))}. or ANSWER: line, found {line[:40]!r}",
            )
        if not stem_lines:
            start = number_
        stem_lines.append(line)
    if stem_lines:
        raise fail(start, "question has no ANSWER: line")
    return result


def import_aiken(paths: Sequence[Path], topic: str | None = None) -> ImportResult:
    result = ImportResult()
    ids = IdAllocator()
    for path in paths:
        path = Path(path)
        text = read_text(path)
        result.extend(parse_aiken(text, str(path), default_topic(path, topic), ids, path.stem))
    return result
