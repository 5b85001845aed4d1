"""The oral part before the board (`kiosk oral cards|draw|record|timer`): the topic cards, the
random draw (recorded in the ledger) and the board's grade or points, under the calling
examiner's name (kiosk.domain.oral)."""

from __future__ import annotations

import secrets
from datetime import date as Date
from typing import Any

from kiosk.domain import oral as O
from kiosk.domain.exams import Exam
from kiosk.errors import KioskError
from kiosk.ledger.store import Ledger
from kiosk.service.rooms.marking import EXAMINERS, OFFICE, examiner
from kiosk.service.usecases import Context, use_case


def _exam(ctx: Context, exam_id: str) -> Exam:
    from kiosk.exam_store import exam_and_banks

    return exam_and_banks(ctx.centre, exam_id, ctx.passphrase)[0]


def oral_part(exam: Exam, part_id: str | None) -> O.OralPart:
    from kiosk.plugins import regime_rules

    try:
        parts = O.oral_parts(exam.extra, exam.regime, regime_rules())
    except O.OralConfigError as exc:
        raise KioskError(f"exam {exam.id!r}: {exc}") from None
    if not parts:
        raise KioskError(f"exam {exam.id!r} has no oral part ([exam.oral] with its cards)")
    if part_id is None:
        if len(parts) > 1:
            raise KioskError(f"exam {exam.id!r} has {len(parts)} oral parts: give --part "
                             f"({', '.join(p.id for p in parts)})")
        return parts[0]
    for p in parts:
        if p.id == part_id:
            return p
    raise KioskError(f"exam {exam.id!r}: no oral part {part_id!r} "
                     f"(known: {', '.join(p.id for p in parts)})")


def candidates(ledger: Ledger, exam_id: str, candidate: str | None, sitting: str | None
               ) -> list[str]:
    from kiosk.domain.roster import roster
    from kiosk.domain.sittings import KINDS, sittings

    registered = roster(ledger)
    if candidate:
        match = next((c for c in registered if c.casefold() == candidate.casefold()), None)
        if match is None:
            raise KioskError(f"--candidate: {candidate!r} is not registered")
        return [match]
    if sitting:
        found = sittings(ledger.events(kind=KINDS)).get(sitting)
        if found is None:
            raise KioskError(f"--sitting: no sitting {sitting!r}")
        if found.exam != exam_id:
            raise KioskError(f"--sitting: sitting {sitting} is for exam {found.exam!r}, not "
                             f"{exam_id!r}")
        return list(found.candidates)
    raise KioskError("give --candidate ID or --sitting ID")


class DrawRefused(KioskError):
    """This candidate may not draw now (nothing was written)."""


def draw_card(ledger: Ledger, exam: Exam, part: O.OralPart, candidate: str, day: str,
              replacement: bool, actor: str, prep_minutes: int | None = None
              ) -> tuple[O.Card, int]:
    """Draw at random and record the draw; (card, event seq)."""
    from kiosk.plugins import registry

    state = O.fold_events(ledger.events(kind=O.KINDS))
    regime = registry().regimes.get(exam.regime)
    refusal = O.draw_refusal(part, state, exam.id, candidate, day, replacement,
                             getattr(regime, "replacement_card", True))
    if refusal:
        raise DrawRefused(f"{candidate}: {refusal}")
    cards = O.available_cards(part, state, exam.id, candidate, day, replacement)
    if not cards:
        raise KioskError(f"exam {exam.id!r}, oral part {part.id!r}: no card left to draw")
    card = secrets.SystemRandom().choice(cards)
    event = ledger.append(O.CARD_DRAWN, {
        "exam": exam.id, "part": part.id, "candidate": candidate, "card": card.id,
        "replacement": replacement, "date": day, "from_cards": len(cards),
        **({"prep_minutes": prep_minutes} if prep_minutes is not None else {}),
    }, actor=actor)
    return card, event.seq


def card_json(card: O.Card) -> dict[str, Any]:
    return {"id": card.id, "title": card.title, "a": card.a, "b": card.b}


