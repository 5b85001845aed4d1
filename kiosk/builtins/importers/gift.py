"""Moodle GIFT, read the way Moodle's own importer (question/format/gift) reads it.

Mapping onto kiosk types:
- `{~a =b}` with an `=` -> single_choice (weights kept when some answer has a non-trivial `%n%`);
  without `=`: several positive or any negative weight -> multiple_response, else single_choice.
- answer block inside the text (Moodle's missing word) -> cloze with one gap `[[1]]` when the
  gap can hold everything (one right choice, or unweighted text answers, no per-answer feedback);
  otherwise the Moodle type is kept with `_____` in the stem, exactly as Moodle shows it, so no
  weight or feedback is lost.
- `{T}`/`{F}` -> true_false; `{=a =b}` -> short_text; `{=a -> b}` -> matching; `{#...}` -> numeric;
  `{}` -> essay; text without an answer block (a Moodle description) -> description (unscored).
- `// [id:X]` and `// [tag:Y]` comments in a question's block -> item id and tags (as Moodle).
- A malformed question is reported (`ImportResult.errors`, file:line and reason) and the rest of
  the file imports, as in Moodle.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from kiosk.builtins.importers.common import (
    IdAllocator,
    ImportFormatError,
    ImportResult,
    attach,
    duplicate_text,
    folder_reader,
    fraction,
    import_each,
    is_image,
    matching_as_cloze,
    number,
    order_item,
    read_text,
    safe_id,
    type_problems,
)
from kiosk.builtins.importers.text import escape_markdown, html_to_markdown, looks_like_html

# Escaped control characters are parked in the private use area while the structure is parsed.
_ESCAPES = {
    "\\": "\ue000",
    "~": "\ue001",
    "=": "\ue002",
    "#": "\ue003",
    "{": "\ue004",
    "}": "\ue005",
    ":": "\ue006",
    "n": "\ue007",
}
_UNESCAPE = {v: ("\n" if k == "n" else k) for k, v in _ESCAPES.items()}
_UNESCAPE_TABLE = str.maketrans(_UNESCAPE)

_FORMAT = re.compile(r"\[(html|moodle|plain|markdown)\]")
_WEIGHT = re.compile(r"\s*%(-?\d+(?:\.\d+)?)%")
_TF = {"T": True, "TRUE": True, "F": False, "FALSE": False}
BLANK = "_____"


def escape_marks(text: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in _ESCAPES:
            out.append(_ESCAPES[text[i + 1]])
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def unescape(text: str) -> str:
    return text.translate(_UNESCAPE_TABLE)


class _Block:
    """One question's lines (comments removed) with their line numbers in the file."""

    def __init__(self, lines: list[tuple[int, str]], comments: list[str] | None = None) -> None:
        self.numbers = [n for n, _ in lines]
        self.text = "\n".join(t for _, t in lines)
        self.comments = comments or []

    @property
    def first_line(self) -> int:
        return self.numbers[0]

    def line_at(self, offset: int) -> int:
        return self.numbers[min(self.text.count("\n", 0, max(offset, 0)), len(self.numbers) - 1)]


def _blocks(text: str) -> list[_Block]:
    blocks: list[_Block] = []
    current: list[tuple[int, str]] = []
    comments: list[str] = []
    for number_, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line:
            if current:
                blocks.append(_Block(current, comments))
            current, comments = [], []
            continue
        # A comment line neither ends a question nor becomes part of it (as in Moodle), but its
        # `[id:...]` and `[tag:...]` belong to the question.
        if line.startswith("//"):
            comments.append(line[2:])
            continue
        # Leading blanks are kept: `<pre>` and indented Markdown code need their indentation.
        current.append((number_, raw.rstrip() if current else line))
    if current:
        blocks.append(_Block(current, comments))
    return blocks


_ID_TAG = re.compile(r"\[(id|tag):([^\]]*)\]")


