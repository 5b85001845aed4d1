"""Marking, review windows and appeals against a centre's ledger: reading the queue and writing
checked `marked`, `remarked`, `review_*`, `appeal_*` events (the fold is kiosk.domain.marking).

Every write re-reads the marking events just before appending, so a second marker who saved the
same round a moment earlier is refused with a clear message instead of being silently ignored by
the fold. Markers are examiners; their actor is "examiner:NAME". The centre service calls these
(kiosk/service/rooms/marking.py), with the marker's name from the caller's login.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kiosk.crypto import passwords
from kiosk.domain import accounts
from kiosk.domain import attempts as A
from kiosk.domain import marking as M
from kiosk.domain.banks import all_items
from kiosk.domain.items import Item
from kiosk.errors import KioskError
from kiosk.ledger.centre import Centre
from kiosk.ledger.store import Event, Ledger
from kiosk.results import ExamContent, fold_attempts, load_exams, needs_marking

EXAMINER = "examiner"


class Refused(KioskError):
    """The action does not fit the marking state; nothing was written."""


def examiner_actor(name: str) -> str:
    return f"{EXAMINER}:{name}"


def login_examiner(ledger: Ledger, name: str, password: str) -> str:
    """The examiner's name when the password is right (one generic failure otherwise)."""
    users = accounts.fold_users(ledger.events(kind=("user_added", "user_disabled")))
    user = accounts.authenticate(users, name.strip(), password, EXAMINER,
                                 check=passwords.check_password)
    if user is None:
        raise KioskError("Unknown user name or wrong password (an examiner account is needed).")
    return user.name


def anon_key(ledger: Ledger) -> str:
    """The key of the anonymous codes: the centre's genesis hash (stable, centre-specific)."""
    genesis = ledger.get(1)
    return genesis.hash if genesis is not None else "kiosk"


@dataclass
class Context:
    """What the marking app and commands need, read once from the ledger."""

    states: dict[str, A.AttemptState]
    exams: dict[str, ExamContent]
    items: dict[str, dict[str, Item]]
    pending: list[M.Pending]
    marks: M.MarkingState
    policies: dict[str, M.MarkingPolicy]
    key: str
    registry: Any = None
    events: list[Event] = field(default_factory=list)

    def item(self, exam: str, key: str) -> Item:
        try:
            return self.items[exam][key]
        except KeyError:
            raise KioskError(f"exam {exam!r}: no item {key!r}") from None

    def queue(self, marker: str | None = None) -> list[M.QueueGroup]:
        return M.marking_queue(self.pending, self.marks, self.policies, self.key, marker)

    def pending_for(self, attempt: str, item: str) -> M.Pending | None:
        return next((p for p in self.pending if p.attempt == attempt and p.item == item), None)

    def resolve_attempt(self, ref: str) -> str:
        """An attempt id from an attempt id or an anonymous code."""
        if ref in self.states:
            return ref
        wanted = ref.strip().upper()
        found = [a for a in self.states if M.anon_code(a, self.key) == wanted]
        if len(found) == 1:
            return found[0]
        raise KioskError(f"no attempt {ref!r} (give an attempt id or a marker's code)")

    def resolve_item(self, exam: str, ref: str, state: A.AttemptState) -> str:
        """An item key on the attempt's paper from `bank:item` or a plain item id."""
        on_paper = [k for keys in state.paper for k in keys]
        if ref in on_paper:
            return ref
        found = [k for k in on_paper if k.split(":", 1)[-1] == ref]
        if len(found) == 1:
            return found[0]
        raise KioskError(f"item {ref!r} is not on the paper of attempt {state.attempt}")


def load_context(centre: Centre, ledger: Ledger | None = None, passphrase: str | None = None,
                 exam_id: str | None = None) -> Context:
    from kiosk.plugins import registry

    reg = registry()
    own = ledger is None
    reader = centre.reader() if ledger is None else ledger
    try:
        events = list(reader.events())
        key = anon_key(reader)
    finally:
        if own:
            reader.close()
    states = fold_attempts(events)
    wanted = sorted({s.exam for s in states.values() if s.submitted and not s.voided
                     and (exam_id is None or s.exam == exam_id)})
    exams = load_exams(centre, wanted, passphrase)
    items = {eid: all_items(banks.values()) for eid, (_exam, banks) in exams.items()}
    pending = needs_marking(states.values(), exams, reg)
    if ledger is not None and not ledger.readonly:
        record_scoring_errors(ledger, pending, events)
    return Context(states=states, exams=exams, items=items, pending=pending,
                   marks=M.fold_events(events),
                   policies={eid: M.MarkingPolicy.from_extra(exam.extra)
                             for eid, (exam, _b) in exams.items()},
                   key=key, registry=reg, events=events)


#: A response automatic scoring failed on (hostile data, a runner that failed its checks, a
#: plugin bug): recorded once per attempt, item and reason, and left in the marking queue.
SCORING_ERROR_KIND = "scoring_error"


