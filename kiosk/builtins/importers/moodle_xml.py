"""Moodle XML (question bank export) -> bank items, read with defusedxml.

Mapping onto kiosk types (docs/importers.md has the table):
- `category` -> the topic of the questions after it (last part of the category path);
- multichoice -> single_choice (`single` true; fractions other than 0/100 kept as weights) or
  multiple_response (fractions as weights); `shuffleanswers` 0 -> every option fixed;
- truefalse -> true_false (per-answer feedback by the response it answers);
- shortanswer -> short_text (`usecase` -> case_sensitive; 0 % answers carry no credit: dropped);
- numerical -> numeric (tolerance; one unit with multiplier 1 -> unit; a 0 % `*` answer ->
  wrong_feedback);
- matching -> matching (a subquestion without text is a distractor);
- ordering -> ordering; essay -> essay (graderinfo -> model_answer); description -> description;
- multianswer (Moodle's "Embedded answers (Cloze)") -> cloze, one gap per embedded answer
  (SHORTANSWER[_C], NUMERICAL, MULTICHOICE*); gapselect and ddwtos -> cloze with choice gaps;
- `defaultgrade` -> points, `generalfeedback` -> feedback, `idnumber` (else the name) -> id,
  `tags` -> tags; `<file>` (base64) -> attachments stored by hash, `@@PLUGINFILE@@/name`
  references become `[image: alt]` placeholders that name the attachment.
Refused with the reason (the rest imports): random, calculated*, ddimageortext, ddmarker,
MULTIRESPONSE gaps, anything the bank format cannot score. A malformed question is reported
with its line; the others import.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import html
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote
from xml.etree.ElementTree import Element

from kiosk.builtins.importers.common import (
    IdAllocator,
    ImportFormatError,
    ImportResult,
    duplicate_text,
    fraction,
    import_each,
    matching_as_cloze,
    number,
    order_item,
    safe_id,
    type_problems,
)
from kiosk.builtins.importers.gift import category_topic
from kiosk.builtins.importers.qti import parse_xml
from kiosk.builtins.importers.text import escape_markdown, html_to_markdown, looks_like_html

MAX_FILE_BYTES = 8 * 1024 * 1024
IMAGE_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif",
               "webp": "image/webp", "bmp": "image/bmp"}
_REFUSED = {
    "random": "a random question is a draw rule, not a question (use an exam draw rule)",
    "randomsamatch": "random short-answer matching draws questions at attempt time",
    "calculated": "calculated questions compute their answers from variables",
    "calculatedsimple": "calculated questions compute their answers from variables",
    "calculatedmulti": "calculated questions compute their answers from variables",
    "ddimageortext": "drag and drop onto an image needs positions on the image",
    "ddmarker": "drag markers onto an image needs positions on the image",
}


class _Refuse(Exception):
    """A valid Moodle question the kiosk cannot hold: a warning, the question is skipped."""


def _t(el: Element | None, path: str = "text") -> str:
    if el is None:
        return ""
    found = el.find(path)
    return (found.text or "") if found is not None else ""


def _fraction(raw: str | None) -> float:
    try:
        return float(number(raw or "0"))
    except ValueError:
        raise ImportFormatError("", f"fraction {raw!r} is not a number") from None


class _Reader:
    def __init__(self, source: str, topic: str, ids: IdAllocator, result: ImportResult) -> None:
        self.source = source
        self.topic = topic
        self.ids = ids
        self.result = result
        self.files: dict[str, tuple[str, bytes]] = {}  # name -> (sha256, data) of this question
        self.used_files: list[str] = []

    # -- text ---------------------------------------------------------------------------------

    def text_of(self, el: Element | None, rich: bool) -> str:
        """A Moodle text element (`format` attribute, `<text>`, `<file>`s) as kiosk text; an
        embedded image becomes `![alt](name)` naming the item's attachment."""
        if el is None:
            return ""
        self._files(el)
        raw = _t(el)
        fmt = el.get("format", "html")
        if fmt == "markdown":
            text = re.sub(r"(!\[[^\]]*\]\()@@PLUGINFILE@@/([^)\s]+)\)",
                          lambda m: m.group(1) + quote(self._attached(m.group(2))) + ")", raw)
        elif fmt == "html" or (fmt == "moodle_auto_format" and looks_like_html(raw)):
            converted = html_to_markdown(raw, rich, self._image_ref if rich else None)
            text = converted.text
            for src, _alt in converted.images:
                self._missing(src)
        else:
            text = escape_markdown(raw.strip()) if rich else raw.strip()
        return text.strip()

    def _attached(self, ref: str) -> str:
        name = unquote(ref).split("?")[0]
        if name in self.files:
            if name not in self.used_files:
                self.used_files.append(name)
        else:
            self.warn(f"file {name!r} is referred to but not embedded")
        return name

    def _image_ref(self, src: str, alt: str) -> str | None:
        if not src.startswith("@@PLUGINFILE@@/"):
            return None
        name = unquote(src[len("@@PLUGINFILE@@/"):]).split("?")[0]
        if name not in self.files:
            return None
        if name not in self.used_files:
            self.used_files.append(name)
        label = escape_markdown(alt or name).replace("]", "\\]")
        return f"![{label}]({quote(name)})"

    def _files(self, el: Element) -> None:
        for f in el.findall("file"):
            name = f.get("name") or ""
            if f.get("encoding", "base64") != "base64" or not name:
                continue
            try:
                data = base64.b64decode("".join((f.text or "").split()), validate=True)
            except (binascii.Error, ValueError):
                raise ImportFormatError("", f"embedded file {name!r} is not valid base64") from None
            if len(data) > MAX_FILE_BYTES:
                raise _Refuse(f"embedded file {name!r} is larger than "
                              f"{MAX_FILE_BYTES // 2**20} MB")
            self.files[name] = (hashlib.sha256(data).hexdigest(), data)

    def _missing(self, src: str) -> None:
        if src.startswith("@@PLUGINFILE@@/"):
            name = unquote(src[len("@@PLUGINFILE@@/"):]).split("?")[0]
            if name in self.files:
                self.warn(f"image {name!r} in an answer or feedback is shown as its alt text")
            else:
                self.warn(f"file {name!r} is referred to but not embedded; kept its alt text")
        elif src.startswith("data:"):
            self.warn("an inline data: image is not carried; kept its alt text")
        else:
            self.warn(f"image {src!r} is not embedded in the file; kept its alt text")

    def warn(self, what: str) -> None:
        self.result.warnings.append(f"{self.source}:{self.line}: item {self.item_id}: {what}")

    # -- questions ----------------------------------------------------------------------------

    def question(self, q: Element, line: int) -> None:
        kind = q.get("type", "")
        self.line = line
        self.item_id = "?"
        if kind == "category":
            path = _t(q.find("category"))
            self.topic = category_topic(path) or self.topic
            return
        self.files, self.used_files = {}, []
        name = " ".join(_t(q.find("name")).split())
        idnumber = (q.findtext("idnumber") or "").strip()
        wanted = idnumber or name
        self.item_id = self.ids.take(safe_id(wanted) if wanted else f"moodle-{line}")
        if kind in _REFUSED:
            self.warn(f"{kind}: {_REFUSED[kind]}; skipped")
            return
        item: dict[str, Any] = {"id": self.item_id, "type": "", "topic": self.topic,
                                "points": 1, "stem": ""}
        try:
            self._fill(q, kind, item)
        except _Refuse as exc:
            self.warn(f"{exc}; skipped")
            return
        except ValueError as exc:
            raise ImportFormatError(self.source, f"question {name or kind!r}: {exc}",
                                    line=line) from None
        except ImportFormatError as exc:
            raise ImportFormatError(self.source, f"question {name or kind!r}: {exc.reason}",
                                    line=line) from None
        if not item["stem"].strip():
            raise ImportFormatError(self.source, f"question {name or kind!r} has no text", line=line)
        tags = [" ".join((t.findtext("text") or "").split()) for t in q.findall("tags/tag")]
        tags = list(dict.fromkeys(t for t in tags if t))
        if tags:
            item["tags"] = tags
        problems = type_problems(item)
        if problems:  # refuse this question only, before its files join the bank
            raise ImportFormatError(self.source, f"{item['id']}: {'; '.join(problems)}",
                                    self.line)
        self._attach_files(item)
        if item["type"] == "matching":
            note = matching_as_cloze(item)
            if note:
                self.warn(note)
        self.result.items.append(order_item(item))

    def _fill(self, q: Element, kind: str, item: dict[str, Any]) -> None:
        """Stem, feedback, points and the type's own fields, by the `q_<type>` handler."""
        item["stem"] = self.text_of(q.find("questiontext"), rich=True)
        feedback = self.text_of(q.find("generalfeedback"), rich=False)
        if feedback:
            item["feedback"] = feedback
        grade = q.findtext("defaultgrade")
        if grade is not None and grade.strip():
            points = float(number(grade))
            if points > 0:
                item["points"] = _num(points)
            elif kind != "description":
                self.warn("defaultgrade 0: imported as 1 point")
        handler = getattr(self, f"q_{kind}", None)
        if handler is None:
            raise _Refuse(f"question type {kind!r} has no kiosk counterpart")
        handler(q, item)
        for combined in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
            if _t(q.find(combined)).strip():
                self.warn(f"{combined} (shown after a try) is not kept")
                break

    def _attach_files(self, item: dict[str, Any]) -> None:
        """The embedded files the text uses join the bank; the others are reported."""
        attachments = []
        for fname in self.used_files:
            sha, data = self.files[fname]
            self.result.files[sha] = data
            attachments.append({"name": fname, "sha256": sha})
        unused = [n for n in self.files if n not in self.used_files]
        for fname in unused:
            self.warn(f"embedded file {fname!r} is not referred to by the text; left out")
        if attachments:
            item["attachments"] = attachments

    def _answers(self, q: Element) -> list[Element]:
        return q.findall("answer")

    def q_description(self, q: Element, item: dict[str, Any]) -> None:
        item["type"] = "description"
        item["points"] = 0

    def q_essay(self, q: Element, item: dict[str, Any]) -> None:
        item["type"] = "essay"
        info = self.text_of(q.find("graderinfo"), rich=False)
        if info:
            item["model_answer"] = info
        for tag, key in (("minwordlimit", "min_words"), ("maxwordlimit", "word_limit")):
            raw = (q.findtext(tag) or "").strip()
            if raw.isdigit() and int(raw) > 0:
                item[key] = int(raw)

    def q_multichoice(self, q: Element, item: dict[str, Any]) -> None:
        single = (q.findtext("single") or "true").strip().lower() in ("true", "1")
        shuffle = (q.findtext("shuffleanswers") or "1").strip().lower() in ("true", "1")
        options: list[dict[str, Any]] = []
        percents: list[float] = []
        for a in self._answers(q):
            percent = _fraction(a.get("fraction"))
            option: dict[str, Any] = {"text": self.text_of(a, rich=False), "correct": False}
            fb = self.text_of(a.find("feedback"), rich=False)
            if fb:
                option["feedback"] = fb
            if not shuffle:
                option["fixed"] = True
            options.append(option)
            percents.append(percent)
        if len(options) < 2:
            raise ImportFormatError("", "a multiple-choice question needs at least two answers")
        if not all(o["text"] for o in options):
            raise ImportFormatError("", "an answer has no text")
        dup = duplicate_text([o["text"] for o in options])
        if dup is not None:
            raise _Refuse(f"answer {dup!r} appears twice")
        if not any(p > 0 for p in percents):
            raise ImportFormatError("", "no answer has a positive fraction")
        if single:
            item["type"] = "single_choice"
            best = max(percents)
            trivial = best == 100 and sorted(percents)[-2] <= 0 and all(
                p in (0, 100) for p in percents)
            for option, p in zip(options, percents, strict=True):
                option["correct"] = p == best
                if not trivial:
                    option["weight"] = fraction(p)
            if best < 100:
                raise _Refuse(f"no answer is worth full marks (best is {best:g} %)")
        else:
            item["type"] = "multiple_response"
            for option, p in zip(options, percents, strict=True):
                option["correct"] = p > 0
                option["weight"] = fraction(p)
        item["options"] = options

    def q_truefalse(self, q: Element, item: dict[str, Any]) -> None:
        answer: bool | None = None
        for a in self._answers(q):
            value = self.text_of(a, rich=False).strip().lower()
            if value not in ("true", "false"):
                raise ImportFormatError("", f"true/false answer {value!r}")
            fb = self.text_of(a.find("feedback"), rich=False)
            if fb:
                item[f"feedback_{value}"] = fb
            if _fraction(a.get("fraction")) > 0:
                answer = value == "true"
        if answer is None:
            raise ImportFormatError("", "neither true nor false has a positive fraction")
        item["type"] = "true_false"
        item["answer"] = answer

    def q_shortanswer(self, q: Element, item: dict[str, Any]) -> None:
        answers = []
        for a in self._answers(q):
            percent = _fraction(a.get("fraction"))
            text = self.text_of(a, rich=False)
            if percent <= 0:
                self.warn(f"answer {text!r} earns nothing; dropped")
                continue
            entry: dict[str, Any] = {"text": text}
            if percent != 100:
                entry["weight"] = fraction(percent)
            fb = self.text_of(a.find("feedback"), rich=False)
            if fb:
                entry["feedback"] = fb
            answers.append(entry)
        if not answers or not any(a.get("weight", 1) >= 1 for a in answers):
            raise _Refuse("no answer is worth full marks")
        item["type"] = "short_text"
        item["answers"] = answers
        if (q.findtext("usecase") or "0").strip() == "1":
            item["case_sensitive"] = True

    def q_numerical(self, q: Element, item: dict[str, Any]) -> None:
        answers = []
        for a in self._answers(q):
            percent = _fraction(a.get("fraction"))
            text = self.text_of(a, rich=False).strip()
            fb = self.text_of(a.find("feedback"), rich=False)
            if text == "*":
                if percent == 0:
                    if fb:
                        item["wrong_feedback"] = fb
                    continue
                raise _Refuse("an answer '*' (anything) that earns marks")
            entry: dict[str, Any] = {"value": number(text)}
            tol = (a.findtext("tolerance") or "0").strip()
            if tol and float(number(tol)):
                entry["tolerance"] = number(tol)
            if percent != 100:
                entry["weight"] = fraction(percent)
            if fb:
                entry["feedback"] = fb
            if percent > 0 or fb:
                answers.append(entry)
        if not any(a.get("weight", 1) >= 1 for a in answers):
            raise _Refuse("no answer is worth full marks")
        item["type"] = "numeric"
        item["answers"] = answers
        units = q.findall("units/unit")
        if len(units) == 1 and float(number(units[0].findtext("multiplier") or "1")) == 1:
            unit = (units[0].findtext("unit_name") or "").strip()
            if unit:
                item["unit"] = unit
        elif units:
            self.warn("several units (with multipliers) are not supported; left out")

    def q_matching(self, q: Element, item: dict[str, Any]) -> None:
        pairs, distractors = [], []
        for sub in q.findall("subquestion"):
            left = self.text_of(sub, rich=False)
            right = " ".join((_t(sub.find("answer")) or "").split())
            if not right:
                continue
            if left:
                pairs.append({"left": left, "right": right})
            else:
                distractors.append(right)
        if not pairs:
            raise ImportFormatError("", "matching question without a pair")
        item["type"] = "matching"
        item["pairs"] = pairs
        if distractors:
            item["distractors"] = distractors

    def q_ordering(self, q: Element, item: dict[str, Any]) -> None:
        # the ordering type keeps each item's position in `fraction`
        ranked = sorted(enumerate(self._answers(q)),
                        key=lambda na: (_fraction(na[1].get("fraction")), na[0]))
        sequence = [self.text_of(a, rich=False) for _n, a in ranked]
        if len(sequence) < 2 or duplicate_text(sequence) or not all(sequence):
            raise _Refuse("an ordering needs two or more distinct items")
        item["type"] = "ordering"
        item["sequence"] = sequence

    def q_multianswer(self, q: Element, item: dict[str, Any]) -> None:
        # The embedded answers are taken out of the raw text before it is converted (their
        # syntax would be escaped as Markdown), and come back as `[[n]]` gaps.
        qt = q.find("questiontext")
        raw = _t(qt)
        found = list(_EMBEDDED.finditer(raw))
        if not found:
            raise ImportFormatError("", "an embedded-answers (Cloze) question without any {…} "
                                        "answer")
        gaps = [embedded_gap(m, str(n)) for n, m in enumerate(found, start=1)]
        counter = iter(range(1, len(found) + 1))
        marked = _EMBEDDED.sub(lambda m: f"KIOSKGAP{next(counter)}X", raw)
        copy = Element(qt.tag, qt.attrib) if qt is not None else Element("questiontext")
        text_el = Element("text")
        text_el.text = marked
        copy.append(text_el)
        for f in (qt.findall("file") if qt is not None else []):
            copy.append(f)
        stem = self.text_of(copy, rich=True)
        item["stem"] = re.sub(r"KIOSKGAP(\d+)X", r"[[\1]]", stem)
        item["type"] = "cloze"
        item["gaps"] = gaps
        if any(g.get("points", 1) != 1 for g in gaps):
            item["points"] = _num(sum(g.get("points", 1) for g in gaps))
        else:
            for g in gaps:
                g.pop("points", None)

    def q_gapselect(self, q: Element, item: dict[str, Any]) -> None:
        self._select_gaps(q, item, "selectoption")

    def q_ddwtos(self, q: Element, item: dict[str, Any]) -> None:
        self._select_gaps(q, item, "dragbox")

    def _select_gaps(self, q: Element, item: dict[str, Any], tag: str) -> None:
        choices = [(" ".join(_t(c).split()), (c.findtext("group") or "1").strip())
                   for c in q.findall(tag)]
        gaps: list[dict[str, Any]] = []

        def gap(m: re.Match[str]) -> str:
            n = int(m.group(1))
            if not 1 <= n <= len(choices):
                raise ImportFormatError("", f"gap [[{n}]] names no choice")
            text, group = choices[n - 1]
            gid = str(len(gaps) + 1)
            options = list(dict.fromkeys(t for t, g in choices if g == group))
            gaps.append({"id": gid, "options": options, "correct": text})
            return f"[[{gid}]]"

        # the stem was escaped as Markdown: `[[1]]` reads `\[\[1\]\]` unless it was HTML
        stem = re.sub(r"\\?\[\\?\[(\d+)\\?\]\\?\]", gap, item["stem"])
        if not gaps:
            raise ImportFormatError("", "no [[n]] gaps in the text")
        if any(len(g["options"]) < 2 for g in gaps):
            raise _Refuse("a gap with a single choice")
        item["type"] = "cloze"
        item["stem"] = stem
        item["gaps"] = gaps


