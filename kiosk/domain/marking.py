"""Human marking, re-marks, review windows and appeals as a pure fold over ledger events.

Events (docs/marking.md has the bodies):
- `marked` {attempt, item, points, criteria {criterion: points}, marker, round 1|2|3, comment}
- `remarked` {refers_to: seq of the mark it replaces, attempt, item, points, criteria, marker,
  round, comment}: the new mark takes the old one's place in its round; the old one stays in the
  history (nothing is erased).
- `review_opened` / `review_closed` {exam}: the betekintés window of an exam.
- `appeal_lodged` {attempt, item, text, candidate}: an objection.
- `appeal_decided` {refers_to: seq of the appeal, attempt, item, points, comment, board}: the
  board's decision — final, a second decision on the same response is ignored here and refused
  when written (kiosk.marking).

Single marking: the round 1 mark is final. Double marking (exam `double_marking = true`): two
independent marks by different markers (rounds 1 and 2). When they differ by at most
`double_marking_threshold` points the final mark is their arithmetic mean, kept exact (7 and 8
give 7.5: no rounding, so neither marker's view is favoured); when they differ by more, the
response goes to a third marker whose mark (round 3) is final — the third marker arbitrates, the
two earlier marks are kept for the record. A board decision on an appeal overrides all of this.

Candidates are shown to markers only by an anonymous code derived from the attempt id with a
keyed hash (HMAC-SHA256, keyed by the centre's genesis hash), so the code is stable for a centre
but cannot be matched to an attempt without the ledger.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

MARKED = "marked"
REMARKED = "remarked"
REVIEW_OPENED = "review_opened"
REVIEW_CLOSED = "review_closed"
APPEAL_LODGED = "appeal_lodged"
APPEAL_DECIDED = "appeal_decided"
KINDS = (MARKED, REMARKED, REVIEW_OPENED, REVIEW_CLOSED, APPEAL_LODGED, APPEAL_DECIDED)
ROUNDS = (1, 2, 3)


class _Event(Protocol):
    seq: int
    ts: str
    actor: str
    kind: str
    body: dict[str, Any]


# --- anonymity ------------------------------------------------------------------------------


def anon_code(attempt: str, key: str | bytes) -> str:
    """A short code for an attempt (e.g. "K7QD-2MXA"): same attempt, same code; no name in it."""
    secret = key.encode() if isinstance(key, str) else key
    digest = hmac.new(secret, attempt.encode(), hashlib.sha256).digest()
    text = base64.b32encode(digest[:5]).decode()
    return f"{text[:4]}-{text[4:]}"


# --- settings -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MarkingPolicy:
    double: bool = False
    threshold: float = 0.0

    @classmethod
    def from_extra(cls, extra: Mapping[str, Any]) -> MarkingPolicy:
        double = extra.get("double_marking", False) is True
        raw = extra.get("double_marking_threshold", 0)
        threshold = float(raw) if isinstance(raw, int | float) and not isinstance(
            raw, bool) and raw >= 0 else 0.0
        return cls(double=double, threshold=threshold)


def policy_error(extra: Mapping[str, Any]) -> str | None:
    """A one-line reason when the exam's marking settings are unusable."""
    double = extra.get("double_marking", False)
    if not isinstance(double, bool):
        return f"double_marking: must be true or false, got {double!r}"
    raw = extra.get("double_marking_threshold", 0)
    if not isinstance(raw, int | float) or isinstance(raw, bool) or raw < 0:
        return f"double_marking_threshold: must be a number of points ≥ 0, got {raw!r}"
    return None


# --- the fold -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    seq: int
    ts: str
    attempt: str
    item: str
    points: float
    marker: str
    round: int
    criteria: Mapping[str, float] = field(default_factory=dict)
    comment: str = ""
    refers_to: int | None = None


@dataclass(frozen=True)
class Decision:
    seq: int
    ts: str
    points: float
    refers_to: int
    board: str = ""
    comment: str = ""


