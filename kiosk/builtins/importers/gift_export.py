"""Bank items -> Moodle GIFT, for the types GIFT can express.

Written so that the GIFT importer reads it back to the same items: every question carries its
id as `::name::`, topics become `$CATEGORY:` lines, stems are `[markdown]` with newlines as `\\n`.
Tags go into Moodle's `// [tag:NAME]` comments, which the importer reads back. What GIFT cannot
hold (points, mappings, option ids other than positions, several cloze gaps, ordering, ...) is
reported as a warning per item; an item that cannot be written at all is skipped.
"""

from __future__ import annotations

from typing import Any

from kiosk.builtins.importers.common import ExportResult

_SPECIAL = "~=#{}:"


def escape(text: Any) -> str:
    out = str(text).replace("\\", "\\\\")
    for ch in _SPECIAL:
        out = out.replace(ch, "\\" + ch)
    return out.replace("\n", "\\n")


def fmt_number(value: Any) -> str:
    """Ints stay ints and floats keep their repr, so the importer reads back the same number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"not a number: {value!r}")
    return repr(value) if isinstance(value, float) else str(value)


def fmt_percent(weight: float) -> str:
    # Five decimals, as Moodle writes 33.33333; never an exponent, which GIFT cannot read.
    text = f"{round(float(weight) * 100, 5):.5f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _feedback(entry: dict[str, Any]) -> str:
    fb = entry.get("feedback")
    return f"#{escape(fb)}" if fb else ""


def _comment(text: str) -> str:
    """A tag inside `// [tag:...]`: one line, no `]` (Moodle ends the tag there)."""
    return " ".join(text.replace("]", ")").split())


class _Unsupported(Exception):
    pass


def _answers(raw: Any) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not raw:
        raise _Unsupported("no answers")
    return [a if isinstance(a, dict) else {"text": a} for a in raw]


def _choice_block(item: dict[str, Any], lost: list[str]) -> str:
    options = item.get("options") or []
    if len(options) < 2:
        raise _Unsupported("fewer than two options")
    weighted = any("weight" in o for o in options)
    lines: list[str] = []
    if item["type"] == "single_choice":
        for o in options:
            weight = float(o.get("weight", 1.0 if o.get("correct") else 0.0))
            if o.get("correct") and (not weighted or weight == 1.0):
                mark = "="
            elif weight:
                mark = f"~%{fmt_percent(weight)}%"
            else:
                mark = "~"
            lines.append(f"{mark}{escape(o.get('text', ''))}{_feedback(o)}")
    else:
        correct = [o for o in options if o.get("correct")]
        if not correct:
            raise _Unsupported("no correct option")
        share = 1.0 / len(correct)
        if not weighted:
            lost.append("unweighted options (written as weights of ±1/k, which read back as weights)")
        for o in options:
            if weighted:
                weight = float(o.get("weight", 0.0))
            else:
                # Without weights a wrong choice cancels a right one (the szkr rule), as here.
                weight = share if o.get("correct") else -share
            mark = f"~%{fmt_percent(weight)}%" if weight else "~"
            lines.append(f"{mark}{escape(o.get('text', ''))}{_feedback(o)}")
    if not any(line.startswith("~") for line in lines):
        raise _Unsupported("every option is fully right; GIFT would read a short answer")
    if "penalty" in item:
        lost.append("penalty")
    _ids_lost(options, "option", lost)
    return "\n".join(lines)


def _ids_lost(entries: list[Any], what: str, lost: list[str]) -> None:
    """GIFT has no ids for options, pairs or gaps: the importer numbers them 1, 2, ... again."""
    ids = [str(e.get("id")) for e in entries if isinstance(e, dict) and "id" in e]
    if any(ident != str(n) for n, ident in enumerate(ids, start=1)):
        lost.append(f"{what} ids ({', '.join(ids)}; read back as 1, 2, ...)")


def _true_false(item: dict[str, Any]) -> str:
    value = item.get("answer")
    if not isinstance(value, bool):
        raise _Unsupported("answer is not true/false")
    on_true, on_false = item.get("feedback_true", ""), item.get("feedback_false", "")
    right, wrong = (on_true, on_false) if value else (on_false, on_true)
    out = "TRUE" if value else "FALSE"
    if wrong or right:
        out += f"#{escape(wrong)}"
    if right:
        out += f"#{escape(right)}"
    return out


def _short(item: dict[str, Any], lost: list[str]) -> str:
    for key, default in (("case_sensitive", False), ("normalise_whitespace", True), ("ignore_accents", False)):
        if item.get(key, default) != default:
            lost.append(key)
    return _short_block(_answers(item.get("answers")), "\n")


def _short_block(answers: list[dict[str, Any]], sep: str) -> str:
    if any("->" in str(a.get("text", "")) + str(a.get("feedback", "")) for a in answers):
        # With `=` markers, `->` (in an answer or its feedback) would make Moodle (and us) read
        # a matching question; a lone full-credit answer can go without the marker.
        only = answers[0]
        if len(answers) == 1 and float(only.get("weight", 1.0)) == 1.0:
            return escape(only["text"]) + _feedback(only)
        raise _Unsupported("an answer contains '->', which GIFT reads as a matching pair")
    return sep.join(_short_answer(a) for a in answers)


def _short_answer(a: dict[str, Any]) -> str:
    weight = float(a.get("weight", 1.0))
    mark = "=" if weight == 1.0 else f"=%{fmt_percent(weight)}%"
    return f"{mark}{escape(a.get('text', ''))}{_feedback(a)}"


def _numeric(item: dict[str, Any], lost: list[str]) -> str:
    parts: list[str] = []
    simple = True
    for key in ("unit", "unit_required"):
        if key in item:
            lost.append(key)
    for a in _answers(item.get("answers")):
        if "min" in a and "max" in a:
            value = f"{fmt_number(a['min'])}..{fmt_number(a['max'])}"
        elif "value" in a:
            value = fmt_number(a["value"])
            tolerance = a.get("tolerance", 0)
            if a.get("relative"):
                tolerance = abs(float(a["value"]) * float(tolerance))
                lost.append("relative tolerance (written as absolute)")
            if tolerance:
                value += f":{fmt_number(tolerance)}"
        else:
            raise _Unsupported("numeric answer without value or min/max")
        weight = float(a.get("weight", 1.0))
        if weight != 1.0 or a.get("feedback"):
            simple = False
        mark = "=" if weight == 1.0 else f"=%{fmt_percent(weight)}%"
        parts.append(f"{mark}{value}{_feedback(a)}")
    if item.get("wrong_feedback"):
        # Moodle's catch-all answer: any other value, 0 %, with this feedback.
        parts.append(f"~#{escape(item['wrong_feedback'])}")
        simple = False
    if simple and len(parts) == 1:
        return "#" + parts[0][1:]
    return "#\n" + "\n".join(parts)


def _matching(item: dict[str, Any], lost: list[str]) -> str:
    pairs = item.get("pairs") or []
    if not pairs:
        raise _Unsupported("no pairs")
    lines = [f"={escape(p.get('left', ''))} -> {escape(p.get('right', ''))}" for p in pairs]
    lines += [f"= -> {escape(d)}" for d in item.get("distractors", [])]
    _ids_lost(pairs, "pair", lost)
    return "\n".join(lines)


def _cloze(item: dict[str, Any], lost: list[str]) -> tuple[str, str, str]:
    gaps = item.get("gaps") or []
    if len(gaps) != 1:
        raise _Unsupported("GIFT holds one gap per question; this cloze has several")
    gap = gaps[0]
    placeholder = f"[[{gap.get('id', '1')}]]"
    _ids_lost(gaps, "gap", lost)
    stem = item.get("stem", "")
    if stem.count(placeholder) != 1:
        raise _Unsupported(f"stem does not hold {placeholder} exactly once")
    before, after = stem.split(placeholder)
    if not after.strip():
        lost.append("gap position (a gap at the end reads back as an ordinary question)")
    for key in ("points", "case_sensitive"):
        if key in gap:
            lost.append(f"gap {key}")
    if "options" in gap:
        correct = gap.get("correct")
        lines, marked = [], False
        for text in gap["options"]:
            is_right = text == correct and not marked
            marked = marked or is_right
            lines.append(f"{'=' if is_right else '~'}{escape(text)}")
        if not marked:
            raise _Unsupported("gap's correct text is not among its options")
        block = " ".join(lines)
    else:
        block = _short_block(_answers(gap.get("answers")), " ")
    return before, block, after


_LOSSY_COMMON = ("difficulty", "enemies", "scoring", "step", "mapping")


def _answer_block(item: dict[str, Any], lost: list[str]) -> tuple[str, str | None, str]:
    """(stem, the answer block or None for a description, text after the block)."""
    kind = item.get("type", "")
    stem = item.get("stem", "")
    if kind == "cloze":
        return _cloze(item, lost)
    if kind == "description":
        return stem, None, ""
    if kind == "essay":
        lost += [k for k in ("rubric", "model_answer", "word_limit", "min_words") if k in item]
        return stem, "", ""
    builder = _BLOCKS.get(kind)
    if builder is None:
        raise _Unsupported(f"type {kind!r} has no GIFT form")
    return stem, builder(item, lost), ""


def _question_text(item: dict[str, Any], item_id: str, marks: str, stem: str,
                   block: str | None, after: str, lost: list[str]) -> str:
    if block is None:
        # A description: text without an answer block (its feedback has nowhere to go).
        if item.get("feedback"):
            lost.append("feedback")
        return f"{marks}::{item_id}::[markdown]{escape(stem)}"
    feedback = f"####{escape(item['feedback'])}" if item.get("feedback") else ""
    multiline = "\n" in block
    inner = f"\n{block}\n{feedback}\n" if multiline else f"{block}{feedback}"
    if multiline and not feedback:
        inner = f"\n{block}\n"
    return f"{marks}::{item_id}::[markdown]{escape(stem)}{{{inner}}}{escape(after)}"


def export_gift(items: list[dict[str, Any]], bank: dict[str, Any] | None = None) -> ExportResult:
    result = ExportResult(text="")
    chunks: list[str] = []
    if bank:
        chunks.append(f"// Exported from kiosk bank {bank.get('id', '')}: {bank.get('title', '')}".rstrip(": "))
    topic: str | None = None
    for item in items:
        item_id = str(item.get("id", "?"))
        lost: list[str] = [k for k in _LOSSY_COMMON if k in item]
        if item.get("points", 1) != 1 and item.get("type", "") != "description":
            lost.append(f"points ({item.get('points')})")
        try:
            stem, block, after = _answer_block(item, lost)
        except (_Unsupported, ValueError, TypeError, AttributeError) as exc:
            result.warnings.append(f"item {item_id}: not exported: {exc}")
            continue
        if item.get("topic") != topic:
            topic = str(item.get("topic", ""))
            chunks.append(f"$CATEGORY: $course$/top/{escape(topic.replace('/', '//'))}")
        tags = item.get("tags") or []
        marks = "".join(f"// [tag:{_comment(tag)}]\n" for tag in tags if isinstance(tag, str))
        chunks.append(_question_text(item, item_id, marks, stem, block, after, lost))
        result.exported += 1
        if lost:
            result.warnings.append(f"item {item_id}: GIFT cannot hold {', '.join(lost)}; left out")
    result.text = "\n\n".join(chunks) + "\n"
    return result


def _true_false_block(item: dict[str, Any], lost: list[str]) -> str:
    return _true_false(item)


#: Types whose answer block is built from the item alone (cloze, essay and descriptions are
#: handled in `_answer_block`).
_BLOCKS = {
    "single_choice": _choice_block, "multiple_response": _choice_block,
    "true_false": _true_false_block, "short_text": _short, "numeric": _numeric,
    "matching": _matching,
}
