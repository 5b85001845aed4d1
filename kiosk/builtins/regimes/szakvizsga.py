"""The `hu-szakvizsga` regime: the public-administration professional exam (rules/szakvizsga.md).

Two subjects (a compulsory and an elective one), each a written part (points out of 100, graded
on the hu-szakvizsga scale: 91 / 81 / 71 / 61, so 61 points pass) and an oral part graded 1–5 by
the board. The subject grade is the mean of the two part grades rounded DOWN (4 and 3 → 3). A
certificate is issued only when all four parts are passed; the outcome then passes. The exam has
no overall grade of its own (Outcome.grade is None); the certificate carries the subject grades.

Attempts. A part's marks are its attempts in date order. After a failed attempt the next one is
a retake (ismétlővizsga) and replaces only that part; the failed attempts stay in
`PartResult.earlier`. After a passed attempt the next one is an improvement exam (javítóvizsga):
by default ("later", config improvement_policy) its result becomes the final one, whatever it
is — the candidate chose to sit again — and the original stays visible in `earlier` with a note;
improvement_policy = "better" keeps whichever grade is higher instead.

The two-year rule. The information sheet: "Ha az első eredménytelen szakvizsgarésztől számított
két éven belül az ismétlővizsga nem eredményes, akkor a vizsgát mindkét tárgyból meg kell
ismételni. Ebben az esetben az addig elért eredmények törlődnek." By default (config
two_year_clock = "first_failed_part", the literal reading) there is ONE clock for the whole
exam: it starts at the first failed part (of either subject) and runs until no failed part is
outstanding any more; every part failed meanwhile must be passed within two years of that first
failure (on or before the same calendar day two years later; 29 February → 28 February). A part
that fails a year later does not get its own two years. two_year_clock = "per_part" is the
alternative reading kept as an explicit option: each part's clock starts at its own first failed
attempt since it was last passed. Either way, when the deadline passes with a failed part
outstanding — because the passing retake is later, or because `as_of` is past the deadline — the
earlier results of both subjects stop counting: every part is listed with counts=False (nothing
is erased), everything is outstanding, and a note says why. Attempts in the same input after the
deadline are retakes of results that no longer count, so they do not count either; a new
registration for the whole exam is a new evaluation with its own marks.

Exemption (a degree rated partly administrative): the exempted subject counts as passed
"kiváló" (excellent). It is represented as grade 5 with the name "kiváló" — 5 is the top of the
1–5 scale, so anything that sorts or averages grades treats it as the best result — and both its
parts are listed as exempt, passed, with grade 5.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from kiosk.domain.exam_rules import SZAKVIZSGA_RULES
from kiosk.domain.grading import GradeScale
from kiosk.domain.regimes import (
    Outcome,
    PartMark,
    PartResult,
    Regime,
    RegimeError,
    RegimeInput,
    SubjectInput,
    SubjectResult,
    add_years,
    check_grade,
    check_points,
    grade_from,
    grade_names,
    percent,
)
from kiosk.domain.texts import NO_TEXT, Text

PART_KINDS = ("written", "oral")
SUBJECT_KINDS = ("compulsory", "elective")
POLICIES = ("later", "better")
CLOCKS = ("first_failed_part", "per_part")
#: the grade an exemption counts as (kiváló), a message of the catalogue
EXEMPT_NAME = Text("grade.exempt", "kiváló")
RETAKE_YEARS = 2


@dataclass
class _Part:
    """One part's attempts folded into a final result."""

    kind: str
    final: PartResult | None = None
    lapsed_on: date | None = None
    notes: list[str] = field(default_factory=list)
    #: (date, passed) of the part's final result after each attempt, for the exam-wide clock
    timeline: list[tuple[date | None, bool]] = field(default_factory=list)


