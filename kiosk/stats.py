"""Item analysis of an exam from its results: the input for kiosk.domain.item_analysis, and the
text and CSV the `kiosk stats` command and the examiner app show.

Papers are drawn at random, so candidates see different items. Each item's statistics are
computed over the candidates who had it on their paper: the item analysis runs on two columns,
the item and the rest of the candidate's paper, which gives exactly the item's facility, its
item–rest (point-biserial) correlation, the upper/lower 27 % groups by the candidate's total and
the distractor counts. Reliability (KR-20, alpha) needs one form, so it is computed over the items
every counted candidate had (None when fewer than two). The histogram is of the candidates'
percentages (0–100), so papers of different maxima are comparable.

Points are the final ones (human marks, appeal decisions); a provisional result still counts
the unmarked items as 0, and the header says how many results are provisional.

Fair random papers: classical statistics need one form, so the items are also calibrated with
the Rasch model across all papers (kiosk.domain.rasch): a difficulty per item on one scale, a
model-based reliability with its standard error (defined however little the papers share), and
each paper's difficulty — the points-weighted share an average candidate is expected to miss —
with its spread per sitting, so a board can show that every candidate sat an equally hard paper.
The 0–1 difficulty is what an item's `difficulty` field in its bank holds; with
`difficulty_tolerance` in the exam file, assembly keeps papers that close to the pool's.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kiosk.domain import item_analysis as IA
from kiosk.domain import rasch as R
from kiosk.domain.attempts import AttemptState
from kiosk.domain.csv_cells import csv_text
from kiosk.domain.items import Item, default_ids
from kiosk.results import CandidateResult

CHOICE_TYPES = ("single_choice", "multiple_response", "true_false")
BAR_WIDTH = 40
#: Fewer responses than this make an item's figures too unstable to act on.
MIN_RESPONSES = 30
STEM_WIDTH = 70


@dataclass(frozen=True)
class ItemCalibration:
    logit: float
    se: float
    #: the share of the item an average candidate (ability 0) is expected to miss, 0–1
    difficulty: float


@dataclass(frozen=True)
class PaperSpread:
    """How much the papers of one sitting differ in difficulty (0–1 scale)."""

    sitting: str
    papers: int
    lowest: float
    highest: float
    sd: float

    @property
    def spread(self) -> float:
        return self.highest - self.lowest


@dataclass
class ExamStats:
    exam: str
    n_candidates: int
    provisional: int
    items: list[IA.ItemStats] = field(default_factory=list)
    #: the item analysis over the items every candidate had (reliability)
    common: IA.ItemAnalysis | None = None
    histogram: list[IA.Bin] = field(default_factory=list)
    mean_percent: float | None = None
    #: item → its stem, shortened to one line
    stems: dict[str, str] = field(default_factory=dict)
    #: item → the keyed (right) option ids of a choice item
    keyed: dict[str, set[str]] = field(default_factory=dict)
    rasch: R.Calibration | None = None
    calibration: dict[str, ItemCalibration] = field(default_factory=dict)
    spreads: list[PaperSpread] = field(default_factory=list)


def options_of(item: Item) -> list[str]:
    if item.type == "true_false":
        return ["true", "false"]
    return [o["id"] for o in default_ids(list(item.spec.get("options") or []))]


def keyed_options(item: Item) -> set[str]:
    """The option ids that are right: marked `correct`, or the true/false answer."""
    if item.type == "true_false":
        answer = item.spec.get("answer")
        return {"true" if answer is True else "false"} if isinstance(answer, bool) else set()
    return {o["id"] for o in default_ids(list(item.spec.get("options") or []))
            if o.get("correct") is True}


def one_line(text: str, width: int = STEM_WIDTH) -> str:
    flat = " ".join(text.replace("*", "").replace("`", "").split())
    return flat if len(flat) <= width else flat[:width - 1] + "…"


def choice_of(item: Item, response: Any) -> IA.Choice:
    if response is None:
        return None
    if item.type == "true_false":
        return "true" if response is True else "false" if response is False else None
    if isinstance(response, list):
        return [str(r) for r in response]
    return str(response)


def exam_stats(exam_id: str, results: Sequence[CandidateResult],
               states: Mapping[str, AttemptState], items: Mapping[str, Item],
               bins: int = 10) -> ExamStats:
    counted = [r for r in results if r.exam == exam_id and r.attempt and r.error is None
               and r.items]
    out = ExamStats(exam=exam_id, n_candidates=len(counted),
                    provisional=sum(1 for r in counted if r.provisional))
    by_item = [{i.item: i for i in r.items} for r in counted]
    totals = [(sum(i.points for i in r.items), sum(i.max_points for i in r.items))
              for r in counted]
    order: list[str] = []
    seen: set[str] = set()
    for r in counted:
        for i in r.items:
            if i.item not in seen:
                seen.add(i.item)
                order.append(i.item)
    # Who had which item, in one pass (random papers: an item is on a fraction of them).
    holders: dict[str, list[tuple[CandidateResult, Any, tuple[float, float]]]] = {}
    for r, total in zip(counted, totals, strict=True):
        for i in r.items:
            holders.setdefault(i.item, []).append((r, i, total))
    for key in order:
        rows: list[list[float]] = []
        maxima: list[float] = []
        chosen: list[IA.Choice] = []
        item = items.get(key)
        is_choice = item is not None and item.type in CHOICE_TYPES
        top_item = 0.0
        for r, it, (got, top) in holders.get(key, []):
            top_item = it.max_points
            rows.append([it.points, got - it.points])
            maxima.append(top - it.max_points)
            if is_choice:
                assert item is not None
                state = states.get(r.attempt)
                chosen.append(choice_of(item, state.answers.get(key) if state else None))
        rest_max = max(maxima) if maxima else 0.0
        choices = {key: chosen} if is_choice else None
        options = {key: options_of(item)} if is_choice and item is not None else None
        analysis = IA.analyse(rows, [top_item, rest_max], [key, "rest"], choices=choices,
                              options=options, bins=1)
        out.items.append(analysis.items[0])
    common_keys = [k for k in order if all(k in own for own in by_item)]
    if len(common_keys) >= 2:
        matrix = [[own[k].points for k in common_keys] for own in by_item]
        maxima = [by_item[0][k].max_points for k in common_keys]
        out.common = IA.analyse(matrix, maxima, common_keys, bins=bins)
    percents = [100.0 * got / top for got, top in totals if top > 0]
    out.histogram = IA.histogram(percents, 100.0, bins)
    out.mean_percent = sum(percents) / len(percents) if percents else None
    for key in order:
        item = items.get(key)
        if item is not None:
            out.stems[key] = one_line(item.stem)
            if item.type in CHOICE_TYPES:
                out.keyed[key] = keyed_options(item)
    calibrate_papers(out, counted, states)
    return out


def calibrate_papers(out: ExamStats, counted: Sequence[CandidateResult],
                     states: Mapping[str, AttemptState]) -> None:
    """Rasch calibration across the papers, and each sitting's spread of paper difficulty."""
    responses = [(r.attempt, i.item, i.points / i.max_points) for r in counted for i in r.items
                 if i.max_points > 0 and i.source != "pending"]
    if not responses:
        return
    cal = R.calibrate(responses)
    out.rasch = cal
    for key, logit in cal.difficulty.items():
        out.calibration[str(key)] = ItemCalibration(
            logit=logit, se=cal.difficulty_se[key], difficulty=1.0 - R.expected_fraction([logit]))
    by_sitting: dict[str, list[float]] = {}
    for r in counted:
        weights = [(i.max_points, out.calibration.get(i.item)) for i in r.items]
        if not weights or any(c is None for _, c in weights):
            continue
        total = sum(w for w, _ in weights)
        if total <= 0:
            continue
        level = sum(w * c.difficulty for w, c in weights if c is not None) / total
        state = states.get(r.attempt)
        by_sitting.setdefault(state.sitting if state else "", []).append(level)
    for sitting, levels in sorted(by_sitting.items()):
        out.spreads.append(PaperSpread(
            sitting=sitting, papers=len(levels), lowest=min(levels), highest=max(levels),
            sd=statistics.pstdev(levels) if len(levels) > 1 else 0.0))


