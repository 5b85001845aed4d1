"""Betekintés: what a candidate may see of their marked paper during an open review window, and
their objections (the candidate kiosk's review screen calls this; no Textual here).

The window is per exam (`review_opened` / `review_closed` {exam}, kiosk.marking.open_review) and
only for exams with `review_allowed = true`. Outside it nothing is shown: the marks become
visible to the candidate only when the examiner opens the review. The points per item are the
results' own (kiosk.results), so the paper shows exactly what the results use, with the
original and the final mark after a board decision. Objections go through
kiosk.marking.lodge_appeal, the function behind `kiosk appeal lodge`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk.domain import marking as M
from kiosk.domain.banks import all_items
from kiosk.domain.exams import Exam
from kiosk.errors import KioskError
from kiosk.ledger.centre import Centre
from kiosk.ledger.store import Event
from kiosk.results import (
    ATTEMPT_KINDS,
    RESULT_KINDS,
    fold_attempts,
    load_exams,
    results_from_events,
)

REVIEW_KINDS = (M.REVIEW_OPENED, M.REVIEW_CLOSED)


@dataclass(frozen=True)
class Objection:
    seq: int
    text: str
    decided: bool
    #: the board's points (None while undecided)
    points: float | None = None
    comment: str = ""


@dataclass(frozen=True)
class ReviewItem:
    number: int
    key: str
    part: str
    part_title: str
    #: the item as plain text (the question type's render_item, in the candidate's option order)
    stem: str
    #: the candidate's response as plain text ("" when unanswered)
    response: str
    points: float
    max_points: float
    #: "auto", "marked", "appeal", or "pending" while a human mark is outstanding
    source: str
    #: the markers' points before the board's decision (None when there was none)
    original: float | None
    #: criterion → points given, from the current mark(s)
    criteria: tuple[tuple[str, float], ...]
    #: markers' and the board's comments (markers are not named: the candidate sees no names)
    comments: tuple[str, ...]
    objections: tuple[Objection, ...]
    #: an objection may be lodged now (window open, no final decision, none waiting)
    can_object: bool
    #: the item's stem as written (Markdown), and the rest of `stem` (options, case, form)
    stem_markdown: str = ""
    stem_rest: str = ""
    #: the right answer as plain text, for items the kiosk scored itself ("" otherwise)
    correct: str = ""


@dataclass(frozen=True)
class PaperReview:
    attempt: str
    candidate: str
    exam: str
    exam_title: str
    items: tuple[ReviewItem, ...]
    points: float
    max_points: float
    #: a human mark is still outstanding
    provisional: bool


def review_allowed(exam: Exam) -> bool:
    return exam.extra.get("review_allowed") is True


def window_open(centre: Centre, exam_id: str) -> bool:
    """Is the review window of `exam_id` open now (read fresh from the ledger)?"""
    with centre.reader() as reader:
        state = M.fold_events(reader.events(kind=REVIEW_KINDS))
    return bool(state.review_open.get(exam_id))


def review_offered(centre: Centre, exam: Exam) -> bool:
    """Should the kiosk offer the review of a submitted paper of `exam` now?"""
    return review_allowed(exam) and window_open(centre, exam.id)


def _own_events(events: list[Event], attempt: str) -> list[Event]:
    # Only this attempt's answers count, so the results give exactly this paper's items even
    # when the candidate sat the exam more than once.
    return [e for e in events if e.kind not in ATTEMPT_KINDS or e.attempt == attempt]


def load_paper_review(centre: Centre, attempt: str, *, passphrase: str | None = None,
                      registry: Any = None) -> PaperReview:
    """The marked paper of a submitted attempt, read-only. Raises marking.Refused outside the
    exam's review window (the marks are not shown to the candidate then)."""
    from kiosk.marking import Refused

    if registry is None:
        from kiosk.plugins import registry as get_registry

        registry = get_registry()
    with centre.reader() as reader:
        events = list(reader.events(kind=RESULT_KINDS))
    state = fold_attempts(events).get(attempt)
    if state is None or not state.submitted or state.voided:
        raise Refused(f"attempt {attempt}: not a submitted attempt")
    content = load_exams(centre, [state.exam], passphrase)
    exam, banks = content[state.exam]
    marks = M.fold_events(events)
    if not review_allowed(exam):
        raise Refused(f"exam {exam.id!r} does not allow review")
    if not marks.review_open.get(exam.id):
        raise Refused(f"the review window of exam {exam.id!r} is not open")

    results = [r for r in results_from_events(_own_events(events, attempt), content,
                                              exam_id=exam.id, registry=registry)
               if r.attempt == attempt]
    if not results:
        raise KioskError(f"attempt {attempt}: no result to review")
    result = results[0]
    items = all_items(banks.values())
    titles = {p.id: p.title for p in exam.parts}
    policy = M.MarkingPolicy.from_extra(exam.extra)
    out = []
    for number, ir in enumerate(result.items, start=1):
        item = items[ir.item]
        qtype = registry.question_types[item.type]
        response = state.answers.get(ir.item)
        resp = marks.get(attempt, ir.item)
        decision = resp.decision if resp is not None else None
        counting = M.counting_marks(resp, policy)
        # Only the marks the final mark rests on: a third marker's arbitration supersedes the
        # two earlier marks, and their comments would contradict the result shown.
        criteria = M.ordered_criteria(counting, item.spec.get("rubric") or [])
        comments = [m.comment for m in counting if m.comment]
        if decision is not None and decision.comment:
            comments.append(decision.comment)
        objections = tuple(
            Objection(seq=a.seq, text=a.text, decided=a.decision is not None,
                      points=a.decision.points if a.decision else None,
                      comment=a.decision.comment if a.decision else "")
            for a in (resp.appeals if resp is not None else []))
        stem = qtype.render_item(item, dict(state.presentation.get(ir.item, {})))
        head = item.stem.rstrip()
        rest = stem[len(head):].strip("\n") if head and stem.startswith(head) else ""
        out.append(ReviewItem(
            number=number, key=ir.item, part=ir.part, part_title=titles.get(ir.part, ir.part),
            stem=stem, stem_markdown=head if rest or stem == head else "", stem_rest=rest,
            correct=_correct_text(qtype, item) if ir.source == "auto" else "",
            response="" if response is None else qtype.render_response(item, response),
            points=ir.points, max_points=ir.max_points, source=ir.source, original=ir.original,
            criteria=tuple(criteria), comments=tuple(comments), objections=objections,
            can_object=decision is None and M.open_appeal(resp) is None))
    return PaperReview(
        attempt=attempt, candidate=state.candidate, exam=exam.id, exam_title=exam.title,
        items=tuple(out), points=sum(i.points for i in out),
        max_points=sum(i.max_points for i in out),
        provisional=any(i.source == "pending" for i in out))