def comment_marks(comments: list[str]) -> tuple[str | None, list[str]]:
    """Moodle's `// [id:IDNUMBER]` and `// [tag:NAME]` (escapes as written, parked ones restored)."""
    ident: str | None = None
    tags: list[str] = []
    for comment in comments:
        for kind, value in _ID_TAG.findall(unescape(comment)):
            value = value.strip()
            if not value:
                continue
            if kind == "id":
                ident = value
            elif value not in tags:
                tags.append(value)
    return ident, tags


class _Question:
    """The parse of one question block, before it is turned into a kiosk item."""

    def __init__(self, source: str, block: _Block) -> None:
        self.source = source
        self.block = block
        self.line = block.first_line

    def error(self, reason: str, offset: int | None = None) -> ImportFormatError:
        line = self.block.line_at(offset) if offset is not None else self.line
        return ImportFormatError(self.source, reason, line=line)


def _split_feedback(part: str) -> tuple[str, str | None]:
    if "#" in part:
        text, feedback = part.split("#", 1)
        return text, feedback
    return part, None


def _weight(part: str) -> tuple[float | None, str]:
    m = _WEIGHT.match(part)
    if not m:
        return None, part
    return float(m.group(1)), part[m.end() :]


class _Skip(Exception):
    """A valid GIFT question the kiosk cannot hold; reported as a warning, the rest imports."""