# --- rendering ------------------------------------------------------------------------------


def _f(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def histogram_lines(bins: Sequence[IA.Bin], width: int = BAR_WIDTH) -> list[str]:
    top = max((b.count for b in bins), default=0)
    lines = []
    for i, b in enumerate(bins):
        close = "]" if i == len(bins) - 1 else ")"
        bar = "█" * (round(width * b.count / top) if top else 0)
        lines.append(f"[{b.low:5.1f}–{b.high:5.1f}{close} {b.count:4d} {bar}")
    return lines


def reliability_lines(stats: ExamStats) -> list[str]:
    lines = []
    c = stats.common
    if c is not None:
        lines.append(f"Reliability over the {c.n_items} items every candidate had: "
                     f"KR-20 {_f(c.kr20, 3)}, Cronbach's alpha {_f(c.alpha, 3)}")
        for name, value in (("KR-20", c.kr20), ("alpha", c.alpha)):
            if value is not None and value < 0:
                lines.append(f"  {name} {value:.2f} is negative: the common items do not rank "
                             "the candidates alike (they measure different things, or the "
                             "sample is too small). Read it as no reliability, not as a "
                             "figure below zero.")
                break
    else:
        lines.append("Classical reliability: – (fewer than two items common to every paper; "
                     "see the model-based reliability below)")
    cal = stats.rasch
    if cal is not None and cal.reliability is not None:
        se = f" ± {cal.reliability_se:.3f}" if cal.reliability_se is not None else ""
        lines.append(f"Model-based reliability (Rasch, person separation, across all papers): "
                     f"{cal.reliability:.3f}{se} (SE by bootstrap over candidates)")
    elif cal is not None:
        lines.append("Model-based reliability: – (" + ("; ".join(cal.notes) or
                                                       "too little data") + ")")
    return lines


def render_text(stats: ExamStats) -> str:
    lines = [f"Exam {stats.exam}: {stats.n_candidates} candidates"
             + (f" ({stats.provisional} provisional: marking outstanding)"
                if stats.provisional else "")]
    if stats.mean_percent is not None:
        lines.append(f"Mean: {stats.mean_percent:.1f} %")
    small = [it.item_id for it in stats.items if it.n < MIN_RESPONSES]
    if small:
        lines.append(f"WARNING: {len(small)} of {len(stats.items)} items have fewer than "
                     f"{MIN_RESPONSES} responses: their figures are too unstable to act on "
                     "alone (marked 'small n').")
    lines.extend(reliability_lines(stats))
    for sp in stats.spreads:
        lines.append(f"Paper difficulty, sitting {sp.sitting or '–'}: {sp.papers} papers, "
                     f"{sp.lowest:.1%}–{sp.highest:.1%} expected to be missed by an average "
                     f"candidate (spread {sp.spread:.1%}, SD {sp.sd:.1%})")
    lines.append("")
    lines.append(f"{'item':<24} {'n':>4} {'facility':>8} {'r_pb':>6} {'D27':>6} "
                 f"{'difficulty':>10}  flags")
    for it in stats.items:
        cal = stats.calibration.get(it.item_id)
        diff = (f"{cal.logit:+.2f}±{cal.se:.2f}" if cal is not None else "–")
        flags = list(it.flags)
        if it.n < MIN_RESPONSES:
            flags.insert(0, f"small n ({it.n} < {MIN_RESPONSES})")
        lines.append(f"{it.item_id:<24} {it.n:>4} {_f(it.facility):>8} "
                     f"{_f(it.point_biserial):>6} {_f(it.discrimination):>6} {diff:>10}  "
                     + ("REVIEW: " + "; ".join(flags) if it.flags else "; ".join(flags)))
        stem = stats.stems.get(it.item_id)
        if stem:
            lines.append(f"{'':<24}      {stem}")
        if it.options:
            keyed = stats.keyed.get(it.item_id, set())
            parts = [f"{'*' if o.option in keyed else ''}{o.option or '(blank)'}: {o.count} "
                     f"({o.upper}↑/{o.lower}↓)" for o in it.options]
            lines.append(f"{'':<24}      options  " + ", ".join(parts))
    if any(stats.keyed.values()):
        lines.append(f"{'':<24}      (* the keyed option; ↑/↓ chosen in the upper/lower 27 %)")
    flagged = [it.item_id for it in stats.items if it.flags]
    lines.append("")
    lines.append(f"Flagged for review: {', '.join(flagged) if flagged else 'none'}")
    lines.append("")
    lines.append("Score distribution (% of the maximum):")
    lines.extend(histogram_lines(stats.histogram))
    return "\n".join(lines) + "\n"


CSV_COLUMNS = ("item", "n", "max_points", "mean", "facility", "point_biserial",
               "discrimination", "upper_mean", "lower_mean", "flagged", "flags", "options",
               "keyed", "stem", "small_n", "difficulty_logit", "difficulty_se", "difficulty",
               "exam_candidates", "exam_mean_percent", "exam_kr20", "exam_alpha",
               "exam_model_reliability", "exam_model_reliability_se",
               "exam_paper_difficulty_spread")


def render_csv(stats: ExamStats) -> str:
    """One row per item; the exam-level figures are repeated on every row (columns `exam_…`),
    so a spreadsheet filter never loses them."""
    c, cal = stats.common, stats.rasch
    spread = max((sp.spread for sp in stats.spreads), default=None)
    exam_level = [stats.n_candidates, _num(stats.mean_percent), _num(c.kr20 if c else None),
                  _num(c.alpha if c else None), _num(cal.reliability if cal else None),
                  _num(cal.reliability_se if cal else None), _num(spread)]
    rows = []
    for it in stats.items:
        ic = stats.calibration.get(it.item_id)
        rows.append([
            it.item_id, it.n, f"{it.max_points:g}", _num(it.mean), _num(it.facility),
            _num(it.point_biserial), _num(it.discrimination), _num(it.upper_mean),
            _num(it.lower_mean), "yes" if it.flags else "no", "; ".join(it.flags),
            ";".join(f"{o.option or '(blank)'}={o.count}" for o in it.options),
            ";".join(sorted(stats.keyed.get(it.item_id, set()))), stats.stems.get(it.item_id, ""),
            "yes" if it.n < MIN_RESPONSES else "no",
            _num(ic.logit if ic else None), _num(ic.se if ic else None),
            _num(ic.difficulty if ic else None), *exam_level,
        ])
    return csv_text(CSV_COLUMNS, rows)


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"