@dataclass
class Appeal:
    seq: int
    ts: str
    attempt: str
    item: str
    text: str
    candidate: str = ""
    decision: Decision | None = None


@dataclass
class ResponseMarks:
    """Every mark of one response (attempt, item); `rounds` holds the current mark per round."""

    attempt: str
    item: str
    rounds: dict[int, Mark] = field(default_factory=dict)
    history: list[Mark] = field(default_factory=list)
    appeals: list[Appeal] = field(default_factory=list)
    decision: Decision | None = None

    def markers(self) -> set[str]:
        return {m.marker for m in self.rounds.values()}


@dataclass
class MarkingState:
    responses: dict[tuple[str, str], ResponseMarks] = field(default_factory=dict)
    by_seq: dict[int, Mark] = field(default_factory=dict)
    appeals: dict[int, Appeal] = field(default_factory=dict)
    #: exam id -> True while its review window is open
    review_open: dict[str, bool] = field(default_factory=dict)
    #: events the fold ignored, with why (a stale or forged writer; writers check first)
    ignored: list[tuple[int, str]] = field(default_factory=list)

    def response(self, attempt: str, item: str) -> ResponseMarks:
        key = (attempt, item)
        if key not in self.responses:
            self.responses[key] = ResponseMarks(attempt, item)
        return self.responses[key]

    def get(self, attempt: str, item: str) -> ResponseMarks | None:
        return self.responses.get((attempt, item))


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _mark(event: _Event, refers_to: int | None = None) -> Mark | None:
    b = event.body
    points = _number(b.get("points"))
    rnd = b.get("round", 1)
    if (points is None or not isinstance(b.get("attempt"), str) or not isinstance(
            b.get("item"), str) or rnd not in ROUNDS):
        return None
    criteria = b.get("criteria") or {}
    return Mark(seq=event.seq, ts=event.ts, attempt=b["attempt"], item=b["item"], points=points,
                marker=str(b.get("marker") or event.actor), round=int(rnd),
                criteria={str(k): float(v) for k, v in criteria.items()
                          if _number(v) is not None} if isinstance(criteria, dict) else {},
                comment=str(b.get("comment") or ""), refers_to=refers_to)


def fold_marking(state: MarkingState, event: _Event) -> MarkingState:
    """Reducer: apply one event (extends `state` in place and returns it)."""
    fold = _FOLDS.get(event.kind)
    if fold is not None:
        fold(state, event)
    return state


def _marked(state: MarkingState, event: _Event) -> None:
    """A first mark of a round: kept unless malformed, the round is marked or a decision is
    final."""
    mark = _mark(event)
    if mark is None:
        state.ignored.append((event.seq, "malformed mark"))
        return
    resp = state.response(mark.attempt, mark.item)
    if resp.decision is not None:
        state.ignored.append((event.seq, "the response has a final appeal decision"))
    elif mark.round in resp.rounds:
        state.ignored.append((event.seq, f"round {mark.round} is already marked "
                              f"(#{resp.rounds[mark.round].seq}); a change is a re-mark"))
    else:
        resp.rounds[mark.round] = mark
        resp.history.append(mark)
        state.by_seq[mark.seq] = mark


def _remarked(state: MarkingState, event: _Event) -> None:
    """A re-mark: replaces the current mark it refers to, in that mark's round and response."""
    b = event.body
    old = state.by_seq.get(b.get("refers_to"))  # type: ignore[arg-type]
    mark = _mark(event, refers_to=b.get("refers_to"))
    if old is None or mark is None:
        state.ignored.append((event.seq, "re-mark of an unknown mark"))
        return
    resp = state.response(old.attempt, old.item)
    if resp.decision is not None:
        state.ignored.append((event.seq, "the response has a final appeal decision"))
    elif resp.rounds.get(old.round) is not old:
        state.ignored.append((event.seq, f"mark #{old.seq} was already replaced"))
    else:
        # The round and the response are the old mark's, whatever the body claims.
        mark = Mark(**{**mark.__dict__, "attempt": old.attempt, "item": old.item,
                       "round": old.round})
        resp.rounds[old.round] = mark
        resp.history.append(mark)
        state.by_seq[mark.seq] = mark


