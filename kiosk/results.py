"""Results: from the ledger's events (answers, marks, oral marks, appeals) to each candidate's
part and overall result, through the exam's regime.

Entry points:
- `compute_results(centre_or_ledger, exam_id=None)`: reads the centre's ledger and loaded exams.
- `results_from_events(events, exams, ...)`: the same from events already in memory and exams
  already parsed (no I/O: benchmarks, merges and tests call this).
- `results_rows(results)` / `results_csv(results)` / `results_json(results)`: flat rows for
  CSV (one per candidate and exam, a header, UTF-8) and JSON-ready dicts.

One result per candidate and exam. Attempts that were voided or never submitted do not count.
For the szakvizsga every submitted attempt is a dated attempt at its parts (retakes, improvement
exams: the regime decides what counts); for the other regimes the latest submitted attempt is the
result and earlier ones are listed in `attempts`. An attempt's date is its sitting's date.

Points of an item: the question type's automatic score, or for a response it cannot score the
final human mark (kiosk.domain.marking: single, double or third marker); while a human mark is
outstanding the item counts 0 and the result is `provisional`. A board decision on an appeal
replaces the item's points; the result then carries the original and the final points.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from kiosk.domain import attempts as A
from kiosk.domain import exam_records as X
from kiosk.domain import marking as M
from kiosk.domain import oral as O
from kiosk.domain.banks import Bank, all_items
from kiosk.domain.csv_cells import csv_text
from kiosk.domain.exams import Exam
from kiosk.domain.items import Item
from kiosk.domain.numbers import percent_text, points_text
from kiosk.domain.regimes import (
    Outcome,
    PartMark,
    RegimeError,
    RegimeInput,
    SubjectInput,
    exam_config,
)
from kiosk.domain.roster import REGISTERED, Candidate, registrations
from kiosk.domain.scoring import SCORING_ERROR, ItemScore, score_item
from kiosk.domain.sittings import KINDS as SITTING_KINDS
from kiosk.domain.sittings import sittings
from kiosk.errors import KioskError
from kiosk.i18n import Labels, translate

#: Event kinds the results rest on (everything else in the ledger is ignored).
ATTEMPT_KINDS = (A.ATTEMPT_CREATED, A.ANSWER, A.PART_SUBMITTED, A.SUBMITTED, A.VOIDED)
RESULT_KINDS = frozenset((*ATTEMPT_KINDS, *M.KINDS, *O.KINDS, REGISTERED, *SITTING_KINDS,
                          *X.KINDS, "genesis"))

ExamContent = tuple[Exam, Mapping[str, Bank]]


@dataclass
class ItemResult:
    item: str
    part: str
    points: float
    max_points: float
    #: "auto", "marked", "appeal", or "pending" while a human mark is outstanding
    source: str
    #: points before an appeal decision (None when the item was not appealed and decided)
    original: float | None = None
    #: why automatic scoring failed ("scoring error: …"), left for a marker; "" otherwise
    note: str = ""


@dataclass
class PartScore:
    part_id: str
    title: str
    kind: str
    points: float | None
    max_points: float | None
    percent: float | None
    grade: int | None
    grade_name: str
    passed: bool
    provisional: bool = False
    #: the part's points before appeal decisions changed them (None when none did)
    original_points: float | None = None
    subject: str = ""
    replacement_card: bool = False
    counts: bool = True
    exempt: bool = False
    #: the points as marked before a póttétel halved them (None when no halving happened)
    raw_points: float | None = None


@dataclass
class SubjectScore:
    """A szakvizsga subject: its grade (the mean of its parts' grades, rounded down)."""

    subject_id: str
    title: str
    kind: str
    grade: int | None
    grade_name: str
    passed: bool
    exempt: bool = False


#: A subject's name when the exam file gives it no title (never its internal id).
SUBJECT_KINDS = "results.subject_kind"

#: `CandidateResult.status` of a candidate with no result to compute
VOIDED, ABSENT = "voided", "absent"


@dataclass
class CandidateResult:
    candidate: str
    name: str
    exam: str
    exam_title: str
    regime: str
    #: the latest submitted attempt ("" when the candidate has only oral marks)
    attempt: str
    attempts: list[str] = field(default_factory=list)
    date: str = ""
    parts: list[PartScore] = field(default_factory=list)
    points: float | None = None
    max_points: float | None = None
    percent: float | None = None
    grade: int | None = None
    grade_name: str = ""
    passed: bool = False
    certificate: bool | None = None
    outstanding: list[str] = field(default_factory=list)
    #: human marking (or an oral mark) is still outstanding: the result may change
    provisional: bool = False
    #: overall points before appeal decisions (None when no decision changed anything)
    original_points: float | None = None
    items: list[ItemResult] = field(default_factory=list)
    outcome: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: why the regime could not evaluate this candidate (then the other fields are partial)
    error: str | None = None
    #: signed `exemption_granted` events: target, grounds, granted_by, document, seq, actor
    exemptions: list[dict[str, Any]] = field(default_factory=list)
    #: the whole exam must be repeated (Szkr 291. § (2) after an absence or exclusion)
    repeat_whole: bool = False
    #: the grade scale's rounding rule ("truncate", "half_up", …; "" without a scale): how
    #: percentages are shown (kiosk.domain.numbers.percent_text)
    rounding: str = ""
    subjects: list[SubjectScore] = field(default_factory=list)
    #: "" for a computed result; VOIDED or ABSENT for a candidate listed without one
    status: str = ""

    @property
    def appealed(self) -> list[ItemResult]:
        return [i for i in self.items if i.original is not None]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CandidateResult:
        """The result as `to_dict` gave it (after a trip through JSON: the centre service's
        `results.compute` answer), so a client formats exactly what the service computed."""
        d = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        d["parts"] = [PartScore(**p) for p in d.get("parts") or []]
        d["items"] = [ItemResult(**i) for i in d.get("items") or []]
        d["subjects"] = [SubjectScore(**x) for x in d.get("subjects") or []]
        return cls(**d)


# --- scoring one attempt --------------------------------------------------------------------


@dataclass
class _Attempt:
    state: A.AttemptState
    date: str


def fold_attempts(events: Iterable[Any]) -> dict[str, A.AttemptState]:
    """Attempt states by id from the attempt events (in ledger order)."""
    states: dict[str, A.AttemptState] = {}
    for event in events:
        if event.attempt is None or event.kind not in ATTEMPT_KINDS:
            continue
        state = states.get(event.attempt)
        if state is None:
            state = states[event.attempt] = A.AttemptState()
        A.fold_attempt(state, event)
    return states


def _rule(registry: Any, item: Item, exam: Exam) -> Any:
    name = item.scoring or exam.scoring
    try:
        return registry.scoring_rules[name]
    except KeyError:
        raise KioskError(f"exam {exam.id!r}, item {item.key}: scoring rule {name!r} is not "
                         "registered") from None


def _qtype(registry: Any, item: Item, exam: Exam) -> Any:
    try:
        return registry.question_types[item.type]
    except KeyError:
        raise KioskError(f"exam {exam.id!r}, item {item.key}: question type {item.type!r} is not "
                         "registered") from None


def score_attempt(state: A.AttemptState, exam: Exam, items: Mapping[str, Item], registry: Any,
                  ) -> list[tuple[str, Item, ItemScore]]:
    """(part id, item, automatic score) for every item on the attempt's paper."""
    out = []
    for part, keys in zip(state.parts, state.paper, strict=False):
        for key in keys:
            item = items.get(key)
            if item is None:
                raise KioskError(f"attempt {state.attempt}: item {key!r} is not in the loaded "
                                 f"banks of exam {exam.id!r}")
            score = score_item(item, state.answers.get(key), _qtype(registry, item, exam),
                               _rule(registry, item, exam))
            out.append((part, item, score))
    return out


def needs_marking(states: Iterable[A.AttemptState], exams: Mapping[str, ExamContent],
                  registry: Any) -> list[M.Pending]:
    """Responses of submitted attempts that a human must mark (the marking queue's input)."""
    pending: list[M.Pending] = []
    items_of: dict[str, dict[str, Item]] = {}
    for state in states:
        if not state.submitted or state.voided or state.exam not in exams:
            continue
        exam, banks = exams[state.exam]
        items = items_of.setdefault(exam.id, all_items(banks.values()))
        for _part, item, score in score_attempt(state, exam, items, registry):
            if score.needs_marking:
                pending.append(M.Pending(state.attempt, item.key, exam.id,
                                         state.answers.get(item.key),
                                         str(score.detail.get("needs_marking", ""))))
    return pending


# --- from events to results -----------------------------------------------------------------


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _written(attempt: _Attempt, exam: Exam, items: Mapping[str, Item], registry: Any,
             marks: M.MarkingState, policy: M.MarkingPolicy
             ) -> tuple[list[PartMark], list[ItemResult], dict[str, bool], dict[str, float]]:
    """Part marks of one attempt, its item results, which parts are provisional and the part
    points before appeal decisions."""
    state = attempt.state
    per_part: dict[str, list[float]] = {p: [0.0, 0.0, 0.0] for p in state.parts}
    provisional: dict[str, bool] = {p: False for p in state.parts}
    changed: set[str] = set()
    item_results: list[ItemResult] = []
    for part, item, score in score_attempt(state, exam, items, registry):
        resp = marks.get(state.attempt, item.key)
        points, source, original = score.points, "auto", None
        if score.needs_marking:
            st = M.status(resp, policy)
            # What the markers gave, before any board decision (applied below).
            before = st.original if resp is not None and resp.decision is not None else st.final
            if before is None:
                points, source = 0.0, "pending"
                # A board decision settles even a response the markers had not finished.
                provisional[part] = provisional[part] or resp is None or resp.decision is None
            else:
                points, source = before, "marked"
        if resp is not None and resp.decision is not None:
            original, points, source = points, resp.decision.points, "appeal"
            if original != points:
                changed.add(part)
        points = max(0.0, min(points, score.max_points))
        acc = per_part[part]
        acc[0] += points
        acc[1] += score.max_points
        acc[2] += original if original is not None else points
        reason = str(score.detail.get("needs_marking", "")) if score.needs_marking else ""
        item_results.append(ItemResult(item=item.key, part=part, points=points,
                                       max_points=score.max_points, source=source,
                                       original=original,
                                       note=reason if reason.startswith(SCORING_ERROR) else ""))
    part_marks = []
    for part_id in state.parts:
        exam_part = next((p for p in exam.parts if p.id == part_id), None)
        extra = exam_part.extra if exam_part is not None else {}
        got, top, _orig = per_part[part_id]
        if top <= 0:
            continue
        weight = extra.get("weight")
        part_marks.append(PartMark(
            part_id=part_id, points=got, max_points=top,
            kind=str(extra.get("kind", "written")),
            weight=float(weight) if isinstance(weight, int | float) else None,
            date=_day(attempt.date), title=exam_part.title if exam_part else part_id))
    originals = {p: per_part[p][2] for p in changed}
    return part_marks, item_results, provisional, originals


def _oral_marks(marks: list[O.OralMark], parts: Mapping[str, O.OralPart]) -> list[PartMark]:
    out = []
    for m in marks:
        part = parts.get(m.part)
        top = m.max_points if m.max_points is not None else (part.max_points if part else None)
        out.append(PartMark(
            part_id=m.part, points=m.points, max_points=top if m.points is not None else None,
            kind="oral", grade=m.grade, date=_day(m.date), replacement_card=m.replacement,
            weight=part.weight if part else None, title=part.title if part else m.part))
    return out


def _subjects(config: Mapping[str, Any], marks: list[PartMark]) -> tuple[SubjectInput, ...]:
    """Szakvizsga subjects from `[[exam.subjects]]`; without it every part is one compulsory
    subject (an exam file per subject)."""
    raw = config.get("subjects")
    if not raw:
        return (SubjectInput(subject_id="kotelezo", kind="compulsory", marks=tuple(marks)),)
    if not isinstance(raw, list) or not all(isinstance(s, Mapping) for s in raw):
        raise RegimeError("subjects: must be a list of tables {id, kind, written, oral}")
    out = []
    for i, s in enumerate(raw):
        sid = s.get("id")
        if not isinstance(sid, str) or not sid:
            raise RegimeError(f"subjects[{i}].id: must be a string, got {sid!r}")
        written = s.get("written", [])
        ids = set([written] if isinstance(written, str) else list(written))
        oral = s.get("oral")
        ids.update([oral] if isinstance(oral, str) else list(oral or []))
        out.append(SubjectInput(subject_id=sid, kind=str(s.get("kind", "compulsory")),
                                marks=tuple(m for m in marks if m.part_id in ids),
                                exempt=s.get("exempt") is True, title=str(s.get("title", ""))))
    return tuple(out)


def _regime_input(exam: Exam, config: dict[str, Any], marks: list[PartMark],
                  as_of: date | None, scale: Any, records: X.Records | None = None,
                  groups: str = "parts") -> RegimeInput:
    """The regime's input, shaped by the regime's `groups` capability; a candidate's signed
    exemptions and absences come from `records`."""
    exempt = X.exempt_targets(records)
    interruptions = tuple(records.interruptions) if records else ()
    if groups == "subjects":
        subjects = tuple(replace(s, exempt=True) if s.subject_id in exempt else s
                         for s in _subjects(config, marks))
        return RegimeInput(subjects=subjects, config=config, as_of=as_of, scale=scale,
                           interruptions=interruptions)
    if exempt and groups == "activities" and isinstance(config.get("activities"), list):
        config = {**config, "activities": [
            {**a, "exempt": True} if isinstance(a, Mapping) and a.get("id") in exempt else a
            for a in config["activities"]]}
    elif exempt:
        kinds = {p.id: str(p.extra.get("kind", "written")) for p in exam.parts}
        marks = [replace(m, exempt=True) if m.part_id in exempt else m for m in marks]
        have = {m.part_id for m in marks}
        marks += [PartMark(part_id=t, kind=kinds.get(t, "oral"), exempt=True)
                  for t in exempt if t not in have]
    return RegimeInput(marks=tuple(marks), config=config, as_of=as_of, scale=scale,
                       interruptions=interruptions)


def _latest_per_part(marks: list[PartMark]) -> list[PartMark]:
    """One mark per part: the latest (regimes other than the szakvizsga take no attempts)."""
    latest: dict[str, PartMark] = {}
    for m in sorted(marks, key=lambda m: m.date or date.min):
        latest[m.part_id] = m
    return list(latest.values())


def results_from_events(
    events: Iterable[Any],
    exams: Mapping[str, ExamContent],
    *,
    exam_id: str | None = None,
    registry: Any = None,
    as_of: date | None = None,
    scales: Mapping[str, Any] | None = None,
    language: str = "hu",
    listed: bool = False,
) -> list[CandidateResult]:
    """Results for every candidate of `exams` (or only `exam_id`) from events in ledger order.
    With `listed`, candidates without a result are listed too: a voided attempt (status
    VOIDED) and a candidate of a closed sitting who submitted nothing (status ABSENT)."""
    from kiosk.plugins import regime_rules

    if registry is None:
        from kiosk.plugins import registry as get_registry

        registry = get_registry()
    wanted = [exam_id] if exam_id is not None else list(exams)
    if exam_id is not None and exam_id not in exams:
        raise KioskError(f"exam {exam_id!r} is not loaded")

    relevant = [e for e in events if e.kind in RESULT_KINDS]
    states = fold_attempts(relevant)
    marks = M.fold_events(relevant)
    orals = O.fold_events(relevant)
    roster = {cid: reg.candidate for cid, reg in registrations(relevant).items()}
    records = X.fold_records(relevant)
    all_sittings = sittings(e for e in relevant if e.kind in SITTING_KINDS)
    sitting_dates = {sid: s.date for sid, s in all_sittings.items()}
    created_ts: dict[str, str] = {}
    for e in relevant:
        if e.kind == A.ATTEMPT_CREATED and e.attempt:
            created_ts.setdefault(e.attempt, e.ts)

    results: list[CandidateResult] = []
    for eid in wanted:
        exam, banks = exams[eid]
        items = all_items(banks.values())
        config = exam_config(exam)
        policy = M.MarkingPolicy.from_extra(exam.extra)
        try:
            oral_parts = {p.id: p for p in O.oral_parts(exam.extra, exam.regime,
                                                        regime_rules(registry))}
        except O.OralConfigError as exc:
            raise KioskError(f"exam {eid!r}: {exc}") from None
        try:
            regime = registry.regimes[exam.regime]
        except KeyError:
            raise KioskError(f"exam {eid!r}: regime {exam.regime!r} is not registered") from None
        scale = (scales or {}).get(exam.grade_scale) if exam.grade_scale else None

        by_candidate: dict[str, list[_Attempt]] = {}
        for st in states.values():
            if st.exam != eid or not st.submitted or st.voided:
                continue
            day = sitting_dates.get(st.sitting) or created_ts.get(st.attempt, "")[:10]
            by_candidate.setdefault(st.candidate, []).append(_Attempt(st, day))
        oral_by: dict[str, list[O.OralMark]] = {}
        for (e, c, _p), by_date in orals.marks.items():
            if e == eid:
                oral_by.setdefault(c, []).extend(by_date[d] for d in sorted(by_date))
        others = set(oral_by) | {c for (e, c) in records if e == eid}
        for cid in [*by_candidate, *sorted(others - set(by_candidate))]:
            attempts = sorted(by_candidate.get(cid, []),
                              key=lambda a: (a.date, a.state.submitted_seq or 0))
            results.append(_candidate_result(
                cid, roster.get(cid), exam, items, config, policy, oral_parts, regime, scale,
                attempts, oral_by.get(cid, []), marks, registry, as_of, language,
                records.get((eid, cid))))
        if listed:
            results.extend(_unlisted(eid, exam, states, all_sittings, roster,
                                     set(by_candidate) | others, sitting_dates))
    return results


def _unlisted(eid: str, exam: Exam, states: Mapping[str, A.AttemptState],
              all_sittings: Mapping[str, Any], roster: Mapping[str, Candidate],
              have: set[str], sitting_dates: Mapping[str, str]) -> list[CandidateResult]:
    """Voided and absent candidates of exam `eid`, who have no result but must be listed."""
    out: dict[str, CandidateResult] = {}
    for st in states.values():
        if st.exam == eid and st.voided and st.candidate not in have:
            out[st.candidate] = CandidateResult(
                candidate=st.candidate, name=roster[st.candidate].name if st.candidate in roster
                else "", exam=eid, exam_title=exam.title, regime=exam.regime,
                attempt=st.attempt, attempts=[st.attempt],
                date=sitting_dates.get(st.sitting, ""), status=VOIDED)
    started = {st.candidate for st in states.values() if st.exam == eid}
    for sitting in all_sittings.values():
        if sitting.exam != eid or sitting.open:
            continue
        for cid in sitting.candidates:
            if cid in have or cid in out or cid in started:
                continue
            out[cid] = CandidateResult(
                candidate=cid, name=roster[cid].name if cid in roster else "", exam=eid,
                exam_title=exam.title, regime=exam.regime, attempt="", date=sitting.date,
                status=ABSENT)
    return [out[c] for c in sorted(out)]


def _candidate_result(cid: str, candidate: Candidate | None, exam: Exam,
                      items: Mapping[str, Item], config: dict[str, Any],
                      policy: M.MarkingPolicy, oral_parts: Mapping[str, O.OralPart],
                      regime: Any, scale: Any, attempts: list[_Attempt],
                      oral_marks: list[O.OralMark], marks: M.MarkingState, registry: Any,
                      as_of: date | None, language: str,
                      records: X.Records | None = None) -> CandidateResult:
    result = CandidateResult(
        candidate=cid, name=candidate.name if candidate else "", exam=exam.id,
        exam_title=exam.title, regime=exam.regime,
        attempt=attempts[-1].state.attempt if attempts else "",
        attempts=[a.state.attempt for a in attempts],
        date=attempts[-1].date if attempts else (oral_marks[-1].date if oral_marks else ""))
    all_marks: list[PartMark] = []
    provisional: dict[str, bool] = {}
    originals: dict[str, float] = {}
    every_attempt = bool(getattr(regime, "every_attempt_counts", False))
    counted = attempts if every_attempt else attempts[-1:]
    for att in counted:
        part_marks, item_results, prov, orig = _written(att, exam, items, registry, marks,
                                                        policy)
        all_marks.extend(part_marks)
        if att is attempts[-1]:
            result.items = item_results
            result.notes.extend(f"item {i.item}: {i.note} (left for a marker)"
                                for i in item_results if i.note)
            provisional.update(prov)
            originals.update(orig)
    all_marks.extend(_oral_marks(oral_marks, oral_parts))
    if not every_attempt:
        all_marks = _latest_per_part(all_marks)
    marked_orals = {m.part for m in oral_marks}
    for pid in oral_parts:
        if pid not in marked_orals:
            provisional[pid] = True
            result.notes.append(f"oral part {pid!r}: not marked yet")
    if records is not None:
        result.exemptions = [x.as_dict() for x in records.exemptions]
        result.notes.extend(x.describe() for x in records.exemptions)
        exempt = X.exempt_targets(records)
        for pid in list(provisional):
            if pid in exempt:
                provisional[pid] = False
        result.notes[:] = [n for n in result.notes if not any(
            n == f"oral part {t!r}: not marked yet" for t in exempt)]
    result.provisional = any(provisional.values())
    try:
        outcome = regime.evaluate(_regime_input(exam, config, all_marks, as_of, scale, records,
                                                str(getattr(regime, "groups", "parts"))))
    except RegimeError as exc:
        result.error = str(exc)
        return result
    titles = {p.id: p.title for p in exam.parts} | {p.id: p.title for p in oral_parts.values()}
    _fill(result, outcome, provisional, originals, titles, language,
          written_points=bool(getattr(regime, "written_points_shown", False)))
    used = scale if scale is not None else _lookup_scale(regime, outcome.scale_id)
    result.rounding = used.rounding if used is not None else ""
    return result


def _lookup_scale(regime: Any, scale_id: str | None) -> Any:
    if not scale_id:
        return None
    try:
        return regime.lookup(scale_id)
    except Exception:  # the percentages then show two decimals; the result stands
        return None


def _fill(result: CandidateResult, outcome: Outcome, provisional: Mapping[str, bool],
          originals: Mapping[str, float], titles: Mapping[str, str], language: str, *,
          written_points: bool = False) -> None:
    result.outcome = outcome.to_dict()
    result.points = outcome.overall_points
    result.max_points = outcome.overall_max_points
    result.percent = outcome.overall_percent
    result.grade = outcome.grade
    result.grade_name = translate(outcome.grade_name, language)
    result.passed = outcome.passed
    result.certificate = outcome.certificate
    result.outstanding = list(outcome.outstanding)
    result.repeat_whole = outcome.repeat_whole
    result.notes.extend(outcome.notes)
    for p in outcome.parts:
        result.parts.append(PartScore(
            part_id=p.part_id, title=titles.get(p.part_id, p.part_id), kind=p.kind, points=p.points,
            max_points=p.max_points, percent=p.percent, grade=p.grade,
            grade_name=translate(p.grade_name, language), passed=p.passed,
            provisional=provisional.get(p.part_id, False),
            original_points=originals.get(p.part_id), subject=p.subject_id,
            replacement_card=p.replacement_card, counts=p.counts, exempt=p.exempt,
            raw_points=p.raw_points if p.replacement_card else None))
    for sub in outcome.subjects:
        result.subjects.append(SubjectScore(
            subject_id=sub.subject_id,
            title=sub.title or titles.get(sub.subject_id, "") or Labels(
                SUBJECT_KINDS, language).get(sub.kind, sub.subject_id),
            kind=sub.kind, grade=sub.grade,
            grade_name=translate(sub.grade_name, language), passed=sub.passed,
            exempt=sub.exempt))
    if originals and result.points is not None:
        delta = sum(originals.values()) - sum(
            (p.points or 0.0) for p in result.parts if p.part_id in originals)
        result.original_points = result.points + delta
    if result.points is None and written_points:
        written = [p for p in result.parts if p.kind == "written" and p.points is not None]
        if written:
            result.points = sum(p.points or 0.0 for p in written)
            result.max_points = sum(p.max_points or 0.0 for p in written)


# --- reading a centre -----------------------------------------------------------------------


def load_exams(centre: Any, exam_ids: Iterable[str], passphrase: str | None = None
               ) -> dict[str, ExamContent]:
    from kiosk.exam_store import exam_and_banks

    return {eid: exam_and_banks(centre, eid, passphrase) for eid in exam_ids}


def _centre_of(source: Any) -> Any:
    from kiosk.ledger.centre import Centre
    from kiosk.ledger.store import Ledger

    if isinstance(source, Centre):
        return source
    if isinstance(source, Ledger):
        return Centre(source.path.parent)
    if isinstance(source, str | Path):
        return Centre.open(Path(source))
    raise TypeError(f"compute_results: expected a Centre, Ledger or path, got {type(source)}")


def compute_results(
    centre_or_ledger: Any,
    exam_id: str | None = None,
    *,
    as_of: date | None = None,
    passphrase: str | None = None,
    language: str = "hu",
    exams: Mapping[str, ExamContent] | None = None,
    events: Sequence[Any] | None = None,
    listed: bool = False,
) -> list[CandidateResult]:
    """Results of one exam (or of every loaded exam) of a centre. `centre_or_ledger` is a
    Centre, an open Ledger (its centre is the ledger file's directory) or a centre path; the
    exams' content is decrypted with the centre key unless `exams` is given. `events` (in
    ledger order) replaces the ledger's when given: a sealed export rests on exactly its own."""
    from kiosk.domain.grading import merge_scales
    from kiosk.exam_store import LOADED, latest_loads
    from kiosk.ledger.store import Ledger
    from kiosk.loading import centre_scales
    from kiosk.plugins import registry

    centre = _centre_of(centre_or_ledger)
    if events is None and isinstance(centre_or_ledger, Ledger):
        events = list(centre_or_ledger.events(kind=RESULT_KINDS | {LOADED}))
    elif events is None:
        with centre.reader() as reader:
            events = list(reader.events(kind=RESULT_KINDS | {LOADED}))
    loaded = list(latest_loads(events))
    if exam_id is not None and exam_id not in loaded and (exams is None or exam_id not in exams):
        raise KioskError(f"exam {exam_id!r} is not loaded in {centre.path} (loaded: "
                         f"{', '.join(loaded) or 'none'})")
    if exams is None:
        exams = load_exams(centre, [exam_id] if exam_id else loaded, passphrase)
    reg = registry()
    scales = merge_scales(reg.grade_scales.values(), centre_scales(centre.path))
    return results_from_events(events, exams, exam_id=exam_id, registry=reg, as_of=as_of,
                               scales=scales, language=language, listed=listed)


# --- output ---------------------------------------------------------------------------------


def _num(value: float | None) -> str:
    if value is None:
        return ""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _yes(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


#: Reasons and part kinds in words: the catalogue's `results.reason.*` strings.
_WORDS = "results.reason"


def words(language: str) -> Mapping[str, str]:
    return Labels(_WORDS, language)


def outstanding_titles(result: CandidateResult, language: str = "hu") -> list[str]:
    """What must be retaken, by the parts' titles (the regime names parts by internal ids such
    as "kotelezo:written")."""
    w = words(language)
    by_id = {p.part_id: p.title for p in result.parts}
    subjects = {s.subject_id: s.title for s in result.subjects}
    # A regime grouping by activities (hu-szkr's vizsgatevékenység) names whole activities:
    # by their title, or their parts'.
    activities = {str(a.get("activity_id")): a for a in result.outcome.get("activities", [])
                  if isinstance(a, Mapping)}
    out = []
    for ref in result.outstanding:
        if ref in by_id:
            out.append(by_id[ref])
            continue
        if ref in activities:
            act = activities[ref]
            out.append(str(act.get("title") or ", ".join(
                by_id.get(str(p), str(p)) for p in act.get("part_ids") or [ref])))
            continue
        subject, _, kind = ref.partition(":")
        titled = next((p.title for p in result.parts if p.subject == subject
                       and p.kind == kind and p.title), None)
        if titled:
            out.append(titled)
        elif subject in subjects and subjects[subject]:
            out.append(f"{subjects[subject]} ({w.get(kind, kind)})")
        else:
            out.append(ref)
    return out


def failure_reasons(result: CandidateResult, language: str = "hu") -> list[str]:
    """Why the result is not a pass, in words of one language (empty for a pass)."""
    w = words(language)
    if result.status:
        return [w[result.status]]
    if result.error:
        return [w["cannot"].format(error=result.error)]
    if result.passed:
        return [w["provisional"]] if result.provisional else []
    reasons = []
    for p in result.parts:
        if p.passed or not p.counts or p.exempt:
            continue
        if p.grade is not None and p.grade_name:
            reasons.append(w["part_failed"].format(title=p.title, grade=p.grade_name))
        else:
            reasons.append(w["below_min"].format(
                title=p.title, percent=percent_text(p.percent, result.rounding, language)))
    for sub in result.subjects:
        if not sub.passed and not sub.exempt and sub.grade is not None:
            reasons.append(w["subject_failed"].format(title=sub.title or sub.subject_id,
                                                      grade=sub.grade_name))
    if result.certificate is False:
        reasons.append(w["no_certificate"])
    if any("two-year rule" in n for n in result.notes):
        reasons.append(w["two_year"])
    if not reasons and result.percent is not None:
        reasons.append(w["total_below"].format(
            percent=percent_text(result.percent, result.rounding, language)))
    if result.outstanding:
        reasons.append(w["retake"].format(parts=", ".join(outstanding_titles(result, language))))
    if result.provisional:
        reasons.append(w["provisional"])
    return reasons


BASE_COLUMNS = ("candidate", "name", "exam", "attempt", "date", "status", "points",
                "max_points", "percent", "grade", "grade_name", "passed", "certificate",
                "outstanding", "provisional", "original_points", "appealed_items", "reasons",
                "error")
PART_FIELDS = ("points", "max", "percent", "grade", "passed", "original")


def results_rows(results: Sequence[CandidateResult], language: str = "en"
                 ) -> list[dict[str, str]]:
    """Flat rows (all values text) for CSV: the base columns, per subject `SUBJECT grade`, then
    per part id (in order of first appearance) `PART points`, `PART max`, `PART percent`,
    `PART grade`, `PART passed`, `PART original` (points before an appeal decision).
    Percentages follow the scale's rounding rule; `language` "hu" writes decimal commas."""
    part_ids: list[str] = []
    subject_ids: list[str] = []
    for r in results:
        for p in r.parts:
            if p.part_id not in part_ids:
                part_ids.append(p.part_id)
        for sub in r.subjects:
            if sub.subject_id not in subject_ids:
                subject_ids.append(sub.subject_id)

    def pts(value: float | None) -> str:
        return points_text(value, language)

    rows = []
    for r in results:
        pct = percent_text(r.percent, r.rounding, language, sign=False)
        row = {
            "candidate": r.candidate, "name": r.name, "exam": r.exam, "attempt": r.attempt,
            "date": r.date, "status": r.status, "points": pts(r.points),
            "max_points": pts(r.max_points), "percent": pct,
            "grade": "" if r.grade is None else str(r.grade),
            "grade_name": r.grade_name, "passed": _yes(r.passed),
            "certificate": _yes(r.certificate), "outstanding": ";".join(r.outstanding),
            "provisional": _yes(r.provisional), "original_points": pts(r.original_points),
            "appealed_items": ";".join(f"{i.item}:{pts(i.original)}->{pts(i.points)}"
                                       for i in r.appealed),
            "reasons": "; ".join(failure_reasons(r, language)),
            "error": r.error or "",
        }
        subjects = {sub.subject_id: sub for sub in r.subjects}
        for sid in subject_ids:
            sub = subjects.get(sid)
            row[f"{sid} grade"] = "" if sub is None or sub.grade is None else str(sub.grade)
        by_id = {p.part_id: p for p in r.parts}
        for pid in part_ids:
            p = by_id.get(pid)
            values = ("", "", "", "", "", "") if p is None else (
                pts(p.points), pts(p.max_points),
                percent_text(p.percent, r.rounding, language, sign=False),
                "" if p.grade is None else str(p.grade), _yes(p.passed), pts(p.original_points))
            for name, value in zip(PART_FIELDS, values, strict=True):
                row[f"{pid} {name}"] = value
        rows.append(row)
    return rows


def csv_dialect(language: str, sep: str | None = None) -> tuple[str, str]:
    """(separator, number language): where the language writes a decimal comma (a Hungarian
    or German centre) spreadsheets expect `;` and decimal commas; elsewhere `,` and decimal
    points. An explicit `sep` wins; decimal commas go with `;` only (a comma separator would
    split them)."""
    from kiosk.domain.numbers import decimal_symbol

    comma = decimal_symbol(language) == ","
    if sep is None:
        sep = ";" if comma else ","
    return sep, (language if sep == ";" and comma else "en")


def results_csv(results: Sequence[CandidateResult], sep: str = ",", language: str = "en"
                ) -> str:
    rows = results_rows(results, language)
    columns = list(BASE_COLUMNS)
    for row in rows:
        columns.extend(k for k in row if k not in columns)
    return csv_text(columns, rows, sep=sep)


def results_json(results: Sequence[CandidateResult]) -> list[dict[str, Any]]:
    out = []
    for r in results:
        d = r.to_dict()
        d["reasons"] = failure_reasons(r, "en")
        out.append(d)
    return out
