"""Bank items -> Moodle XML, written so that `kiosk import moodle-xml` reads back the same items.

Stems and general feedback are written with Moodle's `markdown` format (the bank's own), options,
answers and feedback as `plain_text`; points go to `defaultgrade`, the id to `name` and
`idnumber`, tags to `tags`, the topic to a `category` question before its items, attachments to
base64 `<file>` elements referred to as `@@PLUGINFILE@@/name`. Cloze items become Moodle's
embedded answers (multianswer), ordering items Moodle's ordering type.
What Moodle XML cannot hold (difficulty, enemies, scoring rule, step, mapping, ids of options,
pairs and gaps, penalty) is a warning per item; an item that cannot be written is skipped.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote
from xml.etree.ElementTree import Element, SubElement, indent, tostring

from kiosk.builtins.importers.common import ExportResult
from kiosk.builtins.importers.gift_export import fmt_number, fmt_percent

_LOSSY = ("difficulty", "enemies", "scoring", "step", "mapping", "penalty")


class _Unsupported(Exception):
    pass


def _text(parent: Element, tag: str, value: str, fmt: str | None = None) -> Element:
    el = SubElement(parent, tag)
    if fmt:
        el.set("format", fmt)
    SubElement(el, "text").text = value
    return el


def _num(value: Any) -> str:
    return fmt_number(value)


def _answer(q: Element, percent: float, text: str, feedback: str | None = None) -> Element:
    a = SubElement(q, "answer", {"fraction": fmt_percent(percent / 100.0), "format": "plain_text"})
    SubElement(a, "text").text = text
    if feedback:
        _text(a, "feedback", feedback, "plain_text")
    return a


def _ids_lost(entries: list[Any], what: str, lost: list[str]) -> None:
    ids = [str(e.get("id")) for e in entries if isinstance(e, dict) and "id" in e]
    if any(ident != str(n) for n, ident in enumerate(ids, start=1)):
        lost.append(f"{what} ids ({', '.join(ids)}; read back as 1, 2, ...)")


def _choice(q: Element, item: dict[str, Any], lost: list[str]) -> None:
    options = item.get("options") or []
    if len(options) < 2:
        raise _Unsupported("fewer than two options")
    single = item["type"] == "single_choice"
    weighted = any("weight" in o for o in options)
    SubElement(q, "single").text = "true" if single else "false"
    SubElement(q, "shuffleanswers").text = "0" if all(o.get("fixed") for o in options) else "1"
    if any(o.get("fixed") for o in options) and not all(o.get("fixed") for o in options):
        lost.append("fixed positions of some options (Moodle fixes all or none)")
    SubElement(q, "answernumbering").text = "abc"
    correct = [o for o in options if o.get("correct")]
    if not single and not weighted:
        lost.append("unweighted options (written as weights of ±1/k, which read back as weights)")
    for o in options:
        if weighted:
            weight = float(o.get("weight", 1.0 if o.get("correct") and single else 0.0))
        elif single:
            weight = 1.0 if o.get("correct") else 0.0
        else:
            weight = (1.0 if o.get("correct") else -1.0) / max(1, len(correct))
        _answer(q, weight * 100, str(o.get("text", "")), o.get("feedback"))
    _ids_lost(options, "option", lost)


def _true_false(q: Element, item: dict[str, Any], lost: list[str]) -> None:
    value = item.get("answer")
    if not isinstance(value, bool):
        raise _Unsupported("answer is not true/false")
    for name, flag in (("true", True), ("false", False)):
        _answer(q, 100 if value is flag else 0, name, item.get(f"feedback_{name}"))


def _short(q: Element, item: dict[str, Any], lost: list[str]) -> None:
    SubElement(q, "usecase").text = "1" if item.get("case_sensitive") else "0"
    for key, default in (("normalise_whitespace", True), ("ignore_accents", False)):
        if item.get(key, default) != default:
            lost.append(key)
    for a in item.get("answers") or []:
        a = a if isinstance(a, dict) else {"text": a}
        _answer(q, float(a.get("weight", 1.0)) * 100, str(a.get("text", "")), a.get("feedback"))


def _numeric(q: Element, item: dict[str, Any], lost: list[str]) -> None:
    for a in item.get("answers") or []:
        if "min" in a and "max" in a:
            low, high = float(a["min"]), float(a["max"])
            value, tolerance = (low + high) / 2, (high - low) / 2
            value_text = fmt_number(int(value) if value.is_integer() else value)
        else:
            value_text = fmt_number(a["value"])
            tolerance = float(a.get("tolerance", 0))
            if a.get("relative"):
                tolerance = abs(float(a["value"]) * tolerance)
                lost.append("relative tolerance (written as absolute)")
        el = _answer(q, float(a.get("weight", 1.0)) * 100, value_text, a.get("feedback"))
        SubElement(el, "tolerance").text = fmt_number(
            int(tolerance) if float(tolerance).is_integer() else tolerance)
        if "min" in a:
            lost.append("ranges (written as value ± tolerance)")
    if item.get("wrong_feedback"):
        _answer(q, 0, "*", item["wrong_feedback"])
    if item.get("unit"):
        units = SubElement(q, "units")
        unit = SubElement(units, "unit")
        SubElement(unit, "multiplier").text = "1"
        SubElement(unit, "unit_name").text = str(item["unit"])
        SubElement(q, "showunits").text = "3"
        SubElement(q, "unitsleft").text = "0"
        if item.get("unit_required"):
            lost.append("unit_required")


def _matching(q: Element, item: dict[str, Any], lost: list[str]) -> None:
    SubElement(q, "shuffleanswers").text = "true"
    pairs = item.get("pairs") or []
    for p in pairs:
        sub = _text(q, "subquestion", str(p.get("left", "")), "plain_text")
        SubElement(SubElement(sub, "answer"), "text").text = str(p.get("right", ""))
    for d in item.get("distractors") or []:
        sub = _text(q, "subquestion", "", "plain_text")
        SubElement(SubElement(sub, "answer"), "text").text = str(d)
    _ids_lost(pairs, "pair", lost)


def _ordering(q: Element, item: dict[str, Any], lost: list[str]) -> None:
    SubElement(q, "layouttype").text = "VERTICAL"
    SubElement(q, "selecttype").text = "ALL"
    SubElement(q, "selectcount").text = "0"
    SubElement(q, "gradingtype").text = "ABSOLUTE_POSITION"
    for n, text in enumerate(item.get("sequence") or [], start=1):
        _answer(q, n, str(text))
    # the ordering type takes fraction as the position; the importer reads answers in order


def _embedded(gap: dict[str, Any]) -> str:
    def esc(text: Any) -> str:
        return re.sub(r"([~}#\\])", r"\\\1", str(text))

    weight = gap.get("points", 1)
    if isinstance(weight, float) and not weight.is_integer():
        raise _Unsupported(f"gap {gap.get('id')} has {weight:g} points; Moodle's embedded "
                           "answers take whole numbers")
    prefix = f"{{{int(weight)}:"
    if "options" in gap:
        parts = [("=" if o == gap.get("correct") else "") + esc(o) for o in gap["options"]]
        return prefix + "MULTICHOICE:" + "~".join(parts) + "}"
    if "numbers" in gap:
        parts = []
        for a in gap["numbers"]:
            if "value" not in a:
                raise _Unsupported("a numeric range in a gap")
            w = float(a.get("weight", 1.0))
            mark = "=" if w == 1 else f"%{fmt_percent(w)}%"
            tol = f":{fmt_number(a['tolerance'])}" if a.get("tolerance") else ""
            parts.append(f"{mark}{fmt_number(a['value'])}{tol}")
        return prefix + "NUMERICAL:" + "~".join(parts) + "}"
    kind = "SHORTANSWER_C" if gap.get("case_sensitive") else "SHORTANSWER"
    parts = []
    for a in gap.get("answers") or []:
        a = a if isinstance(a, dict) else {"text": a}
        w = float(a.get("weight", 1.0))
        parts.append(("=" if w == 1 else f"%{fmt_percent(w)}%") + esc(a.get("text", "")))
    return prefix + kind + ":" + "~".join(parts) + "}"


def _cloze(q: Element, item: dict[str, Any], lost: list[str]) -> str:
    gaps = {str(g.get("id")): g for g in item.get("gaps") or []}
    order: list[str] = []

    def fill(m: re.Match[str]) -> str:
        gid = m.group(1).strip()
        if gid not in gaps:
            raise _Unsupported(f"placeholder [[{gid}]] has no gap")
        order.append(gid)
        return _embedded(gaps[gid])

    if "{" in item.get("stem", "") or "}" in item.get("stem", ""):
        raise _Unsupported("the text holds braces, which Moodle would read as embedded answers")
    stem = re.sub(r"\[\[([^\[\]\n]*)\]\]", fill, item.get("stem", ""))
    if any(str(n) != gid for n, gid in enumerate(order, start=1)):
        lost.append(f"gap ids ({', '.join(order)}; read back as 1, 2, ...)")
    for key in ("case_sensitive", "normalise_whitespace", "ignore_accents"):
        if key in item:
            lost.append(key)
    return stem


def _essay(q: Element, item: dict[str, Any], lost: list[str]) -> None:
    SubElement(q, "responseformat").text = "editor"
    SubElement(q, "responserequired").text = "1"
    SubElement(q, "responsefieldlines").text = "15"
    if item.get("min_words"):
        SubElement(q, "minwordlimit").text = str(item["min_words"])
    if item.get("word_limit"):
        SubElement(q, "maxwordlimit").text = str(item["word_limit"])
    if item.get("model_answer"):
        _text(q, "graderinfo", str(item["model_answer"]), "plain_text")
    if item.get("rubric"):
        lost.append("rubric")


_WRITERS: dict[str, tuple[str, Callable[[Element, dict[str, Any], list[str]], Any]]] = {
    "single_choice": ("multichoice", _choice),
    "multiple_response": ("multichoice", _choice),
    "true_false": ("truefalse", _true_false),
    "short_text": ("shortanswer", _short),
    "numeric": ("numerical", _numeric),
    "matching": ("matching", _matching),
    "ordering": ("ordering", _ordering),
    "cloze": ("multianswer", _cloze),
    "essay": ("essay", _essay),
    "description": ("description", lambda q, item, lost: None),
}


def export_moodle_xml(items: list[dict[str, Any]], bank: dict[str, Any] | None = None,
                      files: dict[str, bytes] | None = None) -> ExportResult:
    """`files`: attachment contents by sha256 (the bank's media); missing ones are warnings."""
    result = ExportResult(text="")
    quiz = Element("quiz")
    topic: str | None = None
    for item in items:
        item_id = str(item.get("id", "?"))
        kind = item.get("type", "")
        lost: list[str] = [k for k in _LOSSY if k in item]
        if kind not in _WRITERS:
            result.warnings.append(f"item {item_id}: not exported: type {kind!r} has no Moodle "
                                   "XML form")
            continue
        mtype, writer = _WRITERS[kind]
        q = Element("question", {"type": mtype})
        try:
            _text(q, "name", item_id)
            stem_el = _text(q, "questiontext", str(item.get("stem", "")), "markdown")
            body = writer(q, item, lost)
            if isinstance(body, str):
                stem_el.find("text").text = body  # type: ignore[union-attr]
            _attach(stem_el, item, files, lost)
            if item.get("feedback"):
                _text(q, "generalfeedback", str(item["feedback"]), "plain_text")
            points = item.get("points", 1)
            SubElement(q, "defaultgrade").text = fmt_number(points)
            SubElement(q, "penalty").text = "0"
            SubElement(q, "hidden").text = "0"
            SubElement(q, "idnumber").text = item_id
            tags = [t for t in item.get("tags") or [] if isinstance(t, str)]
            if tags:
                tags_el = SubElement(q, "tags")
                for tag in tags:
                    SubElement(SubElement(tags_el, "tag"), "text").text = tag
        except (_Unsupported, ValueError, TypeError, KeyError, AttributeError) as exc:
            result.warnings.append(f"item {item_id}: not exported: {exc}")
            continue
        # the <questiontext> must precede the type's elements for readers that care
        if item.get("topic") != topic:
            topic = str(item.get("topic", ""))
            cat = SubElement(quiz, "question", {"type": "category"})
            _text(cat, "category", f"$course$/top/{topic.replace('/', '//')}")
        quiz.append(_ordered(q))
        result.exported += 1
        if lost:
            result.warnings.append(f"item {item_id}: Moodle XML cannot hold {', '.join(lost)}; "
                                   "left out")
    if bank:
        quiz.insert(0, _comment(f"Exported from kiosk bank {bank.get('id', '')}: "
                                f"{bank.get('title', '')}"))
    indent(quiz)
    result.text = '<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(
        quiz, encoding="unicode") + "\n"
    return result