class SzakvizsgaRegime(Regime):
    name = "hu-szakvizsga"
    title = Text("regime.hu-szakvizsga", "Közigazgatási szakvizsga")
    default_scale = "hu-szakvizsga"
    groups = "subjects"
    # Retakes and improvement exams within two years: every attempt is the record.
    every_attempt_counts = True
    # Subjects are graded 1–5 without overall points; results still show the written points.
    written_points_shown = True
    # The rules know no replacement card (póttétel): the oral is graded by the board.
    replacement_card = False
    rules = SZAKVIZSGA_RULES

    def paper_errors(self, exam: Any, items: Mapping[str, Any]) -> list[str]:
        return written_sheet_errors(exam, items)

    def evaluate(self, inputs: RegimeInput) -> Outcome:
        scale = self.scale(inputs)
        assert scale is not None
        policy = inputs.config.get("improvement_policy", "later")
        if policy not in POLICIES:
            raise RegimeError(f"improvement_policy: must be one of {', '.join(POLICIES)}, "
                              f"got {policy!r}")
        clock = inputs.config.get("two_year_clock", CLOCKS[0])
        if clock not in CLOCKS:
            raise RegimeError(f"two_year_clock: must be one of {', '.join(CLOCKS)}, "
                              f"got {clock!r}")
        out = Outcome(regime=self.name, scale_id=scale.id, certificate=False)
        seen: set[str] = set()
        folded: list[tuple[SubjectInput, dict[str, _Part]]] = []
        for subject in inputs.subjects:
            if subject.kind not in SUBJECT_KINDS:
                raise RegimeError(f"subject {subject.subject_id!r}: kind must be compulsory or "
                                  f"elective, got {subject.kind!r}")
            if subject.subject_id in seen:
                raise RegimeError(f"subject {subject.subject_id!r} is given twice")
            seen.add(subject.subject_id)
            parts = {} if subject.exempt else self._fold(subject, scale, policy, inputs.as_of,
                                                         clock == "per_part")
            folded.append((subject, parts))
        if clock == "first_failed_part":
            _exam_clock(folded, inputs.as_of)

        lapses = [(s, p) for s, parts in folded for p in parts.values() if p.lapsed_on]
        exempt: dict[str, SubjectResult] = {}
        for subject, parts in folded:
            if subject.exempt:
                exempt[subject.subject_id] = self._exempt(subject, out)
                continue
            for kind in PART_KINDS:
                part = parts[kind]
                out.notes.extend(part.notes)
                if part.final is not None:
                    out.parts.append(part.final)
        if lapses:
            self._lapse(folded, lapses, exempt, out)
            return out
        for subject, parts in folded:
            out.subjects.append(exempt.get(subject.subject_id)
                                or self._subject(subject, parts, out))
        kinds = {s.kind for s, _ in folded}
        missing = [k for k in SUBJECT_KINDS if k not in kinds]
        if missing:
            out.notes.append("no " + " and no ".join(missing) + " subject: no certificate yet")
            out.outstanding.extend(f"{k} subject" for k in missing)
        out.certificate = not missing and all(s.passed for s in out.subjects)
        out.passed = out.certificate
        return out

    # --- one subject ---------------------------------------------------------------------

    def _fold(self, subject: SubjectInput, scale: GradeScale, policy: str,
              as_of: date | None, per_part: bool) -> dict[str, _Part]:
        where = f"subject {subject.subject_id!r}"
        by_kind: dict[str, list[PartMark]] = {k: [] for k in PART_KINDS}
        for mark in subject.marks:
            if mark.kind not in PART_KINDS:
                raise RegimeError(f"{where}, part {mark.part_id!r}: kind must be written or "
                                  f"oral, got {mark.kind!r}")
            by_kind[mark.kind].append(mark)
        parts: dict[str, _Part] = {}
        for kind, marks in by_kind.items():
            if len(marks) > 1 and any(m.date is None for m in marks):
                raise RegimeError(f"{where}: the {kind} part has {len(marks)} attempts, so each "
                                  "needs a date")
            marks.sort(key=lambda m: m.date or date.min)
            parts[kind] = self._attempts(subject, kind, marks, scale, policy,
                                         as_of if per_part else None, per_part)
        return parts

    def _attempt(self, subject: SubjectInput, mark: PartMark, scale: GradeScale) -> PartResult:
        where = f"subject {subject.subject_id!r}"
        if mark.kind == "written":
            pts, mx = check_points(mark, where)
            g, g_name = grade_from(scale, pts, mx)
            return PartResult(
                part_id=mark.part_id, kind=mark.kind, points=float(pts), max_points=float(mx),
                percent=float(percent(pts, mx)), grade=g, grade_name=g_name,
                passed=g > 1, subject_id=subject.subject_id, raw_points=mark.points,
                replacement_card=mark.replacement_card, date=mark.date)
        if mark.grade is None:
            raise RegimeError(f"{where}, part {mark.part_id!r}: the oral part is graded 1–5 by "
                              "the board; give its grade")
        g = check_grade(mark, where)
        g_name = grade_names(g)
        return PartResult(
            part_id=mark.part_id, kind=mark.kind, points=mark.points, max_points=mark.max_points,
            percent=None, grade=g, grade_name=g_name, passed=g > 1,
            subject_id=subject.subject_id, replacement_card=mark.replacement_card,
            date=mark.date)

    def _attempts(self, subject: SubjectInput, kind: str, marks: list[PartMark],
                  scale: GradeScale, policy: str, as_of: date | None,
                  per_part: bool = True) -> _Part:
        part = _Part(kind=kind)
        label = f"{subject.subject_id}:{kind}"
        failing_since: date | None = None
        undated_failure = False
        for mark in marks:
            att = self._attempt(subject, mark, scale)
            if failing_since is not None and per_part:
                deadline = add_years(failing_since, RETAKE_YEARS)
                if att.date is not None and att.date > deadline:
                    part.lapsed_on = deadline
                    part.notes.append(
                        f"{label}: first failed on {failing_since.isoformat()}, not passed by "
                        f"{deadline.isoformat()} (two-year rule); the attempt on "
                        f"{att.date.isoformat()} comes after the deadline")
            prev = part.final
            part.final = final = att if prev is None else _standing(prev, att, policy)
            part.timeline.append((att.date, final.passed))
            if final.passed:
                failing_since = None
            elif failing_since is None:
                failing_since = final.date
                undated_failure = final.date is None
        if failing_since is not None and part.lapsed_on is None and as_of is not None:
            deadline = add_years(failing_since, RETAKE_YEARS)
            if as_of > deadline:
                part.lapsed_on = deadline
                part.notes.append(
                    f"{label}: first failed on {failing_since.isoformat()}, not passed by "
                    f"{deadline.isoformat()} (two-year rule)")
        if undated_failure:
            part.notes.append(f"{label}: failed attempt without a date — the two-year rule "
                              "cannot be checked")
        return part

    def _subject(self, subject: SubjectInput, parts: dict[str, _Part],
                 out: Outcome) -> SubjectResult:
        finals = {k: p.final for k, p in parts.items()}
        ids = [f.part_id for f in finals.values() if f is not None]
        result = SubjectResult(
            subject_id=subject.subject_id, kind=subject.kind, grade=None, grade_name=NO_TEXT,
            passed=False, title=subject.title, part_ids=ids)
        for kind, final in finals.items():
            if final is None or not final.passed:
                out.outstanding.append(f"{subject.subject_id}:{kind}")
        if any(f is not None and not f.passed for f in finals.values()):
            result.grade = 1
        elif all(f is not None for f in finals.values()):
            written, oral = finals["written"], finals["oral"]
            assert written is not None and oral is not None
            # "a két vizsgarész érdemjegyének számtani átlaga, lefelé kerekítve"
            result.grade = ((written.grade or 0) + (oral.grade or 0)) // 2
            result.passed = True
        result.grade_name = grade_names(result.grade)
        return result

    def _exempt(self, subject: SubjectInput, out: Outcome) -> SubjectResult:
        ids = []
        for kind in PART_KINDS:
            pid = next((m.part_id for m in subject.marks if m.kind == kind), kind)
            ids.append(pid)
            out.parts.append(PartResult(
                part_id=pid, kind=kind, points=None, max_points=None, percent=None, grade=5,
                grade_name=EXEMPT_NAME, passed=True,
                subject_id=subject.subject_id, exempt=True,
                notes=["exempt: counts as passed with excellent result (kiváló)"]))
        if subject.marks:
            out.notes.append(f"subject {subject.subject_id!r} is exempt: its "
                             f"{len(subject.marks)} mark(s) are not counted")
        return SubjectResult(
            subject_id=subject.subject_id, kind=subject.kind, grade=5,
            grade_name=EXEMPT_NAME, passed=True,
            exempt=True, title=subject.title, part_ids=ids)

    def _lapse(self, folded: list[tuple[SubjectInput, dict[str, _Part]]],
               lapses: list[tuple[SubjectInput, _Part]], exempt: dict[str, SubjectResult],
               out: Outcome) -> None:
        for part in out.parts:
            if not part.exempt:
                part.counts = False
                for earlier in part.earlier:
                    earlier.counts = False
        for subject, _parts in folded:
            if subject.exempt:
                out.subjects.append(exempt[subject.subject_id])
                continue
            out.subjects.append(SubjectResult(
                subject_id=subject.subject_id, kind=subject.kind, grade=None,
                grade_name=NO_TEXT, passed=False, title=subject.title,
                part_ids=[p.part_id for p in out.parts if p.subject_id == subject.subject_id]))
            out.outstanding.extend(f"{subject.subject_id}:{k}" for k in PART_KINDS)
        first = min(lapses, key=lambda sp: sp[1].lapsed_on or date.max)
        out.notes.append(
            f"two-year rule: {first[0].subject_id}:{first[1].kind} was not passed by "
            f"{_when(first[1].lapsed_on)}; the earlier results of both subjects no longer count "
            "(kept in the record, not erased) and both subjects must be taken again")
        out.certificate = False
        out.passed = False


