"""case_study (jogeset): a case text and a structured answer, marked by an examiner against the
rubric. Fields with one right answer can be checked automatically; the checks are advice for the
marker, never points.

Fields (besides the common ones):

- `case` (required): the facts of the case (Markdown).
- `fields` (required): the answer form, `[{id, label, kind = "text", lines = 1, options?,
  answer?, accept?, deadline?}]`. Kinds:
  - `text`: typed text; `lines > 1` gives a text area. `accept = ["…"]` lists answers that count
    as right (compared case-, accent- and space-insensitively, so "Ákr." = "akr").
  - `choice`: one of `options = ["…"]`; `answer` is the right option.
  - `date`: a date typed as "2025.03.11." (or "2025-03-11", "2025. március 11."); `answer` is the
    date, or `deadline = {from = "2025-03-03", days = 8, working_days = false,
    non_working = [], working = []}` computes it (first day not counted; a last day that is not
    a working day moves to the next working day).
- `rubric` (required): `[{criterion, points}]`, adding up to the item's points.
- `model_answer`: `{field_id = "text"}`, shown to markers.

Response: `{field_id: "text"}` (a plain string is accepted as a free answer to mark).
Judgement: an unanswered form is unanswered; anything else needs marking. The NeedsMarking
returned is a `CheckedMarking`, whose `reason` summarises the automatic checks for the marker and
whose `detail` holds them (`auto_checks(item, response)` gives the same list).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar

from kiosk.api import (
    FieldError,
    FieldsType,
    Item,
    Judgement,
    Message,
    NeedsMarking,
    blank,
    check_unknown,
    is_number,
    is_text,
    not_answered,
)
from kiosk_public_admin.deadlines import deadline, hungarian, parse_date

FIELD_KEYS = {"id", "label", "kind", "lines", "options", "answer", "accept", "deadline"}
DEADLINE_KEYS = {"from", "days", "working_days", "non_working", "working"}
RUBRIC_KEYS = {"criterion", "points", "description"}
KINDS = ("text", "choice", "date")


@dataclass(frozen=True)
class CheckedMarking(NeedsMarking):
    """NeedsMarking with the automatic checks attached for the marker."""

    detail: dict[str, Any] = field(default_factory=dict)


def fold(text: str) -> str:
    """Case, accents, punctuation at the ends and runs of spaces do not matter."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.replace(".", " ").replace(",", " ").split())


def fields_of(item: Item) -> list[dict[str, Any]]:
    return [f for f in item.spec.get("fields", []) if isinstance(f, dict)]


def expected_date(spec_field: dict[str, Any]) -> date | None:
    if "answer" in spec_field:
        return parse_date(spec_field["answer"])
    rule = spec_field.get("deadline")
    if not isinstance(rule, dict):
        return None
    start = parse_date(rule.get("from"))
    days = rule.get("days")
    if start is None or not isinstance(days, int) or isinstance(days, bool):
        return None
    return deadline(
        start,
        days,
        working_days=bool(rule.get("working_days", False)),
        non_working=[d for d in map(parse_date, rule.get("non_working", [])) if d],
        working=[d for d in map(parse_date, rule.get("working", [])) if d],
    )


def expected_text(spec_field: dict[str, Any]) -> str | None:
    """The right answer as a marker reads it, when the field has one."""
    kind = spec_field.get("kind", "text")
    if kind == "date":
        day = expected_date(spec_field)
        return hungarian(day) if day else None
    if kind == "choice":
        answer = spec_field.get("answer")
        return answer if isinstance(answer, str) else None
    accept = spec_field.get("accept")
    return accept[0] if isinstance(accept, list) and accept else None


def auto_checks(item: Item, response: Any) -> list[dict[str, Any]]:
    """For every field with one right answer: what was given, what is right, and whether they
    agree (None when the given text cannot be read, e.g. a date that is no date)."""
    given = response if isinstance(response, dict) else {}
    out = []
    for spec_field in fields_of(item):
        want = expected_text(spec_field)
        if want is None:
            continue
        fid = str(spec_field.get("id"))
        value = given.get(fid)
        text = value.strip() if isinstance(value, str) else ""
        kind = spec_field.get("kind", "text")
        ok: bool | None
        if not text:
            ok = False
        elif kind == "date":
            typed = parse_date(text)
            ok = None if typed is None else typed == expected_date(spec_field)
        elif kind == "choice":
            ok = text == want
        else:
            ok = fold(text) in {fold(a) for a in spec_field.get("accept", []) if isinstance(a, str)}
        out.append({"field": fid, "label": spec_field.get("label", fid), "given": text,
                    "expected": want, "ok": ok})
    return out