@use_case("oral.part", roles=OFFICE, writes=False, needs_key=True)
def part(ctx: Context, *, exam: str, part: str | None = None) -> dict[str, Any]:
    """The oral part's topic cards, preparation minutes and scale (for `cards` and `timer`)."""
    found = oral_part(_exam(ctx, exam), part)
    return {"part": found.id, "prep_minutes": found.prep_minutes,
            "max_points": found.max_points, "cards": [card_json(c) for c in found.cards]}


@use_case("oral.draw", roles=EXAMINERS)
def draw(ctx: Context, *, exam: str, candidate: str | None = None, sitting: str | None = None,
         part: str | None = None, replacement: bool = False) -> list[dict[str, Any]]:
    """Draw a card for one candidate, or for each of a sitting's in order (one who may not
    draw now is skipped there, and refuses the call for a single candidate)."""
    from kiosk.domain.roster import roster
    from kiosk.marking import examiner_actor

    name = examiner(ctx)
    content = _exam(ctx, exam)
    found = oral_part(content, part)
    if not found.cards:
        raise KioskError(f"exam {exam!r}, oral part {found.id!r} lists no cards")
    day = Date.today().isoformat()
    people = roster(ctx.ledger)
    out: list[dict[str, Any]] = []
    for cid in candidates(ctx.ledger, exam, candidate, sitting):
        # The candidate's special-needs preparation extension (roster oral_prep_minutes,
        # capped per regime when the sitting was created).
        extra = people[cid].accommodations.oral_prep_minutes if cid in people else 0
        prep = found.prep_minutes + extra
        try:
            card, seq = draw_card(ctx.ledger, content, found, cid, day, bool(replacement),
                                  examiner_actor(name), prep)
        except DrawRefused as exc:
            # A whole sitting goes on past a candidate who already drew (a restart after an
            # interruption must not stop at the first of them).
            if sitting is None:
                raise
            out.append({"candidate": cid, "skipped": str(exc)})
            continue
        out.append({"candidate": cid, "card": card_json(card), "seq": seq,
                    "prep_minutes": found.prep_minutes, "extra_minutes": extra})
    return out


@use_case("oral.record", roles=EXAMINERS)
def record(ctx: Context, *, exam: str, candidate: str, part: str | None = None,
           grade: int | None = None, points: float | None = None, date: str | None = None
           ) -> dict[str, Any]:
    """The board's grade (1–5) or points for the oral part."""
    from kiosk.marking import examiner_actor

    name = examiner(ctx)
    if (grade is None) == (points is None):
        raise KioskError("give --grade N or --points P (one of them)")
    if grade is not None and (not isinstance(grade, int) or not 1 <= grade <= 5):
        raise KioskError(f"--grade: must be 1–5, got {grade!r}")
    if date is not None:
        try:
            date = Date.fromisoformat(date).isoformat()
        except ValueError:
            raise KioskError(f"--date: {date!r} is not a date (YYYY-MM-DD)") from None
    day = date or Date.today().isoformat()
    found = oral_part(_exam(ctx, exam), part)
    if grade is not None and found.max_points is not None:
        raise KioskError(f"oral part {found.id!r} is marked in points (0–{found.max_points:g}): "
                         "use --points")
    if points is not None:
        points = float(points)
        if found.max_points is None:
            raise KioskError(f"oral part {found.id!r} is graded 1–5 (no max_points): use --grade")
        if not 0 <= points <= found.max_points:
            raise KioskError(f"--points: must be 0–{found.max_points:g}, got {points:g}")
    cid = candidates(ctx.ledger, exam, candidate, None)[0]
    oral_state = O.fold_events(ctx.ledger.events(kind=O.KINDS))
    refusal = O.record_refusal(found, oral_state, exam, cid, day)
    if refusal:
        raise KioskError(f"{cid}: {refusal}")
    draws = oral_state.draws_for(exam, cid, found.id, day)
    replacement = any(d.replacement for d in draws)
    body: dict[str, Any] = {"exam": exam, "part": found.id, "candidate": cid, "date": day,
                            "replacement": replacement, "card": draws[-1].card if draws else ""}
    if grade is not None:
        body["grade"] = grade
    else:
        body["points"] = points
        body["max_points"] = found.max_points
    event = ctx.ledger.append(O.MARKED, body, actor=examiner_actor(name))
    return {"candidate": cid, "part": found.id, "max_points": found.max_points,
            "replacement": replacement, "seq": event.seq}