class GiftParser:
    def __init__(self, source: str, topic: str, ids: IdAllocator, stem_prefix: str,
                 media_read: Callable[[str], bytes | None] | None = None) -> None:
        self.source = source
        self.media_read = media_read
        self.attachments: list[dict[str, Any]] = []
        self.topic = topic
        self.ids = ids
        self.stem_prefix = stem_prefix
        self.result = ImportResult()
        self.index = 0
        self.images: list[str] = []

    # -- text ---------------------------------------------------------------------------------

    def _clean(self, text: str | None, fmt: str, rich: bool = False) -> str:
        """One part as the kiosk shows it: the stem (`rich`) as Markdown, answers, feedback and
        matching sides as plain text. A part may start with its own format marker
        (`=[moodle]cat`), which wins over the question's."""
        if text is None:
            return ""
        text = unescape(text).strip()
        m = _FORMAT.match(text)
        if m:
            fmt = m.group(1)
            text = text[m.end():].strip()
        return self._format(text, fmt, rich)

    def _format(self, text: str, fmt: str, rich: bool) -> str:
        if fmt == "markdown":
            return text  # indentation is Markdown (code blocks): kept as written
        if fmt == "html" or (fmt == "moodle" and looks_like_html(text)):
            converted = html_to_markdown(text, rich, self._image if rich else None)
            for src, _alt in converted.images:
                self.images.append(src)
            return converted.text
        # Plain text: the indentation of continuation lines is layout of the GIFT file.
        text = "\n".join(line.strip() for line in text.split("\n"))
        return escape_markdown(text) if rich else text

    # -- blocks -------------------------------------------------------------------------------

    def parse(self, text: str) -> ImportResult:
        for block in _blocks(escape_marks(text)):
            try:
                self._block(block)
            except ImportFormatError as exc:
                # One malformed question is reported; the rest of the file still imports.
                self.result.errors.append(str(exc))
        return self.result

    def _block(self, block: _Block) -> None:
        text = block.text
        offset = 0
        if text.startswith("$CATEGORY:"):
            first, _, rest = text.partition("\n")
            self.topic = category_topic(unescape(first[len("$CATEGORY:") :])) or self.topic
            if not rest.strip():
                return
            offset = len(first) + 1
            text = rest
        q = _Question(self.source, block)
        q.line = block.line_at(offset)
        self.index += 1
        self.images = []
        self.attachments = []
        self._question(q, text, offset)

    @staticmethod
    def _head(q: _Question, text: str, base: int) -> tuple[str | None, str, str, int]:
        """The question's `::name::` and `[format]` taken off its text: (name, format, the rest,
        where the rest starts)."""
        name: str | None = None
        if text.startswith("::"):
            end = text.find("::", 2)
            if end < 0:
                raise q.error("question name '::' is not closed", base)
            name = unescape(text[2:end]).strip()
            base += end + 2
            text = text[end + 2 :]
        stripped = text.lstrip()
        base += len(text) - len(stripped)
        text = stripped
        fmt = "moodle"
        m = _FORMAT.match(text)
        if m:
            fmt = m.group(1)
            base += m.end()
            text = text[m.end() :]
        return name, fmt, text, base

    @staticmethod
    def _answer_block(q: _Question, text: str, base: int, start: int) -> int:
        """Where the one answer block `{…}` that starts at `start` ends; refuses a second one."""
        end = text.find("}", start + 1)
        if end < 0:
            raise q.error("answer block '{' is not closed", base + start)
        for ch in "{}":
            again = text.find(ch, end + 1)
            if again >= 0:
                what = ("a second answer block: GIFT allows one per question (split it, or "
                        "write \\{ for a literal brace)" if ch == "{" else
                        "unexpected '}' after the answer block (write \\} for a literal brace)")
                raise q.error(what, base + again)
        return end

    def _question(self, q: _Question, text: str, base: int) -> None:
        name, fmt, text, base = self._head(q, text, base)
        idnumber, tags = comment_marks(q.block.comments)
        wanted = idnumber or name
        item_id = self.ids.take(safe_id(wanted) if wanted else f"{self.stem_prefix}-{self.index:03d}")
        start = text.find("{")
        stray = text.find("}")
        if stray >= 0 and (start < 0 or stray < start):
            raise q.error("'}' without an opening '{' (write \\} for a literal brace)", base + stray)
        if start < 0:
            # Moodle's "description": text shown in the paper, no answer, no points.
            stem = self._clean(text, fmt, rich=True)
            if not stem:
                raise q.error("question has no text", base)
            item = {"id": item_id, "type": "description", "topic": self.topic, "points": 0,
                    "stem": stem}
            self._finish(q, item, tags)
            return
        end = self._answer_block(q, text, base, start)
        before, answer, after = text[:start], text[start + 1 : end], text[end + 1 :]
        general: str | None = None
        if "####" in answer:
            cut = answer.rfind("####")
            answer, general = answer[:cut], answer[cut + 4 :]
        answer = answer.strip()
        item: dict[str, Any] = {
            "id": item_id,
            "type": "",
            "topic": self.topic,
            "points": 1,
            "stem": "",
        }
        feedback = self._clean(general, fmt)
        if feedback:
            item["feedback"] = feedback
        stem_before = self._clean(before, fmt, rich=True)
        missing_word = bool(self._clean(after, fmt))
        at = base + start
        try:
            self._fill(q, item, answer, before, after, fmt, at, missing_word)
        except _Skip as exc:
            self.warn(q, item_id, f"{exc}; skipped")
            return
        if not item["stem"]:
            item["stem"] = self._gap_stem(before, after, fmt, BLANK) if missing_word else stem_before
        if not item["stem"].strip():
            raise q.error("question has no text", base)
        if item["type"] == "matching" and not self._as_cloze(q, item):
            return
        self._finish(q, item, tags)

    def _as_cloze(self, q: _Question, item: dict[str, Any]) -> bool:
        """A matching item that must be shown as a cloze says so (or is skipped, False)."""
        try:
            note = matching_as_cloze(item)
        except ValueError as exc:
            self.warn(q, item["id"], f"{exc}; skipped")
            return False
        if note:
            self.warn(q, item["id"], note)
        return True

    def _image(self, src: str, alt: str) -> str | None:
        """An `<img>` of an `[html]` stem whose file sits beside the GIFT file: an attachment."""
        data = self.media_read(src) if self.media_read is not None else None
        if data is None or not is_image(data):
            return None
        name = attach(self.attachments, self.result.files, src, data, "image", alt)
        return f"![{escape_markdown(alt or name)}]({quote(name)})"

    def _finish(self, q: _Question, item: dict[str, Any], tags: list[str]) -> None:
        problems = type_problems(item)
        if problems:  # e.g. weights that never reach full marks: this question only
            raise q.error(f"{item['id']}: {'; '.join(problems)}")
        if tags:
            item["tags"] = tags
        if self.attachments:
            item["attachments"] = self.attachments
        for src in dict.fromkeys(self.images):
            self.warn(q, item["id"], f"image {src!r} is not carried into the bank; kept its alt text")
        self.result.items.append(order_item(item))

    def _fill(
        self,
        q: _Question,
        item: dict[str, Any],
        answer: str,
        before: str,
        after: str,
        fmt: str,
        at: int,
        missing_word: bool,
    ) -> None:
        # Text that already holds `[[...]]` would confuse the cloze placeholders: keep the blank.
        gap_ok = missing_word and "[[" not in unescape(before + after)
        if not answer:
            item["type"] = "essay"
        elif answer.startswith("#"):
            self._numeric(q, item, answer[1:], fmt, at)
        elif "~" in answer:
            if self._choice(q, item, answer, fmt, at, gap_ok):
                item["stem"] = self._gap_stem(before, after, fmt, "[[1]]")
        elif "=" in answer and "->" in answer:
            self._matching(q, item, answer, fmt, at)
        else:
            head = answer.split("#", 1)[0].strip()
            if head in _TF:
                self._true_false(item, answer, head, fmt)
            elif self._short(q, item, answer, fmt, at, gap_ok):
                item["stem"] = self._gap_stem(before, after, fmt, "[[1]]")

    def _gap_stem(self, before: str, after: str, fmt: str, gap: str) -> str:
        """The text around the answer block with the gap where the block was, spacing as written."""
        text = unescape(before + _GAP_MARK + after).strip()
        return self._format(text, fmt, rich=True).replace(_GAP_MARK, gap)

    def warn(self, q: _Question, item_id: str, what: str) -> None:
        self.result.warnings.append(f"{self.source}:{q.line}: item {item_id}: {what}")

    # -- types --------------------------------------------------------------------------------

    def _answers(self, q: _Question, answer: str, at: int, marks: str) -> list[tuple[str, str]]:
        """Split an answer list into (marker, rest) parts; text before the first marker is an
        error except for short answers, where Moodle reads it as a full-credit answer."""
        parts = re.split(f"(?=[{re.escape(marks)}])", answer)
        head = parts[0].strip()
        out: list[tuple[str, str]] = []
        if head:
            if marks == "=":
                out.append(("=", head))
            else:
                raise q.error(f"answer must start with one of {' '.join(marks)}: {unescape(head)!r}", at)
        out.extend((p[0], p[1:]) for p in parts[1:])
        return out

    def _choice_options(self, q: _Question, answer: str, fmt: str, at: int
                        ) -> tuple[list[dict[str, Any]], list[float], bool]:
        """The block's answers as options, their weights (%), and whether any used '='."""
        options: list[dict[str, Any]] = []
        percents: list[float] = []
        has_equal = False
        for marker, rest in self._answers(q, answer, at, "~="):
            percent, rest = _weight(rest)
            if marker == "=":
                has_equal = True
                percent = 100.0 if percent is None else percent
            elif percent is None:
                percent = 0.0
            if not -100.0 <= percent <= 100.0:
                raise q.error(f"answer weight {percent:g}% is outside -100..100", at)
            text, fb = _split_feedback(rest)
            option: dict[str, Any] = {"text": self._clean(text, fmt), "correct": marker == "="}
            if not option["text"]:
                raise q.error("empty answer in a multiple-choice block", at)
            fb_text = self._clean(fb, fmt)
            if fb_text:
                option["feedback"] = fb_text
            options.append(option)
            percents.append(percent)
        return options, percents, has_equal

    def _choice(
        self, q: _Question, item: dict[str, Any], answer: str, fmt: str, at: int, missing: bool
    ) -> bool:
        """Fill a choice item; True if it became a cloze (the caller then builds the stem)."""
        options, percents, has_equal = self._choice_options(q, answer, fmt, at)
        if len(options) < 2:
            raise q.error("a multiple-choice question needs at least two answers", at)
        dup = duplicate_text([o["text"] for o in options])
        if dup is not None:
            raise _Skip(f"answer {dup!r} appears twice in the choice")
        positive = [p for p in percents if p > 0]
        if not positive:
            raise q.error("no answer in the multiple-choice block has a positive weight", at)
        negative = any(p < 0 for p in percents)
        if has_equal or (len(positive) == 1 and not negative):
            item["type"] = "single_choice"
            if not has_equal:
                for option, p in zip(options, percents, strict=True):
                    option["correct"] = p == 100.0
            trivial = all(
                (p == 100.0) if o["correct"] else (p == 0.0)
                for o, p in zip(options, percents, strict=True)
            ) and sum(o["correct"] for o in options) == 1
        else:
            item["type"] = "multiple_response"
            for option, p in zip(options, percents, strict=True):
                option["correct"] = p > 0
            trivial = False
        if not trivial:
            for option, p in zip(options, percents, strict=True):
                option["weight"] = fraction(p)
        if (
            missing
            and item["type"] == "single_choice"
            and trivial
            and not any("feedback" in o for o in options)
        ):
            correct = next(o["text"] for o in options if o["correct"])
            item["type"] = "cloze"
            item["gaps"] = [{"id": "1", "options": [o["text"] for o in options], "correct": correct}]
            return True
        item["options"] = options
        return False

    def _short(
        self, q: _Question, item: dict[str, Any], answer: str, fmt: str, at: int, missing: bool
    ) -> bool:
        answers: list[dict[str, Any]] = []
        for _marker, rest in self._answers(q, answer, at, "="):
            percent, rest = _weight(rest)
            percent = 100.0 if percent is None else percent
            if not 0.0 <= percent <= 100.0:
                raise q.error(f"short-answer weight {percent:g}% is outside 0..100", at)
            text, fb = _split_feedback(rest)
            entry: dict[str, Any] = {"text": self._clean(text, fmt)}
            if not entry["text"]:
                raise q.error("empty short answer", at)
            if percent != 100.0:
                entry["weight"] = fraction(percent)
            fb_text = self._clean(fb, fmt)
            if fb_text:
                entry["feedback"] = fb_text
            answers.append(entry)
        if not answers:
            raise q.error("short-answer block has no answers", at)
        if not any(a.get("weight", 1.0) > 0 for a in answers):
            raise q.error("no short answer has a positive weight", at)
        if missing and all(set(a) == {"text"} for a in answers):
            item["type"] = "cloze"
            item["gaps"] = [{"id": "1", "answers": [a["text"] for a in answers]}]
            return True
        item["type"] = "short_text"
        item["answers"] = answers
        return False

    def _true_false(self, item: dict[str, Any], answer: str, head: str, fmt: str) -> None:
        value = _TF[head]
        item["type"] = "true_false"
        item["answer"] = value
        parts = answer.split("#")
        # Moodle: first feedback is shown for the wrong response, the second for the right one.
        wrong = self._clean(parts[1], fmt) if len(parts) > 1 else ""
        right = self._clean(parts[2], fmt) if len(parts) > 2 else ""
        on_true, on_false = (right, wrong) if value else (wrong, right)
        if on_true:
            item["feedback_true"] = on_true
        if on_false:
            item["feedback_false"] = on_false

    def _matching(self, q: _Question, item: dict[str, Any], answer: str, fmt: str, at: int) -> None:
        pairs: list[dict[str, Any]] = []
        distractors: list[str] = []
        for _marker, rest in self._answers(q, answer, at, "="):
            if "->" not in rest:
                raise q.error(f"matching answer without '->': {unescape(rest).strip()!r}", at)
            left, right = rest.split("->", 1)
            left_text, right_text = self._clean(left, fmt), self._clean(right, fmt)
            if not right_text:
                raise q.error("matching answer with nothing after '->'", at)
            if left_text:
                pairs.append({"left": left_text, "right": right_text})
            else:
                distractors.append(right_text)
        if not pairs:
            raise q.error("matching question without any '=left -> right' pair", at)
        item["type"] = "matching"
        item["pairs"] = pairs
        if distractors:
            item["distractors"] = distractors

    def _numeric(self, q: _Question, item: dict[str, Any], answer: str, fmt: str, at: int) -> None:
        """`{#3:2}`, `{#=3:0.1 =%50%3:2}`, and Moodle's wrong-answer feedback `~#text` (an answer
        that matches anything else, 0 %): it becomes the item's `wrong_feedback`."""
        body = answer.strip()
        if body and body[0] not in "=~":
            body = "=" + body  # `{#3:2 ~#...}`: the first answer needs no marker
        if "=" in body or "~" in body:
            parts = self._answers(q, body, at, "=~")
        else:
            parts = [("=", body)]
        answers: list[dict[str, Any]] = []
        for marker, rest in parts:
            percent, rest = _weight(rest)
            percent = (100.0 if marker == "=" else 0.0) if percent is None else percent
            if not 0.0 <= percent <= 100.0:
                raise q.error(f"numerical answer weight {percent:g}% is outside 0..100", at)
            text, fb = _split_feedback(rest)
            value = unescape(text).strip()
            fb_text = self._clean(fb, fmt)
            if marker == "~" and not value:
                if fb_text:
                    item["wrong_feedback"] = fb_text
                continue
            entry = _numeric_value(q, value, at)
            if percent != 100.0:
                entry["weight"] = fraction(percent)
            if fb_text:
                entry["feedback"] = fb_text
            answers.append(entry)
        if not answers:
            raise q.error("numerical question without an answer", at)
        item["type"] = "numeric"
        item["answers"] = answers


