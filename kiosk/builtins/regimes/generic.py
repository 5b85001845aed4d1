"""The `generic` regime: points → percent → grade scale, a pass threshold, per-part minimums.

Settings (from `config`, i.e. the exam file): grade_scale (optional: without one there is no
grade), pass_percent and/or pass_points for the whole exam, and per part pass_percent /
pass_points (`config["parts"][id]`) or a mark's own `min_percent`. Thresholds compare the exact
percentage: 39.99 % has not reached 40 %.

The overall percent is points over maximum, unless any mark carries a weight: then it is the
weighted mean of the part percents (parts without a weight weigh 1). Exempt parts are left out of
totals and minimums. A missed per-part minimum fails the exam however high the total; a failed
exam is graded with the scale's lowest band (the grade its percentage would earn is noted), and
the parts that missed their minimum are outstanding (every part, when the total fails). With no
threshold the lowest band of the scale fails; with neither threshold nor scale the exam passes.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from kiosk.domain.grading import GradeScale
from kiosk.domain.regimes import (
    Outcome,
    PartMark,
    PartResult,
    Regime,
    RegimeInput,
    as_float,
    check_points,
    config_number,
    failed_grade,
    fmt,
    grade_from,
    grade_names,
    grade_percent,
    part_config,
    percent,
    to_decimal,
)
from kiosk.domain.texts import NO_TEXT, Text


def part_minimum(mark: PartMark, entry: Mapping[str, Any], where: str) -> tuple[
        float | None, float | None]:
    """(min percent, min points) for a part: the mark's own minimum wins over the exam's."""
    min_pct = mark.min_percent if mark.min_percent is not None else config_number(
        entry, "pass_percent", where)
    return min_pct, config_number(entry, "pass_points", where)


class GenericRegime(Regime):
    name = "generic"
    title = Text("regime.generic", "Általános (pontszám → százalék → érdemjegy)")
    default_scale = None

    def evaluate(self, inputs: RegimeInput) -> Outcome:
        scale = self.scale(inputs, required=False)
        config = inputs.config
        out = Outcome(regime=self.name, scale_id=scale.id if scale else None)
        total = top = Decimal(0)
        weighted = any(m.weight is not None for m in inputs.marks if not m.exempt)
        wsum = wpct = Decimal(0)
        part_failed: list[str] = []
        for mark in inputs.marks:
            if mark.exempt:
                out.parts.append(PartResult(
                    part_id=mark.part_id, kind=mark.kind, points=None, max_points=None,
                    percent=None, grade=None, grade_name=NO_TEXT, passed=True,
                    exempt=True, date=mark.date, notes=["exempt: left out of the totals"]))
                continue
            pts, mx = check_points(mark)
            pct = percent(pts, mx)
            notes = _minimum_notes(mark, config, pts, pct)
            if notes:
                part_failed.append(mark.part_id)
            out.parts.append(_part_result(mark, scale, pts, mx, pct, notes))
            total += pts
            top += mx
            w = to_decimal(mark.weight) if mark.weight is not None else Decimal(1)
            wsum += w
            wpct += w * pct
        if top == 0:
            out.notes.append("no marked parts")
            out.passed = not part_failed and bool(out.parts)
            return out
        overall = wpct / wsum if weighted and wsum > 0 else percent(total, top)
        out.overall_points, out.overall_max_points = float(total), float(top)
        out.overall_percent = as_float(overall)
        if scale is not None:
            out.grade, out.grade_name = (
                grade_percent(scale, overall) if weighted else grade_from(scale, total, top))
        passed = _passes(out, config, scale, overall, total)
        if part_failed:
            passed = False
            out.notes.append("failed: part minimum missed in " + ", ".join(part_failed))
            out.outstanding = list(part_failed)
        out.passed = passed
        if not passed:
            _failed(out, scale)
        if out.grade is not None and not out.grade_name:
            out.grade_name = grade_names(out.grade)
        return out


def _minimum_notes(mark: PartMark, config: Mapping[str, Any], pts: Decimal, pct: Decimal
                  ) -> list[str]:
    """How the part missed its minimum percent or points ([] when it did not)."""
    min_pct, min_pts = part_minimum(
        mark, part_config(config, mark.part_id), f"parts.{mark.part_id}")
    notes: list[str] = []
    if min_pct is not None and pct < to_decimal(min_pct):
        notes.append(f"{fmt(pct)} % is below the part minimum of {fmt(min_pct)} %")
    if min_pts is not None and pts < to_decimal(min_pts):
        notes.append(f"{fmt(pts)} points are below the part minimum of "
                     f"{fmt(min_pts)}")
    return notes


def _part_result(mark: PartMark, scale: GradeScale | None, pts: Decimal, mx: Decimal,
                 pct: Decimal, notes: list[str]) -> PartResult:
    """A marked part's result: passed unless it missed its minimum (`notes`) or was graded
    with the scale's lowest band."""
    g, g_name = grade_from(scale, pts, mx) if scale else (None, NO_TEXT)
    # Graded elégtelen: the part is not passed (the exam's own pass rule, on the total, still
    # decides the overall result).
    passed = not notes and not (scale is not None and g == failed_grade(scale)[0])
    if mark.replacement_card:
        notes.append(f"replacement card: {fmt(mark.points or 0)} points halved and rounded "
                     f"up to {fmt(pts)}")
    return PartResult(
        part_id=mark.part_id, kind=mark.kind, points=float(pts), max_points=float(mx),
        percent=float(pct), grade=g, grade_name=g_name,
        passed=passed, raw_points=mark.points, replacement_card=mark.replacement_card,
        date=mark.date, notes=notes)


def _passes(out: Outcome, config: Mapping[str, Any], scale: GradeScale | None,
            overall: Decimal, total: Decimal) -> bool:
    """Whether the totals reach the exam's pass percent and pass points (without either: whether
    the grade is above the scale's lowest band); a miss is noted on `out`."""
    passed = True
    pass_pct = config_number(config, "pass_percent")
    pass_pts = config_number(config, "pass_points")
    if pass_pct is not None and overall < to_decimal(pass_pct):
        passed = False
        out.notes.append(f"{fmt(overall)} % is below the pass mark of {fmt(pass_pct)} %")
    if pass_pts is not None and total < to_decimal(pass_pts):
        passed = False
        out.notes.append(f"{fmt(total)} points are below the pass mark of {fmt(pass_pts)}")
    if pass_pct is None and pass_pts is None and out.grade is not None:
        lowest = failed_grade(scale)[0]
        passed = out.grade != lowest
    return passed


def _failed(out: Outcome, scale: GradeScale | None) -> None:
    """A failed exam: graded with the scale's lowest band (the grade its total would earn is
    noted), every part outstanding unless a missed minimum named some."""
    if scale is not None:
        low = failed_grade(scale)
        if out.grade != low[0]:
            out.notes.append(f"the total alone would be {out.grade_name} ({out.grade}), "
                             "but the exam is failed")
        out.grade, out.grade_name = low
    if not out.outstanding:
        out.outstanding = [p.part_id for p in out.parts if not p.exempt]
