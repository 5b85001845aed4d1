"""What a marker sees of one response, as plain data (the examiner app renders it; no Textual).

The whole question (the stem as Markdown, then what the question type renders besides it: a
case's facts, the answer form, options), the answer field by field in the question type's own
words (never a raw dict), the question type's automatic checks (e.g. a case study's deadline
typed as 12 March where 11 March is right), the model answer, and for a third marker both
earlier marks with their comments: the third marker arbitrates between them, so they must be
seen. Blind double marking stays blind: the second marker sees no earlier mark.

`parse_points` reads a number as a Hungarian or English marker types it ("1,5", "1.5").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kiosk.domain.marking import Mark, ResponseMarks
from kiosk.domain.scoring import NeedsMarking


@dataclass(frozen=True)
class EarlierMark:
    round: int
    marker: str
    points: float
    criteria: tuple[tuple[str, float], ...]
    comment: str


@dataclass(frozen=True)
class MarkingView:
    #: the stem (Markdown)
    stem: str
    #: the rest of the question as the type renders it: case facts, form, options ("" if none)
    question_rest: str
    #: the response, labelled field by field ("" when unanswered)
    answer: str
    #: the question type's note on the response, advice for the marker ("" when it has none)
    checks: str
    #: structured automatic checks (label, given, expected, agrees: True/False/None=unreadable)
    check_rows: tuple[tuple[str, str, str, bool | None], ...]
    #: the model answer or the expected answers ("" when the item has none)
    model: str
    #: marks the marker may see: both earlier marks for the third round, none otherwise
    earlier: tuple[EarlierMark, ...]


def _safe(call: Any, *args: Any) -> Any:
    try:
        return call(*args)
    except Exception as exc:  # a plugin's failure is shown, it never stops the marking
        return f"<{type(exc).__name__}: {exc}>"


def _model(item: Any, qtype: Any) -> str:
    model = item.spec.get("model_answer")
    if isinstance(model, str) and model.strip():
        return model.strip()
    right = _safe(qtype.correct_response, item) if hasattr(qtype, "correct_response") else None
    if right is None or isinstance(right, str) and right.startswith("<"):
        if isinstance(model, Mapping):
            return "\n".join(f"{k}: {v}" for k, v in model.items())
        return ""
    text = _safe(qtype.render_response, item, right)
    return text if isinstance(text, str) else ""


def earlier_marks(resp: ResponseMarks | None, round_: int,
                  rubric: Sequence[Mapping[str, Any]] = ()) -> tuple[EarlierMark, ...]:
    """The earlier rounds' current marks, only for the third round (double marking is blind)."""
    if resp is None or round_ < 3:
        return ()
    order = [str(r.get("criterion")) for r in rubric]

    def criteria(m: Mark) -> tuple[tuple[str, float], ...]:
        names = order + [n for n in m.criteria if n not in order]
        return tuple((n, m.criteria[n]) for n in names if n in m.criteria)

    return tuple(EarlierMark(r, m.marker, m.points, criteria(m), m.comment)
                 for r, m in sorted(resp.rounds.items()) if r < round_)


def marking_view(item: Any, response: Any, qtype: Any, resp: ResponseMarks | None = None,
                 round_: int = 1) -> MarkingView:
    rendered = _safe(qtype.render_item, item, None)
    rendered = rendered if isinstance(rendered, str) else ""
    head = item.stem.rstrip()
    rest = rendered[len(head):].strip("\n") if rendered.startswith(head) else rendered
    # The blank answer lines of a printed form ("____") only repeat the labels of the answer
    # shown below them.
    rest = "\n".join(line for line in rest.split("\n") if line.strip().strip("_") or
                     not line.strip())
    answer = "" if response is None else _safe(qtype.render_response, item, response)
    judged = _safe(qtype.judge, item, response)
    checks, rows = "", []
    if isinstance(judged, NeedsMarking):
        if judged.reason != NeedsMarking.reason:
            checks = judged.reason
        detail = getattr(judged, "detail", None)
        for c in (detail or {}).get("auto_checks", []) if isinstance(detail, Mapping) else []:
            if isinstance(c, Mapping):
                ok = c.get("ok")
                rows.append((str(c.get("label", c.get("field", ""))), str(c.get("given", "")),
                             str(c.get("expected", "")), ok if isinstance(ok, bool) else None))
    return MarkingView(stem=head, question_rest=rest.strip(), answer=str(answer), checks=checks,
                       check_rows=tuple(rows), model=_model(item, qtype),
                       earlier=earlier_marks(resp, round_, item.spec.get("rubric") or []))


def parse_points(text: str) -> float | None:
    """"1,5" and "1.5" are 1.5; "" and anything else are None. Thousands separators are not
    points a marker gives, so "1.000,5" is refused rather than guessed."""
    raw = text.strip().replace(" ", "")
    if not raw or raw.count(",") + raw.count(".") > 1:
        return None
    try:
        return float(raw.replace(",", "."))
    except ValueError:
        return None