def record_scoring_errors(ledger: Ledger, pending: list[M.Pending], events: list[Event]
                          ) -> list[Event]:
    """Append a `scoring_error` event for each pending response whose reason is a scoring
    error not recorded before (a writable context records what it finds)."""
    from kiosk.domain.scoring import SCORING_ERROR

    seen = {(e.attempt, e.body.get("item"), e.body.get("reason")) for e in events
            if e.kind == SCORING_ERROR_KIND}
    out = []
    for p in pending:
        if p.reason.startswith(SCORING_ERROR) and (p.attempt, p.item, p.reason) not in seen:
            seen.add((p.attempt, p.item, p.reason))
            out.append(ledger.append(SCORING_ERROR_KIND, {"exam": p.exam, "item": p.item,
                                                          "reason": p.reason[:300]},
                                     actor="system", attempt=p.attempt))
    return out


def _fresh_marks(ledger: Ledger) -> M.MarkingState:
    return M.fold_events(ledger.events(kind=M.KINDS))


def _check_points(points: float, item: Item) -> None:
    if not 0 <= points <= item.points + 1e-9:
        raise Refused(f"item {item.key}: points must be 0–{item.points:g}, got {points:g}")
    if item.step and abs(points / item.step - round(points / item.step)) > 1e-9:
        raise Refused(f"item {item.key}: points must be a multiple of {item.step:g}, "
                      f"got {points:g}")


def _points_from(item: Item, points: float | None, criteria: Mapping[str, float]) -> float:
    rubric = item.spec.get("rubric") or []
    if criteria:
        err = M.criteria_error(criteria, rubric)
        if err:
            raise Refused(f"item {item.key}: {err}")
        total = float(sum(criteria.values()))
        if points is not None and abs(points - total) > 1e-9:
            raise Refused(f"item {item.key}: points {points:g} differ from the criteria's sum "
                          f"{total:g}")
        points = total
    if points is None:
        raise Refused(f"item {item.key}: give the points or the criteria's points")
    _check_points(points, item)
    return points


def record_mark(ledger: Ledger, ctx: Context, attempt: str, item_key: str, marker: str, *,
                points: float | None = None, criteria: Mapping[str, float] | None = None,
                comment: str = "") -> Event:
    """Append a `marked` event for the round the response needs next."""
    pending = ctx.pending_for(attempt, item_key)
    if pending is None:
        raise Refused(f"attempt {attempt}, item {item_key}: no response waiting for a human "
                      "mark (not submitted, not on the paper, or scored automatically)")
    item = ctx.item(pending.exam, item_key)
    pts = _points_from(item, points, dict(criteria or {}))
    marks = _fresh_marks(ledger)
    resp = marks.get(attempt, item_key)
    st = M.status(resp, ctx.policies.get(pending.exam, M.MarkingPolicy()))
    if st.needs_round is None:
        raise Refused(f"item {item_key}: this response is already marked ({st.note}); "
                      "change a mark with a re-mark")
    if resp is not None and marker in resp.markers():
        raise Refused(f"item {item_key}: {marker} has already marked this response; a second "
                      "or third mark must come from another examiner")
    event = ledger.append(M.MARKED, {
        "attempt": attempt, "item": item_key, "points": pts,
        "criteria": dict(criteria or {}), "marker": marker, "round": st.needs_round,
        "comment": comment,
    }, actor=examiner_actor(marker), attempt=attempt)
    ctx.marks = M.fold_events([event], marks)
    _announce(ledger, event)
    return event


def record_remark(ledger: Ledger, ctx: Context, refers_to: int, marker: str, *,
                  points: float | None = None, criteria: Mapping[str, float] | None = None,
                  comment: str = "") -> Event:
    """Append a `remarked` event replacing mark #refers_to (the old one stays in the ledger)."""
    marks = _fresh_marks(ledger)
    old = marks.by_seq.get(refers_to)
    if old is None:
        raise Refused(f"#{refers_to} is not a mark")
    resp = marks.get(old.attempt, old.item)
    assert resp is not None
    if resp.decision is not None:
        raise Refused(f"item {old.item}: the board decided an appeal on this response "
                      f"(#{resp.decision.seq}); its decision is final")
    if resp.rounds.get(old.round) is not old:
        current = resp.rounds[old.round]
        raise Refused(f"mark #{refers_to} was already replaced by #{current.seq}; re-mark that")
    others = {m.marker for r, m in resp.rounds.items() if r != old.round}
    if marker in others:
        raise Refused(f"{marker} gave another round of this response; marks must stay "
                      "independent")
    exam = ctx.states[old.attempt].exam if old.attempt in ctx.states else ""
    item = ctx.item(exam, old.item)
    pts = _points_from(item, points, dict(criteria or {}))
    event = ledger.append(M.REMARKED, {
        "refers_to": refers_to, "attempt": old.attempt, "item": old.item, "points": pts,
        "criteria": dict(criteria or {}), "marker": marker, "round": old.round,
        "comment": comment,
    }, actor=examiner_actor(marker), attempt=old.attempt)
    ctx.marks = M.fold_events([event], marks)
    _announce(ledger, event)
    return event