def _review(state: MarkingState, event: _Event) -> None:
    """An exam's review (betekintés) opening or closing."""
    exam = event.body.get("exam")
    if isinstance(exam, str):
        state.review_open[exam] = event.kind == REVIEW_OPENED


def _appeal_lodged(state: MarkingState, event: _Event) -> None:
    """An appeal against one response's mark (ignored when it names no attempt and item)."""
    b = event.body
    if not isinstance(b.get("attempt"), str) or not isinstance(b.get("item"), str):
        state.ignored.append((event.seq, "malformed appeal"))
        return
    appeal = Appeal(seq=event.seq, ts=event.ts, attempt=b["attempt"], item=b["item"],
                    text=str(b.get("text") or ""), candidate=str(b.get("candidate") or ""))
    state.appeals[appeal.seq] = appeal
    state.response(appeal.attempt, appeal.item).appeals.append(appeal)


def _appeal_decided(state: MarkingState, event: _Event) -> None:
    """The board's final decision on an appeal: its points stand for the response."""
    b = event.body
    decided = state.appeals.get(b.get("refers_to"))  # type: ignore[arg-type]
    points = _number(b.get("points"))
    if decided is None or points is None:
        state.ignored.append((event.seq, "decision on an unknown appeal"))
        return
    resp = state.response(decided.attempt, decided.item)
    if resp.decision is not None or decided.decision is not None:
        state.ignored.append((event.seq, "the appeal was already decided (final)"))
        return
    decision = Decision(seq=event.seq, ts=event.ts, points=points, refers_to=decided.seq,
                        board=str(b.get("board") or event.actor),
                        comment=str(b.get("comment") or ""))
    decided.decision = decision
    resp.decision = decision


#: event kind -> what it does to the marking state (other kinds leave it as it is)
_FOLDS: dict[str, Callable[[MarkingState, _Event], None]] = {
    MARKED: _marked, REMARKED: _remarked, REVIEW_OPENED: _review, REVIEW_CLOSED: _review,
    APPEAL_LODGED: _appeal_lodged, APPEAL_DECIDED: _appeal_decided,
}


def fold_events(events: Iterable[_Event], state: MarkingState | None = None) -> MarkingState:
    state = state if state is not None else MarkingState()
    for event in events:
        if event.kind in KINDS:
            fold_marking(state, event)
    return state


# --- what a response's marks add up to ------------------------------------------------------


@dataclass(frozen=True)
class MarkStatus:
    #: the mark that counts, or None while marking is outstanding
    final: float | None
    #: the round a marker should give next (None when no more marking is needed)
    needs_round: int | None
    #: the mark before the appeal decision (None when there was no decision)
    original: float | None = None
    note: str = ""


def _status(resp: ResponseMarks | None, policy: MarkingPolicy) -> MarkStatus:
    rounds = resp.rounds if resp is not None else {}
    first, second, third = rounds.get(1), rounds.get(2), rounds.get(3)
    if not policy.double:
        if first is None:
            return MarkStatus(None, 1, note="not marked yet")
        return MarkStatus(first.points, None, note=f"marked by {first.marker}")
    if first is None or second is None:
        return MarkStatus(None, 2 if first is not None else 1,
                          note="first mark missing" if first is None else "second mark missing")
    gap = abs(first.points - second.points)
    if gap > policy.threshold + 1e-9:
        if third is None:
            return MarkStatus(None, 3, note=f"marks differ by {gap:g} > {policy.threshold:g}: "
                              "a third marker decides")
        return MarkStatus(third.points, None, note=f"third marker {third.marker} decided")
    return MarkStatus((first.points + second.points) / 2, None,
                      note=f"mean of {first.points:g} and {second.points:g}")


