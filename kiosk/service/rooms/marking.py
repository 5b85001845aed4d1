"""Marking, review windows and appeals: the examiner's use cases (`kiosk mark`, `mark-set`,
`remark`, `mark-queue`, `review`, `appeal`, and the marking app).

The marker is always the caller: the name comes from the staff token (or the embedded login),
never from the arguments, so one examiner cannot mark, re-mark or decide under another's name.
Markers see anonymous codes only; the attempt behind a code is resolved here, in the service.
The checks themselves (rounds, points, independence of double marks) are kiosk.marking's.
"""

from __future__ import annotations

import base64
import copy
import threading
from collections import OrderedDict
from typing import Any

from kiosk import marking
from kiosk.domain import marking as M
from kiosk.errors import KioskError
from kiosk.service.usecases import ANY_STAFF, OPERATOR, Context, use_case

#: Who marks, re-marks, opens a review or records the board's decision: examiners, by name.
EXAMINERS = ("examiner",)
#: Who may see the queue's anonymous codes or record a candidate's objection taken on paper.
OFFICE = (OPERATOR, "examiner", "admin")
#: An item's attachments travel with the response to mark up to this size in all.
MAX_MEDIA_BYTES = 8 * 1024 * 1024


def examiner(ctx: Context) -> str:
    """The calling examiner's name (the role is checked by the use case's `roles`)."""
    if ctx.caller.role != "examiner" or not ctx.caller.name:
        raise KioskError("this needs an examiner logged in (--user NAME)")
    return ctx.caller.name


#: Marking contexts read lately, by (centre, ledger head, exam): a context is a function of
#: the events up to the head (exam loads included), so a marker's queue, the response they open
#: and the mark's read-first step share one fold while nothing else was written.
_CACHE: OrderedDict[tuple[str, str, int, str | None], marking.Context] = OrderedDict()
_CACHE_SIZE = 4
_CACHE_LOCK = threading.Lock()


def context(ctx: Context, exam: str | None = None) -> marking.Context:
    """The marking state as of now; on the writer's ledger it also records scoring errors.
    Shared between readers: never change what it returns (a write takes a copy)."""
    if not ctx.ledger.readonly:
        return marking.load_context(ctx.centre, ctx.ledger, ctx.passphrase, exam_id=exam)
    # The head first: what is read after it is at least as new, never older. The genesis
    # names the ledger (a centre made again in the same directory is another).
    key = (str(ctx.centre.path), marking.anon_key(ctx.ledger), ctx.ledger.head_seq(), exam)
    with _CACHE_LOCK:
        found = _CACHE.get(key)
        if found is not None:
            _CACHE.move_to_end(key)
            return found
    found = marking.load_context(ctx.centre, ctx.ledger, ctx.passphrase, exam_id=exam)
    with _CACHE_LOCK:
        _CACHE[key] = found
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return found


def _snapshot(ctx: Context, args: dict[str, Any]) -> marking.Context:
    """`read_first` of the writing use cases: the marking context (every attempt folded and
    scored: hundreds of ms for a few hundred candidates) from a reader's snapshot, off the
    writer thread. The write re-reads the marks themselves inside its transaction
    (kiosk.marking's checks do) and re-checks the attempt (`_still_open`)."""
    exam = args.get("exam")
    return context(ctx, exam if isinstance(exam, str) else None)


def first(ctx: Context, exam: str | None = None) -> marking.Context:
    """The context `_snapshot` read for this write (or read now, when called without it),
    with the scoring errors it found recorded in this transaction (once each)."""
    found = ctx.extra.get("first")
    if not isinstance(found, marking.Context):
        return context(ctx, exam)
    if not ctx.ledger.readonly:
        seen = list(ctx.ledger.events(kind=marking.SCORING_ERROR_KIND))
        marking.record_scoring_errors(ctx.ledger, found.pending, seen)
    # kiosk.marking updates the context's marks after appending: on a copy, so a rolled-back
    # write leaves nothing behind in the shared one.
    return copy.copy(found)