def _exam_clock(folded: list[tuple[SubjectInput, dict[str, _Part]]],
                as_of: date | None) -> None:
    """The literal two-year rule: one clock from the first failed part of the exam until no
    failed part is outstanding; sets `lapsed_on` (and a note) on the part still failed when the
    deadline passed."""
    steps: list[tuple[date, str, bool, _Part]] = []
    for subject, parts in folded:
        for kind, part in parts.items():
            label = f"{subject.subject_id}:{kind}"
            steps.extend((d, label, ok, part) for d, ok in part.timeline if d is not None)
    steps.sort(key=lambda s: s[0])
    pending: dict[str, _Part] = {}
    since: date | None = None
    first = ""
    for day, label, ok, part in steps:
        if since is not None and pending:
            deadline = add_years(since, RETAKE_YEARS)
            if day > deadline:
                _lapse_note(pending, since, first, deadline,
                            f"; the attempt at {label} on {day.isoformat()} comes after the "
                            "deadline")
                return
        if ok:
            pending.pop(label, None)
        else:
            pending[label] = part
            if since is None:
                since, first = day, label
        if not pending:
            since = None
    if since is not None and pending and as_of is not None:
        deadline = add_years(since, RETAKE_YEARS)
        if as_of > deadline:
            _lapse_note(pending, since, first, deadline, "")


