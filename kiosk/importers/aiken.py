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

from kiosk.importers.common import (
    IdAllocator,
    ImportFormatError,
    ImportResult,
    default_topic,
    duplicate_text,
    order_item,
    read_text,
    safe_id,
)
from kiosk.importers.text import escape_markdown

_OPTION = re.compile(r"([A-Za-z])(?:[.)]\s+|\)\s*)(.*\S)\s*$")
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

    def _line(number_: int, line: str, gap_before: bool) -> dict[str, Any] | None:
        nonlocal start, index
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
            dup = duplicate_text([text_ for _, text_ in options])
            if dup is not None:
                raise fail(number_, f"option text {dup!r} appears twice in the question")
            index += 1
            item: dict[str, Any] = {
                "id": ids.take(f"{prefix}-{index:03d}"),
                "type": "single_choice" if len(letters) == 1 else "multiple_response",
                "topic": topic,
                "points": 1,
                "stem": escape_markdown("\n".join(stem_lines)),
                "options": [
                    {"text": text_, "correct": letter in letters} for letter, text_ in options
                ],
            }
            stem_lines.clear()
            options.clear()
            return order_item(item)
        option = _OPTION.match(line)
        if option and stem_lines:
            letter = option.group(1).upper()
            expected = chr(ord("A") + len(options))
            if letter == expected:
                options.append((letter, option.group(2)))
                return None
            if options:
                raise fail(number_, f"option {letter} out of order: expected {expected}")
        if options and gap_before:
            # A new question after a blank line: the previous one never got its ANSWER line.
            result.errors.append(str(fail(start, "question has no ANSWER: line")))
            stem_lines.clear()
            options.clear()
        if options:
            raise fail(
                number_,
                f"expected option {chr(ord('A') + len(options))}. or ANSWER: line, found {line[:40]!r}",
            )
        if not stem_lines:
            start = number_
        stem_lines.append(line)
        return None

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
            done = _line(number_, line, gap_before)
        except ImportFormatError as exc:
            result.errors.append(str(exc))
            stem_lines.clear()
            options.clear()
            # The rest of this question is skipped up to the next blank line or ANSWER line.
            skipping = not _ANSWER.match(line)
            continue
        finally:
            gap_before = False
        if done is not None:
            result.items.append(done)
    if stem_lines:
        result.errors.append(str(fail(start, "question has no ANSWER: line")))
    return result


def import_aiken(paths: Sequence[Path], topic: str | None = None) -> ImportResult:
    result = ImportResult()
    ids = IdAllocator()
    for path in paths:
        path = Path(path)
        try:
            text = read_text(path)
        except ImportFormatError as exc:
            result.errors.append(str(exc))  # an unreadable file costs that file only
            continue
        result.extend(parse_aiken(text, str(path), default_topic(path, topic), ids, path.stem))
    return result