def review_only(sittings: Any, events: Any, candidate: str) -> list[Any]:
    """Closed sittings `candidate` may still log in to, for the betekintés only: they submitted
    an attempt there and the sitting's exam has its review window open. Pure over the sittings
    and the attempt and review events; a closed sitting never gives a new attempt."""
    events = list(events)
    review = M.fold_events(e for e in events if e.kind in REVIEW_KINDS).review_open
    submitted = {s.sitting for s in fold_attempts(
        e for e in events if e.kind in ATTEMPT_KINDS).values()
        if s.candidate == candidate and s.submitted and not s.voided}
    return [s for s in sittings if not s.open and s.has(candidate) and s.id in submitted
            and review.get(s.exam)]


def _correct_text(qtype: Any, item: Any) -> str:
    """The right answer in the question type's own words; "" when it has none to show."""
    try:
        right = qtype.correct_response(item)
        return "" if right is None else qtype.render_response(item, right)
    except Exception:  # a plugin's failure must not hide the candidate's paper
        return ""


def lodge_objection(centre: Centre, attempt: str, item: str, text: str, *,
                    passphrase: str | None = None) -> Event:
    """The candidate's objection to one item's mark, as `kiosk appeal lodge` records it (same
    checks: window open, no final decision, a text)."""
    from kiosk import marking

    with centre.ledger(passphrase) as ledger:
        state = fold_attempts(ledger.events(attempt=attempt)).get(attempt)
        if state is None:
            raise marking.Refused(f"attempt {attempt}: not a submitted attempt")
        ctx = marking.load_context(centre, ledger, passphrase, exam_id=state.exam)
        return marking.lodge_appeal(ledger, ctx, attempt, item, text,
                                    actor=f"candidate:{state.candidate}")