def _still_open(ctx: Context, attempt: str) -> None:
    """The snapshot is a moment old: an attempt voided since is not marked."""
    if next(iter(ctx.ledger.events(kind="attempt_voided", attempt=attempt)), None) is not None:
        raise marking.Refused(f"attempt {attempt}: voided; nothing to mark")


def _marker_of(ctx: Context) -> str | None:
    return ctx.caller.name if ctx.caller.role == "examiner" else None


class PlainType:
    """Stands in for a question type that is not installed: the text as it is."""

    def render_item(self, item: Any, presentation: Any = None) -> str:
        return str(item.stem)

    def render_response(self, item: Any, response: Any) -> str:
        return response if isinstance(response, str) else repr(response)

    def judge(self, item: Any, response: Any) -> Any:
        return None


def queue_json(groups: list[M.QueueGroup]) -> list[dict[str, Any]]:
    return [{"exam": g.exam, "item": g.item, "done": g.done,
             "waiting": [{"code": e.code, "round": e.round} for e in g.entries]}
            for g in groups]


@use_case("marking.queue", roles=OFFICE, writes=False, needs_key=True)
def queue(ctx: Context, *, exam: str | None = None) -> list[dict[str, Any]]:
    """What is left to mark, by item, with anonymous codes only; an examiner's own queue leaves
    out the responses they marked already (double marks are independent)."""
    return queue_json(context(ctx, exam).queue(_marker_of(ctx)))


@use_case("marking.exams", roles=OFFICE, writes=False)
def exams(ctx: Context) -> list[str]:
    """The exams with submitted papers (the marking app's statistics go through them)."""
    from kiosk.results import fold_attempts

    states = fold_attempts(ctx.ledger.events(kind=("attempt_created", "attempt_submitted",
                                                   "attempt_voided")))
    return sorted({s.exam for s in states.values() if s.submitted and not s.voided})


def _entry(mctx: marking.Context, marker: str, exam: str, item: str, code: str
           ) -> M.QueueEntry:
    for g in mctx.queue(marker):
        if g.exam == exam and g.item == item:
            for e in g.entries:
                if e.code == code.strip().upper():
                    return e
    raise marking.Refused(f"{code} {item}: not waiting for a mark from {marker} (marked "
                          "meanwhile, or not in the queue)")


def _media(item: Any) -> dict[str, str]:
    from kiosk import media

    out: dict[str, str] = {}
    total = 0
    for att in item.attachments:
        sha = att.get("sha256")
        if not sha or sha in out:
            continue
        data = media.content(item, att)
        if data is None or total + len(data) > MAX_MEDIA_BYTES:
            continue  # the widget says "missing"; the marking goes on
        total += len(data)
        out[sha] = base64.b64encode(data).decode("ascii")
    return out


@use_case("marking.response", roles=EXAMINERS, writes=False, needs_key=True)
def response(ctx: Context, *, exam: str, item: str, code: str) -> dict[str, Any]:
    """One response to mark, as the marking app shows it: the item (with its attachments), the
    question type's view of the answer and its automatic checks, the model answer, and for a
    third marker both earlier marks (kiosk.domain.marking_view). Only a response waiting for
    this examiner: a second marker never sees the first mark."""
    from dataclasses import asdict

    from kiosk.domain.marking_view import marking_view

    marker = examiner(ctx)
    mctx = context(ctx, exam)
    entry = _entry(mctx, marker, exam, item, code)
    found = mctx.item(exam, item)
    qtype = mctx.registry.question_types.get(found.type) if mctx.registry is not None else None
    view = marking_view(found, entry.response, qtype or PlainType(),
                        mctx.marks.get(entry.attempt, entry.item), entry.round)
    # Where the bank lies on the service's disk is none of the client's business; its
    # attachments travel by hash instead.
    content = {**asdict(found), "source": ""}
    return {"exam": exam, "item": item, "code": entry.code, "round": entry.round,
            "content": content, "view": asdict(view), "media": _media(found)}


