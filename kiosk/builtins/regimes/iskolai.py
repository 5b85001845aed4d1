"""The `hu-iskolai` regime: in-school exams (osztályozó, különbözeti, pótló, javítóvizsga).

Settings (config, i.e. the exam file):
- grade_scale (required): the school's scale, any registered scale (the hu-iskola-* ones).
- written_weight / oral_weight: how the part percentages combine. Default 50/50, or the scale's
  own `[conditions]` (the maths exam scale hu-iskola-matek-vizsga carries "2/3 írásbeli + 1/3
  szóbeli"). A mark's own `weight` wins over both.
- written_min_percent: "written part below N % → no oral, fail". The scale's condition applies
  whatever the exam file says (the maths exam scale carries 24); an exam file may raise it.
  The oral is then listed but not counted.
- oral_required (a scale condition or an exam key): the exam has no grade until the oral is
  marked — the maths table: "25% vagy annál nagyobb írásbeli teljesítmény esetén a szóbeli vizsga
  kötelező". Until then the oral is outstanding and the result carries no grade.

A part's percentage is its points over its maximum (several marks of one kind are added up).
Póttétel: an oral mark with replacement_card has its points halved and rounded up first, and the
grade is computed from that. The exam's percentage is the weighted mean of the exact part
percentages — not rounded in between — and the scale then applies its own rounding (the school
scales truncate, so 84.99 % is not 85 %). Part grades are shown for information: only the
combined result passes or fails a school exam, so a failed exam makes the whole exam outstanding
(a javítóvizsga repeats the subject, not a part).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from kiosk.domain.exam_rules import IN_SCHOOL_RULES
from kiosk.domain.grading import GradeScale
from kiosk.domain.regimes import (
    Outcome,
    PartMark,
    PartResult,
    Regime,
    RegimeError,
    RegimeInput,
    check_points,
    config_number,
    failed_grade,
    fmt,
    grade_from,
    grade_percent,
    percent,
    to_decimal,
)
from kiosk.domain.texts import NO_TEXT, Text

PART_KINDS = ("written", "oral")


class IskolaiRegime(Regime):
    name = "hu-iskolai"
    title = Text("regime.hu-iskolai", "Tanulmányok alatti vizsga (iskolai)")
    rules = IN_SCHOOL_RULES
    default_scale = None

    def evaluate(self, inputs: RegimeInput) -> Outcome:
        scale = self.scale(inputs, required=False)
        if scale is None:
            raise RegimeError("regime hu-iskolai: grade_scale is required (one of the "
                              "hu-iskola-* scales)")
        config = inputs.config
        out = Outcome(regime=self.name, scale_id=scale.id, certificate=None)
        sums: dict[str, tuple[Decimal, Decimal]] = {}
        weights: dict[str, Decimal] = {}
        for mark in inputs.marks:
            if mark.kind not in PART_KINDS:
                raise RegimeError(f"part {mark.part_id!r}: kind must be written or oral, got "
                                  f"{mark.kind!r}")
            if mark.exempt:
                out.parts.append(PartResult(
                    part_id=mark.part_id, kind=mark.kind, points=None, max_points=None,
                    percent=None, grade=None, grade_name=NO_TEXT, passed=True,
                    exempt=True, date=mark.date, notes=["exempt: left out of the result"]))
                continue
            pts, mx = _part_points(mark)
            out.parts.append(_part_result(mark, scale, pts, mx))
            got, top = sums.get(mark.kind, (Decimal(0), Decimal(0)))
            sums[mark.kind] = (got + pts, top + mx)
            if mark.weight is not None:
                weights[mark.kind] = to_decimal(mark.weight)
        if not sums:
            out.notes.append("no marked parts")
            return out
        pcts = {kind: percent(p, m) for kind, (p, m) in sums.items()}

        minimum = _written_minimum(config, scale.conditions)
        if minimum is not None and "written" in pcts and pcts["written"] < to_decimal(minimum):
            self._written_too_low(out, scale, pcts["written"], minimum)
            return out
        if _oral_missing(config, scale.conditions, pcts, out):
            out.overall_percent = None
            out.outstanding = ["oral"]
            out.notes.append(f"the oral part is required ({scale.id}): no grade until it is "
                             "marked")
            return out

        overall = _weighted_percent(config, scale.conditions, pcts, weights)
        out.overall_points = float(sum(p for p, _ in sums.values()))
        out.overall_max_points = float(sum(m for _, m in sums.values()))
        out.overall_percent = float(overall)
        out.grade, out.grade_name = grade_percent(scale, overall)
        out.passed = out.grade != failed_grade(scale)[0]
        if not out.passed:
            self._fail(scale, out)
        return out

    def _written_too_low(self, out: Outcome, scale: GradeScale, written: Decimal,
                         minimum: float) -> None:
        """The written part below the minimum: the oral does not count and the exam fails."""
        for part in out.parts:
            if part.kind == "oral":
                part.counts = False
                part.notes.append("not counted: the written part is below "
                                  f"{fmt(minimum)} %")
        out.overall_percent = float(written)
        out.notes.append(f"written part {fmt(written)} % is below "
                         f"{fmt(minimum)} %: no oral, the exam is failed")
        self._fail(scale, out)

    def _fail(self, scale: GradeScale, out: Outcome) -> None:
        out.grade, out.grade_name = failed_grade(scale)
        out.passed = False
        out.outstanding = [p.part_id for p in out.parts if not p.exempt]


def _part_points(mark: PartMark) -> tuple[Decimal, Decimal]:
    """A marked part's (points, max points); a part given as a grade is refused."""
    if mark.points is None and mark.grade is not None:
        raise RegimeError(f"part {mark.part_id!r}: give points, not a grade — the "
                          "written and oral parts are weighted by their percentages")
    return check_points(mark)