def _lapse_note(pending: dict[str, _Part], since: date, first: str, deadline: date,
                tail: str) -> None:
    label, part = next(iter(pending.items()))
    part.lapsed_on = deadline
    part.notes.append(f"{label}: not passed by {deadline.isoformat()}, two years after the "
                      f"first failed part ({first}, {since.isoformat()}){tail} (two-year rule: "
                      "\"az első eredménytelen szakvizsgarésztől számított két éven belül\")")


def _bare(result: PartResult) -> PartResult:
    """A copy without its own history, for another result's `earlier` list."""
    return PartResult(**{**result.__dict__, "earlier": [], "notes": list(result.notes)})


def _standing(prev: PartResult, att: PartResult, policy: str) -> PartResult:
    """Which of a part's standing attempt and a later one stands (a retake replaces a failure;
    an improvement exam the worse grade, or any grade under the "later" policy); the other
    becomes its earlier attempt."""
    if not prev.passed:
        att.earlier = [*prev.earlier, _bare(prev)]
        att.notes.append(f"retake: replaces the failed attempt of "
                         f"{_when(prev.date)} ({prev.grade_name})")
        return att
    if policy == "later" or (att.grade or 0) > (prev.grade or 0):
        att.earlier = [*prev.earlier, _bare(prev)]
        att.notes.append(f"improvement exam: {att.grade_name} ({att.grade}) replaces "
                         f"{prev.grade_name} ({prev.grade}) of {_when(prev.date)}")
        return att
    prev.earlier = [*prev.earlier, _bare(att)]
    prev.notes.append(f"improvement exam of {_when(att.date)} gave "
                      f"{att.grade_name} ({att.grade}); the better original "
                      "grade stands")
    return prev