# --- review and appeals ---------------------------------------------------------------------


def _review_allowed(ctx: Context, exam_id: str) -> None:
    if exam_id not in ctx.exams:
        raise Refused(f"exam {exam_id!r} has no submitted attempts in this centre")
    exam = ctx.exams[exam_id][0]
    if exam.extra.get("review_allowed") is not True:
        raise Refused(f"exam {exam_id!r} does not allow review (set review_allowed = true in "
                      "its [exam] table)")


def open_review(ledger: Ledger, ctx: Context, exam_id: str, examiner: str) -> Event:
    _review_allowed(ctx, exam_id)
    if _fresh_marks(ledger).review_open.get(exam_id):
        raise Refused(f"the review window of exam {exam_id!r} is already open")
    return ledger.append(M.REVIEW_OPENED, {"exam": exam_id}, actor=examiner_actor(examiner))


def close_review(ledger: Ledger, exam_id: str, examiner: str) -> Event:
    if not _fresh_marks(ledger).review_open.get(exam_id):
        raise Refused(f"the review window of exam {exam_id!r} is not open")
    return ledger.append(M.REVIEW_CLOSED, {"exam": exam_id}, actor=examiner_actor(examiner))


def latest_attempt(ctx: Context, candidate: str, exam_id: str) -> A.AttemptState:
    found = [s for s in ctx.states.values() if s.candidate == candidate and s.exam == exam_id
             and s.submitted and not s.voided]
    if not found:
        raise Refused(f"candidate {candidate!r} has no submitted attempt at exam {exam_id!r}")
    return max(found, key=lambda s: s.submitted_seq or 0)


def lodge_appeal(ledger: Ledger, ctx: Context, attempt: str, item_ref: str, text: str,
                 actor: str) -> Event:
    """Record a candidate's objection to one item's mark (only while the review is open)."""
    state = ctx.states.get(attempt)
    if state is None or not state.submitted or state.voided:
        raise Refused(f"attempt {attempt}: not a submitted attempt")
    _review_allowed(ctx, state.exam)
    marks = _fresh_marks(ledger)
    if not marks.review_open.get(state.exam):
        raise Refused(f"the review window of exam {state.exam!r} is not open: objections are "
                      "taken only during the review")
    item = ctx.resolve_item(state.exam, item_ref, state)
    resp = marks.get(attempt, item)
    if resp is not None and resp.decision is not None:
        raise Refused(f"item {item}: the board already decided (#{resp.decision.seq}); the "
                      "decision is final")
    pending = M.open_appeal(resp)
    if pending is not None:
        # One objection per item: the board's one decision settles the response, so a second
        # objection could never be decided.
        raise Refused(f"item {item}: an objection (#{pending.seq}) is already waiting for the "
                      "board's decision; add to it in person, or wait for the decision")
    if not text.strip():
        raise Refused("the objection needs a text: what is wrong with the mark")
    return ledger.append(M.APPEAL_LODGED, {
        "attempt": attempt, "item": item, "text": text.strip(), "candidate": state.candidate,
    }, actor=actor, attempt=attempt)


def decide_appeal(ledger: Ledger, ctx: Context, appeal_seq: int, points: float, board: str,
                  comment: str = "") -> Event:
    """The board's final decision: the response's points from now on."""
    marks = _fresh_marks(ledger)
    appeal = marks.appeals.get(appeal_seq)
    if appeal is None:
        raise Refused(f"#{appeal_seq} is not an objection (kiosk appeal list shows them)")
    resp = marks.get(appeal.attempt, appeal.item)
    decided = appeal.decision or (resp.decision if resp else None)
    if decided is not None:
        raise Refused(f"item {appeal.item}: already decided by the board (#{decided.seq}, "
                      f"{decided.points:g} points); the decision is final")
    state = ctx.states[appeal.attempt]
    item = ctx.item(state.exam, appeal.item)
    _check_points(points, item)
    event = ledger.append(M.APPEAL_DECIDED, {
        "refers_to": appeal_seq, "attempt": appeal.attempt, "item": appeal.item,
        "points": points, "board": board, "comment": comment,
    }, actor=examiner_actor(board), attempt=appeal.attempt)
    _announce(ledger, event)
    return event


def _announce(ledger: Ledger, event: Event) -> None:
    """The `marked` lifecycle point for plugins (marks, re-marks and the board's decisions),
    once the event is durable (after the service's group commit when it runs inside one)."""
    from kiosk.plugins import notify

    ledger.after_commit(lambda: notify("marked", str(event.attempt), {
        "seq": event.seq, "kind": event.kind, "actor": event.actor, "body": event.body}))
