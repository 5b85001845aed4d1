"""Oral parts: the exam's topic cards, the recorded draws and the board's marks (a pure fold).

Exam file: one oral part as `[exam.oral]`, or several as `[[exam.orals]]`, each with
`id` (default "oral"), `title`, `max_points` (points-based orals, e.g. in-school exams; leave it
out when the board gives a grade 1–5, as in the szakvizsga), `prep_minutes`, `weight`, and
`[[...cards]]` tables {id, title, a, b}. A szakvizsga exam names which parts belong to which
subject with `[[exam.subjects]]` {id, kind = "compulsory"|"elective", title, written = part id or
list, oral = oral id, exempt = bool}.

Preparation: at least 20 minutes for the szakvizsga ("legalább 20 perc felkészülési idő") and 30
for in-school exams ("legalább 30 perc"); an exam may give more, never less.

Events: `oral_card_drawn` {exam, part, candidate, card, replacement, date} — the draw itself is
random and recorded, so the card is never chosen by hand; `oral_marked` {exam, part, candidate,
grade | points, max_points, replacement, card, date}. A replacement card (póttétel) halves the
points, rounded up — the regimes apply that from the mark's `replacement` flag, so the points as
the board gave them stay in the ledger. A second `oral_marked` for the same candidate, part and
date corrects the first; marks on different dates are separate attempts (a retake).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from kiosk.domain.exam_rules import RegimeRules, rules_for

CARD_DRAWN = "oral_card_drawn"
MARKED = "oral_marked"
KINDS = (CARD_DRAWN, MARKED)
DEFAULT_ID = "oral"
DEFAULT_PREP = 20


class _Event(Protocol):
    seq: int
    ts: str
    actor: str
    kind: str
    body: dict[str, Any]


@dataclass(frozen=True)
class Card:
    id: str
    title: str
    a: str = ""
    b: str = ""


@dataclass(frozen=True)
class OralPart:
    id: str
    title: str
    cards: tuple[Card, ...] = ()
    max_points: float | None = None
    prep_minutes: int = DEFAULT_PREP
    weight: float | None = None

    @property
    def graded(self) -> bool:
        """The board gives a grade 1–5 rather than points."""
        return self.max_points is None


class OralConfigError(ValueError):
    """The exam's oral settings are unusable (one line naming the key)."""