@use_case("marking.mark", roles=EXAMINERS, read_first=_snapshot)
def mark(ctx: Context, *, attempt: str, item: str, points: float | None = None,
         criteria: dict[str, float] | None = None, comment: str = "") -> dict[str, Any]:
    """A `marked` event for the round the response needs next, under the caller's name.
    `attempt` is an attempt id or a marker's code; `item` an item key or plain item id."""
    marker = examiner(ctx)
    mctx = first(ctx)
    attempt_id = mctx.resolve_attempt(attempt)
    _still_open(ctx, attempt_id)
    state = mctx.states[attempt_id]
    key = mctx.resolve_item(state.exam, item, state)
    event = marking.record_mark(ctx.ledger, mctx, attempt_id, key, marker, points=points,
                                criteria=criteria or {}, comment=comment)
    return {"code": M.anon_code(attempt_id, mctx.key), "exam": state.exam, "item": key,
            "points": event.body["points"], "round": event.body["round"], "seq": event.seq}


@use_case("marking.remark", roles=EXAMINERS, read_first=_snapshot)
def remark(ctx: Context, *, seq: int, points: float | None = None,
           criteria: dict[str, float] | None = None, comment: str = "") -> dict[str, Any]:
    """A `remarked` event replacing mark #seq (which stays in the ledger)."""
    marker = examiner(ctx)
    event = marking.record_remark(ctx.ledger, first(ctx), int(seq), marker, points=points,
                                  criteria=criteria or {}, comment=comment)
    return {"refers_to": int(seq), "points": event.body["points"], "seq": event.seq}


# --- review and appeals ---------------------------------------------------------------------


@use_case("review.open", roles=EXAMINERS, read_first=_snapshot)
def review_open(ctx: Context, *, exam: str) -> dict[str, Any]:
    event = marking.open_review(ctx.ledger, first(ctx, exam), exam, examiner(ctx))
    return {"exam": exam, "seq": event.seq}


@use_case("review.close", roles=EXAMINERS)
def review_close(ctx: Context, *, exam: str) -> dict[str, Any]:
    event = marking.close_review(ctx.ledger, exam, examiner(ctx))
    return {"exam": exam, "seq": event.seq}


@use_case("appeal.lodge", roles=OFFICE, read_first=_snapshot)
def appeal_lodge(ctx: Context, *, exam: str, candidate: str, item: str, text: str
                 ) -> dict[str, Any]:
    """A candidate's objection taken down by the office or an examiner (the candidate's own,
    on the review screen, goes through the candidate's session)."""
    mctx = first(ctx, exam)
    state = marking.latest_attempt(mctx, candidate, exam)
    _still_open(ctx, state.attempt)
    event = marking.lodge_appeal(ctx.ledger, mctx, state.attempt, item, text,
                                 actor=f"candidate:{state.candidate}")
    return {"seq": event.seq, "item": event.body["item"]}


@use_case("appeal.list", roles=ANY_STAFF, writes=False)
def appeal_list(ctx: Context, *, exam: str | None = None) -> list[dict[str, Any]]:
    from kiosk.results import fold_attempts

    events = list(ctx.ledger.events())
    states = fold_attempts(events)
    state = M.fold_events(events)
    rows = []
    for a in state.appeals.values():
        exam_id = states[a.attempt].exam if a.attempt in states else ""
        if exam is not None and exam_id != exam:
            continue
        d = a.decision
        rows.append({"appeal": a.seq, "exam": exam_id, "candidate": a.candidate,
                     "attempt": a.attempt, "item": a.item, "text": a.text,
                     "decided": d is not None, "points": d.points if d else None,
                     "decision": d.seq if d else None})
    return rows


@use_case("appeal.decide", roles=EXAMINERS, read_first=_snapshot)
def appeal_decide(ctx: Context, *, appeal: int, points: float, comment: str = ""
                  ) -> dict[str, Any]:
    """The board's final decision on objection #appeal, recorded by the calling examiner."""
    event = marking.decide_appeal(ctx.ledger, first(ctx), int(appeal), float(points),
                                  examiner(ctx), comment)
    return {"appeal": int(appeal), "points": event.body["points"], "seq": event.seq}