def _summary(checks: list[dict[str, Any]]) -> str:
    if not checks:
        return "jogeset: a vizsgabizottság javítja az értékelési útmutató szerint"
    marks = {True: "egyezik", False: "eltér", None: "nem értelmezhető"}
    parts = [f"{c['label']}: {c['given'] or '—'} ({marks[c['ok']]}; helyes: {c['expected']})"
             for c in checks]
    return "jogeset: a vizsgabizottság javítja; automatikus ellenőrzés – " + "; ".join(parts)


class CaseStudy(FieldsType):
    name: ClassVar[str] = "case_study"
    title: ClassVar[Message] = Message("qtype.case_study", "Jogeset", domain="kiosk_public_admin")
    human_marked: ClassVar[bool] = True
    fields: ClassVar[set[str]] = {"case", "fields", "rubric", "model_answer"}

    def check(self, item: Item, errors: list[FieldError]) -> None:
        spec = item.spec
        if not is_text(spec.get("case")):
            errors.append(FieldError("case", "required: the text of the case"))
        self._check_fields(spec.get("fields"), errors)
        self._check_rubric(item, errors)
        model = spec.get("model_answer")
        if "model_answer" in spec and not (
            isinstance(model, dict) and all(isinstance(v, str) for v in model.values())
        ):
            errors.append(FieldError("model_answer", 'must be a table of {field_id = "text"}'))

    def _check_fields(self, value: Any, errors: list[FieldError]) -> None:
        if not isinstance(value, list) or not value:
            errors.append(FieldError("fields", "must be a non-empty list of {id, label}"))
            return
        seen: set[str] = set()
        for i, entry in enumerate(value, start=1):
            path = f"fields[{i}]"
            if not isinstance(entry, dict):
                errors.append(FieldError(path, f"must be a table, got {entry!r}"))
                continue
            check_unknown(entry, FIELD_KEYS, path, errors)
            fid = entry.get("id")
            if not is_text(fid):
                errors.append(FieldError(f"{path}.id", "missing or empty"))
            elif fid in seen:
                errors.append(FieldError(f"{path}.id", f"duplicate id {fid!r}"))
            else:
                seen.add(fid)
            if not is_text(entry.get("label")):
                errors.append(FieldError(f"{path}.label", "missing or empty"))
            kind = entry.get("kind", "text")
            if kind not in KINDS:
                errors.append(FieldError(f"{path}.kind", f"must be one of {', '.join(KINDS)}, "
                                                         f"got {kind!r}"))
                continue
            lines = entry.get("lines", 1)
            if not isinstance(lines, int) or isinstance(lines, bool) or not 1 <= lines <= 30:
                errors.append(FieldError(f"{path}.lines", f"must be 1–30, got {lines!r}"))
            if kind == "choice":
                _check_choice(entry, path, errors)
            elif kind == "date":
                if "answer" in entry and parse_date(entry["answer"]) is None:
                    errors.append(FieldError(f"{path}.answer",
                                             f"must be a date, got {entry['answer']!r}"))
                if "deadline" in entry:
                    self._check_deadline(entry["deadline"], f"{path}.deadline", errors)
            elif "accept" in entry and not (
                isinstance(entry["accept"], list) and entry["accept"]
                and all(is_text(a) for a in entry["accept"])
            ):
                errors.append(FieldError(f"{path}.accept", "must be a list of accepted answers"))
            if kind != "choice" and "options" in entry:
                errors.append(FieldError(f"{path}.options", "only a choice has options"))

    def _check_deadline(self, rule: Any, path: str, errors: list[FieldError]) -> None:
        if not isinstance(rule, dict):
            errors.append(FieldError(path, "must be a table {from, days}"))
            return
        check_unknown(rule, DEADLINE_KEYS, path, errors)
        if parse_date(rule.get("from")) is None:
            errors.append(FieldError(f"{path}.from", f"must be a date, got {rule.get('from')!r}"))
        days = rule.get("days")
        if not isinstance(days, int) or isinstance(days, bool) or not 0 < days <= 3650:
            errors.append(FieldError(f"{path}.days", f"must be a whole number of days, got "
                                                     f"{days!r}"))
        for key in ("non_working", "working"):
            dates = rule.get(key, [])
            if not isinstance(dates, list) or any(parse_date(d) is None for d in dates):
                errors.append(FieldError(f"{path}.{key}", "must be a list of dates"))

    def _check_rubric(self, item: Item, errors: list[FieldError]) -> None:
        rubric = item.spec.get("rubric")
        if not isinstance(rubric, list) or not rubric:
            errors.append(FieldError("rubric", "must be a non-empty list of {criterion, points}"))
            return
        total = 0.0
        for i, row in enumerate(rubric, start=1):
            path = f"rubric[{i}]"
            if not isinstance(row, dict):
                errors.append(FieldError(path, f"must be a table, got {row!r}"))
                return
            check_unknown(row, RUBRIC_KEYS, path, errors)
            if not is_text(row.get("criterion")):
                errors.append(FieldError(f"{path}.criterion", "missing or empty criterion"))
            points = row.get("points")
            if not is_number(points) or points <= 0:
                errors.append(FieldError(f"{path}.points", f"must be a number > 0, got {points!r}"))
                return
            total += points
        if abs(total - item.points) > 1e-9:
            errors.append(FieldError("rubric", f"rubric points add up to {total:g}, the item is "
                                               f"worth {item.points:g}"))

    def is_answered(self, item: Item, response: Any) -> bool:
        if isinstance(response, dict):
            return any(isinstance(v, str) and v.strip() for v in response.values())
        return isinstance(response, str) and not blank(response)

    def judge(self, item: Item, response: Any) -> Judgement | NeedsMarking:
        if not self.is_answered(item, response):
            return not_answered(1)
        checks = auto_checks(item, response)
        return CheckedMarking(_summary(checks), {"auto_checks": checks})

    def correct_response(self, item: Item) -> Any:
        model = item.spec.get("model_answer")
        out = dict(model) if isinstance(model, dict) else {}
        for spec_field in fields_of(item):
            want = expected_text(spec_field)
            if want is not None:
                out.setdefault(str(spec_field["id"]), want)
        return out or None

    def render_item(self, item: Item, presentation: dict[str, Any] | None = None) -> str:
        lines = [item.stem.rstrip(), "", str(item.spec.get("case", "")).rstrip(), ""]
        for spec_field in fields_of(item):
            lines.append(f"{spec_field.get('label')}:")
            if spec_field.get("kind") == "choice":
                lines += [f"  ☐ {o}" for o in spec_field.get("options", [])]
            else:
                lines += ["  ________________________________"] * int(spec_field.get("lines", 1))
        return "\n".join(lines).rstrip()

    def render_response(self, item: Item, response: Any) -> str:
        if response is None:
            return ""
        if isinstance(response, str):
            return response
        if not isinstance(response, dict):
            return f"<malformed response: {response!r}>"
        lines = []
        for spec_field in fields_of(item):
            value = response.get(str(spec_field.get("id")))
            lines.append(f"{spec_field.get('label')}: {value if isinstance(value, str) else ''}")
        return "\n".join(lines)

    def widget(self, item: Item, presentation: dict[str, Any], response: Any) -> Any:
        from kiosk_public_admin.widgets import CaseStudyWidget

        return CaseStudyWidget(item, presentation, response)


def _check_choice(entry: dict[str, Any], path: str, errors: list[FieldError]) -> None:
    options = entry.get("options")
    if not isinstance(options, list) or len(options) < 2 or not all(is_text(o) for o in options):
        errors.append(FieldError(f"{path}.options", "a choice needs 2+ options"))
    elif "answer" in entry and entry["answer"] not in options:
        errors.append(FieldError(f"{path}.answer", "must be one of the options"))