def _tables(extra: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    out: list[tuple[str, Mapping[str, Any]]] = []
    single = extra.get("oral")
    if single is not None:
        if not isinstance(single, Mapping):
            raise OralConfigError("exam.oral: must be a table ([exam.oral])")
        out.append(("exam.oral", single))
    many = extra.get("orals")
    if many is not None:
        if not isinstance(many, list) or not all(isinstance(t, Mapping) for t in many):
            raise OralConfigError("exam.orals: must be a list of tables ([[exam.orals]])")
        out.extend((f"exam.orals[{i}]", t) for i, t in enumerate(many))
    return out


def oral_parts(extra: Mapping[str, Any], regime: str = "",
               rules: Mapping[str, RegimeRules] | None = None) -> list[OralPart]:
    """The oral parts an exam defines (its `Exam.extra`), checked; the regime's declared
    minimum preparation time (`RegimeRules.oral_min_prep`) applies."""
    minimum = rules_for(regime, rules).oral_min_prep
    parts: list[OralPart] = []
    for where, table in _tables(extra):
        pid = table.get("id", DEFAULT_ID)
        if not isinstance(pid, str) or not pid:
            raise OralConfigError(f"{where}.id: must be a non-empty string, got {pid!r}")
        if any(p.id == pid for p in parts):
            raise OralConfigError(f"{where}.id: oral part {pid!r} is defined twice")
        max_points = table.get("max_points")
        if max_points is not None and (not isinstance(max_points, int | float) or isinstance(
                max_points, bool) or max_points <= 0):
            raise OralConfigError(f"{where}.max_points: must be a number > 0, got "
                                  f"{max_points!r}")
        prep = table.get("prep_minutes", max(minimum, DEFAULT_PREP))
        if not isinstance(prep, int) or isinstance(prep, bool) or prep < minimum:
            raise OralConfigError(f"{where}.prep_minutes: must be whole minutes ≥ {minimum} "
                                  f"for {regime or 'this exam'}, got {prep!r}")
        weight = table.get("weight")
        if weight is not None and (not isinstance(weight, int | float) or isinstance(
                weight, bool) or weight < 0):
            raise OralConfigError(f"{where}.weight: must be a number ≥ 0, got {weight!r}")
        raw_cards = table.get("cards", [])
        if not isinstance(raw_cards, list) or not all(isinstance(c, Mapping) for c in raw_cards):
            raise OralConfigError(f"{where}.cards: must be a list of tables {{id, title, a, b}}")
        cards: list[Card] = []
        for i, c in enumerate(raw_cards):
            cid = str(c.get("id", i + 1))
            if any(x.id == cid for x in cards):
                raise OralConfigError(f"{where}.cards[{i}].id: card {cid!r} is listed twice")
            cards.append(Card(id=cid, title=str(c.get("title", "")), a=str(c.get("a", "")),
                              b=str(c.get("b", ""))))
        parts.append(OralPart(id=pid, title=str(table.get("title", "Szóbeli")),
                              cards=tuple(cards),
                              max_points=float(max_points) if max_points is not None else None,
                              prep_minutes=prep,
                              weight=float(weight) if weight is not None else None))
    return parts


# --- the fold -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Draw:
    seq: int
    ts: str
    exam: str
    part: str
    candidate: str
    card: str
    replacement: bool
    date: str


@dataclass(frozen=True)
class OralMark:
    seq: int
    ts: str
    exam: str
    part: str
    candidate: str
    date: str
    grade: int | None = None
    points: float | None = None
    max_points: float | None = None
    replacement: bool = False
    card: str = ""
    board: str = ""


@dataclass
class OralState:
    draws: list[Draw] = field(default_factory=list)
    #: (exam, candidate, part) -> date -> the latest mark of that day
    marks: dict[tuple[str, str, str], dict[str, OralMark]] = field(default_factory=dict)

    def draws_for(self, exam: str, candidate: str, part: str, date: str | None = None
                  ) -> list[Draw]:
        return [d for d in self.draws if d.exam == exam and d.candidate == candidate
                and d.part == part and (date is None or d.date == date)]

    def marks_for(self, exam: str, candidate: str) -> list[OralMark]:
        out: list[OralMark] = []
        for (e, c, _p), by_date in self.marks.items():
            if e == exam and c == candidate:
                out.extend(by_date[d] for d in sorted(by_date))
        return out


def fold_oral(state: OralState, event: _Event) -> OralState:
    b = event.body
    if event.kind == CARD_DRAWN:
        state.draws.append(Draw(seq=event.seq, ts=event.ts, exam=str(b.get("exam", "")),
                                part=str(b.get("part", DEFAULT_ID)),
                                candidate=str(b.get("candidate", "")), card=str(b.get("card", "")),
                                replacement=bool(b.get("replacement", False)),
                                date=str(b.get("date") or event.ts[:10])))
    elif event.kind == MARKED:
        grade = b.get("grade")
        points = b.get("points")
        mark = OralMark(
            seq=event.seq, ts=event.ts, exam=str(b.get("exam", "")),
            part=str(b.get("part", DEFAULT_ID)), candidate=str(b.get("candidate", "")),
            date=str(b.get("date") or event.ts[:10]),
            grade=grade if isinstance(grade, int) and not isinstance(grade, bool) else None,
            points=float(points) if isinstance(points, int | float) and not isinstance(
                points, bool) else None,
            max_points=float(b["max_points"]) if isinstance(b.get("max_points"), int | float)
            else None,
            replacement=bool(b.get("replacement", False)), card=str(b.get("card", "")),
            board=str(b.get("board") or event.actor))
        state.marks.setdefault((mark.exam, mark.candidate, mark.part), {})[mark.date] = mark
    return state


def fold_events(events: Iterable[_Event], state: OralState | None = None) -> OralState:
    state = state if state is not None else OralState()
    for event in events:
        if event.kind in KINDS:
            fold_oral(state, event)
    return state


def available_cards(part: OralPart, state: OralState, exam: str, candidate: str, date: str,
                    replacement: bool) -> list[Card]:
    """The cards a draw may pick: all of them, or for a replacement card every card but those
    the candidate already drew that day."""
    if not replacement:
        return list(part.cards)
    drawn = {d.card for d in state.draws_for(exam, candidate, part.id, date)}
    return [c for c in part.cards if c.id not in drawn]


def draw_refusal(part: OralPart, state: OralState, exam: str, candidate: str, day: str,
                 replacement: bool, replacement_card: bool = True) -> str | None:
    """Why a card may not be drawn now (None when it may): one reason a person can act on.
    `replacement_card` is the exam regime's capability of that name."""
    if replacement and not replacement_card:
        # The szakvizsga rules know no replacement card; the póttétel (halve the points, round
        # up) is the in-school oral's rule, and a graded oral has no points to halve.
        return ("the szakvizsga has no replacement card (póttétel): its oral is graded 1–5 by "
                "the board; a póttétel belongs to in-school exams, whose points it halves")
    if replacement and part.graded:
        return (f"oral part {part.id!r} is graded 1–5: a replacement card (póttétel) halves "
                "points, so it has no effect here")
    earlier = state.draws_for(exam, candidate, part.id, day)
    if replacement and not earlier:
        return "no card drawn today, so there is nothing to replace"
    if replacement and any(d.replacement for d in earlier):
        return "a replacement card (póttétel) was already drawn today; only one is allowed"
    if earlier and not replacement:
        return (f"already drew card {earlier[0].card} today; a second card is a replacement "
                "(--replacement)")
    return None


def record_refusal(part: OralPart, state: OralState, exam: str, candidate: str, day: str
                   ) -> str | None:
    """Why an oral mark may not be recorded (None when it may): a part with cards is marked
    only after the candidate drew one that day, so every mark rests on a recorded draw."""
    if part.cards and not state.draws_for(exam, candidate, part.id, day):
        return (f"no card drawn on {day} for oral part {part.id!r}: draw one first "
                "(kiosk oral draw)")
    return None