def _when(day: date | None) -> str:
    return day.isoformat() if day else "(undated)"



# --- the written task sheet ------------------------------------------------------------------

SHEET_QUESTIONS = (11, 14)


def written_sheet_errors(exam: Any, items: Mapping[str, Any]) -> list[str]:
    """What a hu-szakvizsga exam's written sheet breaks of the information sheet's two rules:
    "A vizsga írásbeli részén a jelöltek egy 11-14 kérdésből álló feladatlapot oldanak meg" and
    "A kérdések a tananyag teljes egészét lefedik, minden modulból tartalmaznak kérdéseket azonos
    arányban". A module is a topic of the exam's banks. With five modules no count from 11 to 14
    splits evenly, so "azonos arányban" is checked on points: every module must give the same
    points on every paper (which also needs each draw to give the same points whatever it draws).
    Parts with `kind = "oral"` are not task sheets and are skipped."""
    from kiosk.domain.exams import fixed_keys, slots_for

    errors: list[str] = []
    modules = sorted({it.topic for it in items.values() if it.topic})
    fixed, _ = fixed_keys(exam, items)
    slots, _ = slots_for(exam, items)
    low, high = SHEET_QUESTIONS
    for part in exam.parts:
        if str(part.extra.get("kind", "written")) != "written":
            continue
        where = f"{exam.source}:{part.line}: {part.label}"
        count = 0
        totals: dict[str, float] = dict.fromkeys(modules, 0.0)
        for key, (p, _rule) in fixed.items():
            if p is part:
                count += 1
                topic = items[key].topic
                totals[topic] = totals.get(topic, 0.0) + items[key].points
        for slot in slots:
            if slot.part is not part:
                continue
            count += slot.count
            topic = slot.topic if slot.topic is not None else slot.rule.topic
            if topic is None:
                errors.append(f"{where}: {slot.label} draws from any module, so the modules' "
                              "share depends on the draw (give topic or equal_share with topics)")
                continue
            got = {items[k].points for k in items if slot.matches(items[k])}
            if len(got) > 1:
                errors.append(f"{where}: {slot.label} draws items of different points "
                              f"({', '.join(_num(x) for x in sorted(got))}), so module "
                              f"{topic!r} gets different points on different papers")
                continue
            totals[topic] = totals.get(topic, 0.0) + slot.count * (next(iter(got), 0.0))
        if not low <= count <= high:
            errors.append(f"{where}: the written sheet has {count} questions; the szakvizsga "
                          f"sheet has {low}–{high} (\"egy 11-14 kérdésből álló feladatlapot\")")
        if len(set(totals.values())) > 1 or any(v <= 0 for v in totals.values()):
            shares = ", ".join(f"{m}: {_num(v)}" for m, v in totals.items())
            errors.append(f"{where}: the modules do not get an equal share (\"minden modulból "
                          f"tartalmaznak kérdéseket azonos arányban\"): points per module "
                          f"{shares}")
    return errors


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