_EMBEDDED = re.compile(r"\{(\d*):([A-Z_]+):((?:\\.|[^{}\\])*)\}")


def embedded_gap(m: re.Match[str], gid: str) -> dict[str, Any]:
    """One of Moodle's embedded answers `{1:SHORTANSWER:=a#fb~%50%b}` as a kiosk gap."""
    weight = int(m.group(1) or "1")
    kind = m.group(2)
    parts = _split_embedded(html.unescape(m.group(3)))
    gap: dict[str, Any] = {"id": gid}
    if weight != 1:
        gap["points"] = weight
    if kind in ("SHORTANSWER", "SA", "MW", "SHORTANSWER_C", "SAC", "MWC"):
        answers: list[Any] = []
        for percent, text, _fb in parts:
            if percent > 0:
                answers.append({"text": text} if percent == 100 else
                               {"text": text, "weight": fraction(percent)})
        if not any(a.get("weight", 1) >= 1 for a in answers):
            raise _Refuse(f"gap {gid}: no answer worth full marks")
        gap["answers"] = answers
        if kind.endswith("C"):
            gap["case_sensitive"] = True
    elif kind in ("NUMERICAL", "NM"):
        numbers = []
        for percent, text, _fb in parts:
            if percent <= 0 or text == "*":
                continue
            value, _, tol = text.partition(":")
            entry: dict[str, Any] = {"value": number(value)}
            if tol and float(number(tol)):
                entry["tolerance"] = number(tol)
            if percent != 100:
                entry["weight"] = fraction(percent)
            numbers.append(entry)
        if not any(n.get("weight", 1) >= 1 for n in numbers):
            raise _Refuse(f"gap {gid}: no answer worth full marks")
        gap["numbers"] = numbers
    elif kind.startswith(("MULTICHOICE", "MC")) and "MULTIRESPONSE" not in kind and \
            not kind.startswith(("MR", "MULTIRESPONSE")):
        options = [text for _p, text, _fb in parts]
        right = [text for p, text, _fb in parts if p == 100]
        if len(right) != 1 or duplicate_text(options) or len(options) < 2:
            raise _Refuse(f"gap {gid}: a choice gap needs one right answer among distinct "
                          "choices")
        gap["options"] = options
        gap["correct"] = right[0]
    else:
        raise _Refuse(f"embedded {kind} answers have no kiosk gap")
    return gap


