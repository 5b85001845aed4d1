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
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kiosk.domain import item_analysis as IA
from kiosk.domain.attempts import AttemptState
from kiosk.domain.csv_cells import csv_text
from kiosk.domain.items import Item, default_ids
from kiosk.results import CandidateResult

CHOICE_TYPES = ("single_choice", "multiple_response", "true_false")
BAR_WIDTH = 40


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


def options_of(item: Item) -> list[str]:
    if item.type == "true_false":
        return ["true", "false"]
    return [o["id"] for o in default_ids(list(item.spec.get("options") or []))]


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
    for key in order:
        rows: list[list[float]] = []
        maxima: list[float] = []
        chosen: list[IA.Choice] = []
        item = items.get(key)
        is_choice = item is not None and item.type in CHOICE_TYPES
        top_item = 0.0
        for r, own, (got, top) in zip(counted, by_item, totals, strict=True):
            it = own.get(key)
            if it is None:
                continue
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
    return out


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


def render_text(stats: ExamStats) -> str:
    lines = [f"Exam {stats.exam}: {stats.n_candidates} candidates"
             + (f" ({stats.provisional} provisional: marking outstanding)"
                if stats.provisional else "")]
    if stats.mean_percent is not None:
        lines.append(f"Mean: {stats.mean_percent:.1f} %")
    c = stats.common
    if c is not None:
        lines.append(f"Reliability over the {c.n_items} items every candidate had: "
                     f"KR-20 {_f(c.kr20, 3)}, Cronbach's alpha {_f(c.alpha, 3)}")
    else:
        lines.append("Reliability: – (fewer than two items common to every paper)")
    lines.append("")
    lines.append(f"{'item':<24} {'n':>4} {'facility':>8} {'r_pb':>6} {'D27':>6}  flags")
    for it in stats.items:
        lines.append(f"{it.item_id:<24} {it.n:>4} {_f(it.facility):>8} "
                     f"{_f(it.point_biserial):>6} {_f(it.discrimination):>6}  "
                     + ("REVIEW: " + "; ".join(it.flags) if it.flags else ""))
        if it.options:
            parts = [f"{o.option or '(blank)'}: {o.count} ({o.upper}↑/{o.lower}↓)"
                     for o in it.options]
            lines.append(f"{'':<24}      options  " + ", ".join(parts))
    flagged = [it.item_id for it in stats.items if it.flags]
    lines.append("")
    lines.append(f"Flagged for review: {', '.join(flagged) if flagged else 'none'}")
    lines.append("")
    lines.append("Score distribution (% of the maximum):")
    lines.extend(histogram_lines(stats.histogram))
    return "\n".join(lines) + "\n"


CSV_COLUMNS = ("item", "n", "max_points", "mean", "facility", "point_biserial",
               "discrimination", "upper_mean", "lower_mean", "flagged", "flags", "options")


def render_csv(stats: ExamStats) -> str:
    return csv_text(CSV_COLUMNS, ([
        it.item_id, it.n, f"{it.max_points:g}", _num(it.mean), _num(it.facility),
        _num(it.point_biserial), _num(it.discrimination), _num(it.upper_mean),
        _num(it.lower_mean), "yes" if it.flags else "no", "; ".join(it.flags),
        ";".join(f"{o.option or '(blank)'}={o.count}" for o in it.options),
    ] for it in stats.items))


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"