def _numeric_value(q: _Question, text: str, at: int) -> dict[str, Any]:
    try:
        if ".." in text:
            low, high = text.split("..", 1)
            lo, hi = number(low), number(high)
            if lo > hi:
                raise q.error(f"numerical range {text!r} has min above max", at)
            return {"min": lo, "max": hi}
        if ":" in text:
            value, tol = text.split(":", 1)
            tolerance = number(tol)
            if tolerance < 0:
                raise q.error(f"negative tolerance in {text!r}", at)
            entry: dict[str, Any] = {"value": number(value)}
            if tolerance:
                entry["tolerance"] = tolerance
            return entry
        return {"value": number(text)}
    except ValueError:
        raise q.error(f"not a number: {text!r}", at) from None


_GAP_MARK = "\ue010"




def category_topic(path: str) -> str:
    """`$course$/top/Default for X/Networks` -> `Networks`; `//` stands for a literal `/`. An
    odd run of slashes is a separator followed by literal ones (`top///` is the topic `/`: the
    separator, then the escaped slash, as the exporter writes it)."""

    def run(m: re.Match[str]) -> str:
        n = len(m.group(0))
        return ("/" if n % 2 else "") + "\0" * (n // 2)

    parts = [p.replace("\0", "/").strip() for p in re.sub(r"/+", run, path).split("/")]
    parts = [p for p in parts if p and not (p.startswith("$") and p.endswith("$"))]
    return parts[-1] if parts else ""


def parse_gift(
    text: str, source: str, topic: str, ids: IdAllocator | None = None, stem: str = "gift",
    media_read: Callable[[str], bytes | None] | None = None,
) -> ImportResult:
    """Parse GIFT text; each malformed question is in `errors` (file:line: reason).
    `media_read(src)` gives the bytes of an image an `[html]` stem refers to, or None."""
    parser = GiftParser(source, topic, ids or IdAllocator(), safe_id(stem, "gift"), media_read)
    return parser.parse(text)


def import_gift(paths: Sequence[Path], topic: str | None = None) -> ImportResult:
    return import_each(paths, topic, lambda path, item_topic, ids: parse_gift(
        read_text(path), str(path), item_topic, ids, path.stem, folder_reader(path.parent)))