def _part_result(mark: PartMark, scale: GradeScale, pts: Decimal, mx: Decimal) -> PartResult:
    """A marked part's result, graded for information (passed: above the lowest band)."""
    g, g_name = grade_from(scale, pts, mx)
    notes = []
    if mark.replacement_card:
        notes.append(f"póttétel: {fmt(mark.points or 0)} points halved and rounded up "
                     f"to {fmt(pts)}")
    return PartResult(
        part_id=mark.part_id, kind=mark.kind, points=float(pts), max_points=float(mx),
        percent=float(percent(pts, mx)), grade=g, grade_name=g_name,
        passed=g != failed_grade(scale)[0], raw_points=mark.points,
        replacement_card=mark.replacement_card, date=mark.date, notes=notes)


def _written_minimum(config: Mapping[str, Any], rules: Mapping[str, Any]) -> float | None:
    """The written part's minimum percent: the exam file's, or the scale's when that is
    higher."""
    minimum = config_number(config, "written_min_percent")
    own = config_number(rules, "written_min_percent", "the scale's conditions")
    if own is not None and (minimum is None or own > minimum):
        minimum = own
    return minimum


def _oral_missing(config: Mapping[str, Any], rules: Mapping[str, Any], pcts: Mapping[str, Decimal],
                  out: Outcome) -> bool:
    """Whether the oral is required (by the scale or the exam) but neither marked nor exempt."""
    return (rules.get("oral_required") is True or config.get("oral_required") is True) and (
        "oral" not in pcts and not any(p.kind == "oral" and p.exempt for p in out.parts))


def _weighted_percent(config: Mapping[str, Any], rules: Mapping[str, Any],
                      pcts: Mapping[str, Decimal], weights: Mapping[str, Decimal]) -> Decimal:
    """The exam's percentage: the part percentages weighted by the marks' own weights, else the
    exam file's written_weight/oral_weight, else the scale's, else 1."""
    defaults = {kind: to_decimal(w) for kind in PART_KINDS
                if (w := config_number(rules, f"{kind}_weight", "the scale's conditions"))
                is not None}
    total_w = total = Decimal(0)
    for kind, pct in pcts.items():
        weight = weights.get(kind)
        if weight is None:
            w_cfg = config_number(config, f"{kind}_weight")
            weight = to_decimal(w_cfg) if w_cfg is not None else defaults.get(kind, Decimal(1))
        total_w += weight
        total += weight * pct
    if total_w == 0:
        raise RegimeError("written_weight and oral_weight cannot both be 0")
    return total / total_w