def counting_marks(resp: ResponseMarks | None, policy: MarkingPolicy) -> list[Mark]:
    """The marks the final mark rests on: the single mark, both marks of a mean, or the third
    marker's alone (the two it arbitrated are superseded). Empty while marking is outstanding."""
    if resp is None:
        return []
    rounds = resp.rounds
    st = _status(resp, policy)
    if st.final is None:
        return []
    if not policy.double:
        return [rounds[1]]
    if 3 in rounds and st.note.startswith("third"):
        return [rounds[3]]
    return [rounds[1], rounds[2]]


def ordered_criteria(marks: Iterable[Mark], rubric: Iterable[Mapping[str, Any]]
                     ) -> list[tuple[str, float]]:
    """Criterion points of the counting marks (the mean when two count), in the rubric's order;
    criteria the rubric does not name follow in the marks' order."""
    marks = list(marks)
    if not marks:
        return []
    names = [str(r.get("criterion")) for r in rubric]
    for m in marks:
        names.extend(n for n in m.criteria if n not in names)
    out = []
    for name in names:
        given = [m.criteria[name] for m in marks if name in m.criteria]
        if given:
            out.append((name, sum(given) / len(given)))
    return out


def open_appeal(resp: ResponseMarks | None) -> Appeal | None:
    """An objection on this response still waiting for the board (at most one may be)."""
    if resp is None:
        return None
    return next((a for a in resp.appeals if a.decision is None), None)


def status(resp: ResponseMarks | None, policy: MarkingPolicy) -> MarkStatus:
    """Where one response stands: its final mark, or which round it needs next."""
    base = _status(resp, policy)
    if resp is not None and resp.decision is not None:
        return MarkStatus(resp.decision.points, None, original=base.final,
                          note=f"appeal decided by the board (#{resp.decision.seq})")
    return base


# --- the marking queue ----------------------------------------------------------------------


@dataclass(frozen=True)
class Pending:
    """A response that a question type could not score (given by the caller)."""

    attempt: str
    item: str
    exam: str
    response: Any = None
    #: why the type could not score it ("human marking", "scoring error: …")
    reason: str = ""


@dataclass(frozen=True)
class QueueEntry:
    attempt: str
    item: str
    exam: str
    code: str
    round: int
    response: Any = None


@dataclass
class QueueGroup:
    item: str
    exam: str
    entries: list[QueueEntry] = field(default_factory=list)
    done: int = 0


def marking_queue(pending: Iterable[Pending], state: MarkingState,
                  policies: Mapping[str, MarkingPolicy], key: str | bytes,
                  marker: str | None = None) -> list[QueueGroup]:
    """Responses that still need a mark, grouped by item (in first-seen order). With `marker`,
    responses this marker already marked are left out: double marks must be independent."""
    groups: dict[tuple[str, str], QueueGroup] = {}
    for p in pending:
        group = groups.setdefault((p.exam, p.item), QueueGroup(item=p.item, exam=p.exam))
        resp = state.get(p.attempt, p.item)
        st = status(resp, policies.get(p.exam, MarkingPolicy()))
        if st.needs_round is None:
            group.done += 1
            continue
        if marker is not None and resp is not None and marker in resp.markers():
            continue
        group.entries.append(QueueEntry(attempt=p.attempt, item=p.item, exam=p.exam,
                                        code=anon_code(p.attempt, key), round=st.needs_round,
                                        response=p.response))
    return list(groups.values())


def criteria_error(criteria: Mapping[str, Any], rubric: Iterable[Mapping[str, Any]]
                   ) -> str | None:
    """A reason when criterion points are unknown, negative or above the rubric's points."""
    limits = {str(r.get("criterion")): float(r.get("points", 0)) for r in rubric}
    for name, value in criteria.items():
        if name not in limits:
            return f"unknown criterion {name!r} (rubric: {', '.join(limits) or 'none'})"
        v = _number(value)
        if v is None or v < 0 or v > limits[name] + 1e-9:
            return f"criterion {name!r}: points must be 0–{limits[name]:g}, got {value!r}"
    return None