def _comment(text: str) -> Element:
    from xml.etree.ElementTree import Comment

    return Comment(" " + text.replace("--", "- -") + " ")


_FIRST = ("name", "questiontext", "generalfeedback", "defaultgrade", "penalty", "hidden",
          "idnumber")


def _ordered(q: Element) -> Element:
    """Moodle's own order: common fields first, then the type's, tags last."""
    head = [c for name in _FIRST for c in q.findall(name)]
    tags = q.findall("tags")
    rest = [c for c in q if c not in head and c not in tags]
    for c in list(q):
        q.remove(c)
    for c in head + rest + tags:
        q.append(c)
    return q


def _attach(stem_el: Element, item: dict[str, Any], files: dict[str, bytes] | None,
            lost: list[str]) -> None:
    """Attachments as `<file>` elements; the stem's `![alt](name)` become @@PLUGINFILE@@ links."""
    text_el = stem_el.find("text")
    assert text_el is not None
    text = text_el.text or ""
    for att in item.get("attachments") or []:
        name, sha = str(att.get("name", "")), str(att.get("sha256", ""))
        data = (files or {}).get(sha)
        if data is None:
            lost.append(f"attachment {name!r} (its file is not available)")
            continue
        f = SubElement(stem_el, "file", {"name": name, "path": "/", "encoding": "base64"})
        f.text = base64.b64encode(data).decode("ascii")
        ref = quote(name)
        pattern = re.compile(r"(!\[[^\]]*\]\()(" + re.escape(ref) + "|" + re.escape(name) + r")\)")
        if pattern.search(text):
            text = pattern.sub(lambda m, r=ref: f"{m.group(1)}@@PLUGINFILE@@/{r})", text)
        else:
            text += f"\n\n![{att.get('alt') or name}](@@PLUGINFILE@@/{ref})"
    text_el.text = text