def _split_embedded(body: str) -> list[tuple[float, str, str]]:
    out = []
    for raw in re.split(r"(?<!\\)~", body):
        raw = raw.strip()
        if not raw:
            continue
        percent = 0.0
        if raw.startswith("="):
            percent, raw = 100.0, raw[1:]
        m = re.match(r"%(-?\d+(?:\.\d+)?)%", raw)
        if m:
            percent, raw = float(m.group(1)), raw[m.end():]
        text, _, fb = raw.partition("#")
        text = text.replace("\\~", "~").replace("\\}", "}").replace("\\#", "#").strip()
        out.append((percent, text, fb.strip()))
    return out


def _num(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def parse_moodle_xml(data: bytes, source: str, topic: str, ids: IdAllocator | None = None
                     ) -> ImportResult:
    root = parse_xml(data, source)
    if root.tag != "quiz":
        raise ImportFormatError(source, f"not a Moodle XML question file (root element "
                                        f"<{root.tag}>, expected <quiz>)")
    result = ImportResult()
    reader = _Reader(source, topic, ids or IdAllocator(), result)
    # ElementTree keeps no line numbers: the n-th <question is found in the text instead
    lines = [data[: m.start()].count(b"\n") + 1 for m in re.finditer(rb"<question[\s>]", data)]
    for n, q in enumerate(root.findall("question")):
        line = lines[n] if n < len(lines) else 1
        try:
            reader.question(q, line)
        except ImportFormatError as exc:
            reason = exc.reason if exc.source == source else str(exc)
            result.errors.append(f"{source}:{exc.line or line}: {reason}")
        except RecursionError:
            result.errors.append(f"{source}:{line}: question nested too deeply")
    return result


def import_moodle_xml(paths: Sequence[Path], topic: str | None = None) -> ImportResult:
    return import_each(paths, topic, lambda path, item_topic, ids: parse_moodle_xml(
        path.read_bytes(), str(path), item_topic, ids))
