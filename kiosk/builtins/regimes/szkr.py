"""The `hu-szkr` regime: a vocational exam (szakmai vizsga) under Gov. Decree 12/2020, 290. §.

- Each activity (vizsgatevékenység) is a percentage computed "only to the whole number": its
  points over its maximum (or, when its parts carry weights, the weighted mean of the part
  percents), TRUNCATED — 79.9 % is 79 %. Its grade comes from the scale (default hu-szkr:
  above 79 → 5, 60–79 → 4, 50–59 → 3, 40–49 → 2, below 40 → 1).
- Per-part minimums, e.g. each task set ≥ 40 %: a mark's `min_percent`, else the activity's
  `part_min_percent`, else the exam's per-part pass_percent. A part percentage is truncated too
  before it is compared (for whole-number minimums this is the same as comparing exactly).
  A missed minimum makes the activity unsuccessful even with a high total.
- (5) The exam fails if ANY activity is elégtelen (or unsuccessful by a minimum).
- (4) The overall result is the weighted combination of the (whole-number) activity percents,
  rounded half up (79.5 → 80), then graded. Without weights the activities weigh the same.
  A failed exam is graded elégtelen; the grade the percentage would earn is kept in the notes.
- 291. § (2): "sikertelen szakmai vizsga esetén csak az elégtelenre értékelt vizsgatevékenységet
  kell megismételni" — a resit repeats only the failed activities, which are `outstanding`.
  "Az (1) bekezdés b) és c) pontjában meghatározott esetben a szakmai vizsgát teljes egészében
  meg kell ismételni": after an unexcused absence or interruption (b) or an exclusion for an
  irregularity (c) — `inputs.interruptions` — the exam fails, every activity is outstanding
  and `Outcome.repeat_whole` is True, whatever the marks.
- Exempt activities (264. § (2)) are graded jeles, left out of the weighted percentage, and
  the other weights renormalised.

An exam with no `activities` in the input is one activity made of all its marks; the exam file
may group parts into activities with `[[activities]]` tables (id, weight, parts = [part ids],
part_min_percent, min_percent), which arrive in config["activities"].

`certificate` is None: whether a certificate is issued depends on the whole vocational exam,
which may include activities this kiosk does not hold (the project task, practical parts).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from kiosk.domain.exam_rules import VOCATIONAL_RULES
from kiosk.domain.grading import GRADE_NAMES, GradeScale
from kiosk.domain.regimes import (
    ActivityInput,
    ActivityResult,
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
    grade_percent,
    part_config,
    percent,
    round_half_up,
    to_decimal,
    truncate_percent,
)
from kiosk.domain.texts import NO_TEXT, Text


def activities_from_config(marks: Sequence[PartMark], config: Mapping[str, Any]) -> list[
        ActivityInput]:
    """Group marks into the activities the exam lists; ungrouped marks make one activity."""
    raw = config.get("activities")
    if not raw:
        # The exam's own pass mark is then the activity's minimum.
        return [ActivityInput(activity_id="exam", weight=None, marks=tuple(marks),
                              min_percent=config_number(config, "pass_percent"))]
    if not isinstance(raw, list) or not all(isinstance(a, Mapping) for a in raw):
        raise RegimeError("activities: must be a list of tables with id, weight and parts")
    by_part = {m.part_id: m for m in marks}
    used: set[str] = set()
    out: list[ActivityInput] = []
    for i, entry in enumerate(raw):
        aid = entry.get("id")
        parts = entry.get("parts", [])
        if not isinstance(aid, str) or not aid:
            raise RegimeError(f"activities[{i}].id: must be a string, got {aid!r}")
        if not isinstance(parts, list) or not all(isinstance(p, str) for p in parts):
            raise RegimeError(f"activities[{i}].parts: must be a list of part ids")
        where = f"activities[{i}]"
        out.append(ActivityInput(
            activity_id=aid,
            weight=config_number(entry, "weight", where),
            marks=tuple(by_part[p] for p in parts if p in by_part),
            part_min_percent=config_number(entry, "part_min_percent", where),
            min_percent=config_number(entry, "min_percent", where),
            exempt=bool(entry.get("exempt", False)),
            title=str(entry.get("title", "")),
        ))
        used.update(parts)
    stray = [m.part_id for m in marks if m.part_id not in used]
    if stray:
        raise RegimeError(f"part {stray[0]!r} belongs to none of the exam's activities")
    return out


class SzkrRegime(Regime):
    name = "hu-szkr"
    title = Text("regime.hu-szkr", "Szakmai vizsga (Szkr. 290. §)")
    default_scale = "hu-szkr"
    groups = "activities"
    rules = VOCATIONAL_RULES

    def evaluate(self, inputs: RegimeInput) -> Outcome:
        scale = self.scale(inputs)
        assert scale is not None
        config = inputs.config
        activities = list(inputs.activities) or activities_from_config(inputs.marks, config)
        out = Outcome(regime=self.name, scale_id=scale.id, certificate=None)
        counted = [a for a in activities if not a.exempt]
        if counted and all(a.weight is None for a in counted) and len(counted) > 1:
            out.notes.append("no activity weights given: the activities weigh the same")
        wsum = wpct = Decimal(0)
        failed: list[str] = []
        for act in activities:
            result = self._activity(act, config, scale, out)
            out.activities.append(result)
            if act.exempt:
                continue
            if not result.passed:
                failed.append(act.activity_id)
            if result.percent is not None:
                w = to_decimal(act.weight) if act.weight is not None else Decimal(1)
                wsum += w
                wpct += w * result.percent
        if wsum == 0:
            out.notes.append("no marked activities")
            out.passed = False
            self._whole_repeat(inputs, activities, scale, out)
            return out
        overall = round_half_up(wpct / wsum)
        out.overall_percent = float(overall)
        out.overall_points = sum((a.points or 0.0) for a in out.activities if not a.exempt)
        out.overall_max_points = sum(
            (a.max_points or 0.0) for a in out.activities if not a.exempt)
        g = grade_percent(scale, overall)
        out.passed = not failed
        if failed:
            out.outstanding = failed
            out.notes.append("failed: an activity is elégtelen or missed a minimum ("
                             + ", ".join(failed) + ") — only these are repeated at a resit")
            low = failed_grade(scale)
            if g[0] != low[0]:
                out.notes.append(f"the weighted result {fmt(overall)} % alone would be "
                                 f"{g[1]} ({g[0]})")
            g = low
        out.grade, out.grade_name = g
        self._whole_repeat(inputs, activities, scale, out)
        return out

    def _whole_repeat(self, inputs: RegimeInput, activities: list[ActivityInput],
                      scale: GradeScale, out: Outcome) -> None:
        why = [i for i in inputs.interruptions if i.kind == "excluded" or not i.excused]
        for i in inputs.interruptions:
            if i not in why:
                out.notes.append(f"{i.kind} for a reason not the candidate's fault"
                                 f"{': ' + i.reason if i.reason else ''} — a make-up exam "
                                 "(pótlóvizsga, 292. §) of the activities not yet taken")
        if not why:
            return
        labels = {"absent": "did not turn up without an acceptable reason",
                  "interrupted": "broke the exam off without an acceptable reason",
                  "excluded": "was barred from continuing because of an irregularity"}
        first = why[0]
        when = f" on {first.date.isoformat()}" if first.date else ""
        out.passed = False
        out.repeat_whole = True
        out.grade, out.grade_name = failed_grade(scale)
        out.outstanding = [a.activity_id for a in activities if not a.exempt]
        out.notes.append(f"the candidate {labels.get(first.kind, first.kind)}{when}"
                         f"{' (' + first.reason + ')' if first.reason else ''}: the whole "
                         "vocational exam must be repeated (Szkr 291. § (1) b–c, (2): \"a "
                         "szakmai vizsgát teljes egészében meg kell ismételni\")")

    def _activity(self, act: ActivityInput, config: Mapping[str, Any], scale: GradeScale,
                  out: Outcome) -> ActivityResult:
        ids = [m.part_id for m in act.marks]
        if act.exempt:
            # 264. § (2): "Az e bekezdésben meghatározott felmentés esetén a szakmai vizsga vagy
            # a vizsgatevékenység eredménye jelesnek minősül." No percentage is given, so the
            # activity is left out of the weighted percentage but shows as jeles.
            return ActivityResult(
                activity_id=act.activity_id, weight=act.weight, points=None, max_points=None,
                percent=None, grade=5, grade_name=GRADE_NAMES[5],
                passed=True, exempt=True, title=act.title, part_ids=ids)
        where = f"activity {act.activity_id!r}"
        total = top = Decimal(0)
        weighted = any(m.weight is not None for m in act.marks)
        wsum = wpct = Decimal(0)
        passed = True
        for mark in act.marks:
            pts, mx = check_points(mark, where)
            pct = truncate_percent(percent(pts, mx))
            g, g_name = grade_percent(scale, pct)
            minimum = mark.min_percent
            if minimum is None:
                minimum = act.part_min_percent
            if minimum is None:
                minimum = config_number(part_config(config, mark.part_id), "pass_percent",
                                        f"parts.{mark.part_id}")
            notes: list[str] = []
            ok = True
            if minimum is not None and pct < to_decimal(minimum):
                ok = passed = False
                notes.append(f"{pct} % is below the minimum of {fmt(minimum)} %")
                out.notes.append(f"{where}, part {mark.part_id!r}: {pct} % is below the "
                                 f"minimum of {fmt(minimum)} %")
            if g == failed_grade(scale)[0]:
                # A part graded elégtelen is not passed, whatever its activity's total.
                ok = False
            if mark.replacement_card:
                notes.append(f"replacement card: {fmt(mark.points or 0)} points halved and "
                             f"rounded up to {fmt(pts)}")
            out.parts.append(PartResult(
                part_id=mark.part_id, kind=mark.kind, points=float(pts), max_points=float(mx),
                percent=float(pct), grade=g, grade_name=g_name, passed=ok,
                subject_id=act.activity_id, raw_points=mark.points,
                replacement_card=mark.replacement_card, date=mark.date, notes=notes))
            total += pts
            top += mx
            w = to_decimal(mark.weight) if mark.weight is not None else Decimal(1)
            wsum += w
            wpct += w * percent(pts, mx)
        if top == 0:
            return ActivityResult(
                activity_id=act.activity_id, weight=act.weight, points=None, max_points=None,
                percent=None, grade=None, grade_name=NO_TEXT, passed=False,
                title=act.title, part_ids=ids)
        pct = truncate_percent(wpct / wsum if weighted else percent(total, top))
        g, g_name = grade_percent(scale, pct)
        if g == failed_grade(scale)[0]:
            passed = False
        if act.min_percent is not None and pct < to_decimal(act.min_percent):
            passed = False
            out.notes.append(f"{where}: {pct} % is below its minimum of {fmt(act.min_percent)} %")
        return ActivityResult(
            activity_id=act.activity_id, weight=act.weight, points=float(total),
            max_points=float(top), percent=pct, grade=g, grade_name=g_name,
            passed=passed, title=act.title, part_ids=ids)

