"""Classical item analysis of one test: item statistics, reliability and the score distribution.

Input: `scores[c][i]` — candidate c's points on item i (None = not answered, counted as 0),
`max_points[i]`, optional item ids, and for choice items the option(s) each candidate chose.

Definitions (standard library only; every figure that cannot be computed is None, never an
exception — no candidates, one candidate, an item everyone scores the same on):
- facility: mean item score / item maximum (0–1; the proportion correct for 0/1 items).
- point_biserial: the Pearson correlation between the item score and the REST score (total minus
  this item), the "corrected" item–total correlation, so an item is not correlated with itself.
  For a 0/1 item this is the point-biserial coefficient; for a polytomous item the same formula
  gives the item–rest correlation.
- discrimination: Kelley's upper/lower 27 % index. Candidates are ordered by total score
  (including the item; ties keep the input order); each group has round-half-up(0.27 × n)
  candidates (at least 1, at most n // 2, so the groups never overlap);
  D = (mean item score of the upper group − that of the lower group) / item maximum.
- flags (review): D < 0.1 (negative or near-zero discrimination) or point_biserial < 0.1
  (including negative); with no variance in the item, "no variance". Thresholds are the
  module constants below.
- per test: mean, sd (population, n in the denominator — it describes this group of
  candidates), KR-20 (only when every item is dichotomous: each score 0 or the maximum) and
  Cronbach's alpha, both k/(k−1)·(1 − Σ item variances / total variance) with population
  variances (for 0/1 items Σ p·q is Σ item variances, so the two agree there).
- histogram: `bins` equal-width bins over 0 … the test maximum; a bin holds low ≤ x < high,
  the last one also holds the maximum.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

GROUP_FRACTION = 0.27
FLAG_DISCRIMINATION = 0.1
FLAG_POINT_BISERIAL = 0.1
BLANK = ""  # the option key for "no choice"

Choice = str | Sequence[str] | None


@dataclass
class OptionCount:
    option: str  # BLANK for no answer
    count: int
    proportion: float | None
    upper: int  # chosen by this many in the upper 27 % group
    lower: int


@dataclass
class ItemStats:
    item_id: str
    max_points: float
    n: int
    mean: float | None
    facility: float | None
    point_biserial: float | None
    discrimination: float | None
    upper_mean: float | None
    lower_mean: float | None
    dichotomous: bool
    options: list[OptionCount] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)

    @property
    def flagged(self) -> bool:
        return bool(self.flags)


@dataclass
class Bin:
    low: float
    high: float
    count: int


@dataclass
class ItemAnalysis:
    n_candidates: int
    n_items: int
    max_total: float
    mean: float | None
    sd: float | None
    minimum: float | None
    maximum: float | None
    kr20: float | None
    alpha: float | None
    group_size: int
    items: list[ItemStats] = field(default_factory=list)
    histogram: list[Bin] = field(default_factory=list)


def _pearson(x: Sequence[float], y: Sequence[float]) -> float | None:
    if len(x) < 2:
        return None
    try:
        return statistics.correlation(x, y)
    except statistics.StatisticsError:  # a constant series has no correlation
        return None


def group_size(n: int) -> int:
    if n < 2:
        return 0
    size = math.floor(GROUP_FRACTION * n + 0.5)
    return max(1, min(size, n // 2))


def _reliability(k: int, item_variances: Sequence[float], total_variance: float) -> float | None:
    if k < 2 or total_variance <= 0:
        return None
    return k / (k - 1) * (1 - sum(item_variances) / total_variance)


def _chosen(choice: Choice) -> list[str]:
    if choice is None or choice == "":
        return [BLANK]
    if isinstance(choice, str):
        return [choice]
    picked = [c for c in choice if c]
    return picked or [BLANK]


def histogram(totals: Sequence[float], max_total: float, bins: int = 10) -> list[Bin]:
    if bins < 1 or max_total <= 0:
        return []
    width = max_total / bins
    out = [Bin(low=width * b, high=width * (b + 1), count=0) for b in range(bins)]
    for t in totals:
        # Snap float noise so a total exactly on an edge lands in the upper bin.
        b = math.floor(round(t / width, 9))
        out[min(max(b, 0), bins - 1)].count += 1
    return out


def analyse(
    scores: Sequence[Sequence[float | None]],
    max_points: Sequence[float],
    item_ids: Sequence[str] | None = None,
    choices: Mapping[str, Sequence[Choice]] | None = None,
    options: Mapping[str, Sequence[str]] | None = None,
    bins: int = 10,
) -> ItemAnalysis:
    """Statistics for a test; `choices[item_id][c]` is what candidate c chose (an option id, a
    list of ids for multiple response, or None), `options[item_id]` every option so unchosen
    distractors show with 0."""
    k = len(max_points)
    ids = list(item_ids) if item_ids is not None else [str(i + 1) for i in range(k)]
    if len(ids) != k:
        raise ValueError(f"{len(ids)} item ids for {k} items")
    matrix: list[list[float]] = []
    for c, row in enumerate(scores):
        if len(row) != k:
            raise ValueError(f"candidate {c + 1} has {len(row)} scores for {k} items")
        matrix.append([float(s) if s is not None else 0.0 for s in row])
    n = len(matrix)
    totals = [sum(row) for row in matrix]
    max_total = float(sum(max_points))
    g = group_size(n)
    order = sorted(range(n), key=lambda c: -totals[c])  # stable: ties keep input order
    upper, lower = order[:g], order[n - g:] if g else []

    items: list[ItemStats] = []
    item_variances: list[float] = []
    all_dichotomous = k > 0
    for i in range(k):
        col = [row[i] for row in matrix]
        top = float(max_points[i])
        dich = all(s == 0 or s == top for s in col)
        all_dichotomous = all_dichotomous and dich
        mean = statistics.fmean(col) if n else None
        facility = mean / top if mean is not None and top > 0 else None
        rest = [t - s for t, s in zip(totals, col, strict=True)]
        r = _pearson(col, rest)
        up = statistics.fmean(col[c] for c in upper) if upper else None
        low = statistics.fmean(col[c] for c in lower) if lower else None
        d = (up - low) / top if up is not None and low is not None and top > 0 else None
        variance = statistics.pvariance(col) if n else 0.0
        item_variances.append(variance)
        stats = ItemStats(item_id=ids[i], max_points=top, n=n, mean=mean, facility=facility,
                          point_biserial=r, discrimination=d, upper_mean=up, lower_mean=low,
                          dichotomous=dich)
        if n >= 2 and variance == 0:
            stats.flags.append("no variance: every candidate scored the same")
        if d is not None and d < 0:
            stats.flags.append(f"negative discrimination (D = {d:.2f})")
        elif d is not None and d < FLAG_DISCRIMINATION:
            stats.flags.append(f"near-zero discrimination (D = {d:.2f} < "
                               f"{FLAG_DISCRIMINATION})")
        if r is not None and r < FLAG_POINT_BISERIAL:
            stats.flags.append(f"low item–rest correlation (r = {r:.2f} < "
                               f"{FLAG_POINT_BISERIAL})")
        if choices and ids[i] in choices:
            stats.options = _options(ids[i], choices[ids[i]], options, n, upper, lower)
        items.append(stats)

    total_var = statistics.pvariance(totals) if n else 0.0
    alpha = _reliability(k, item_variances, total_var) if n >= 2 else None
    kr20 = None
    if all_dichotomous and n >= 2:
        # p·q per item on the 0/1 scale; an item's maximum only rescales it.
        pq = [(it.facility or 0.0) * (1 - (it.facility or 0.0)) for it in items]
        scaled_totals = [sum(row[i] / float(max_points[i]) if max_points[i] else 0.0
                             for i in range(k)) for row in matrix]
        kr20 = _reliability(k, pq, statistics.pvariance(scaled_totals))
    return ItemAnalysis(
        n_candidates=n, n_items=k, max_total=max_total,
        mean=statistics.fmean(totals) if n else None,
        sd=statistics.pstdev(totals) if n else None,
        minimum=min(totals) if n else None, maximum=max(totals) if n else None,
        kr20=kr20, alpha=alpha, group_size=g, items=items,
        histogram=histogram(totals, max_total, bins),
    )


def _options(item_id: str, chosen: Sequence[Choice], options: Mapping[str, Sequence[str]] | None,
             n: int, upper: Sequence[int], lower: Sequence[int]) -> list[OptionCount]:
    if len(chosen) != n:
        raise ValueError(f"item {item_id}: {len(chosen)} choices for {n} candidates")
    picks = [_chosen(c) for c in chosen]
    keys = list(options.get(item_id, ())) if options else []
    for p in picks:
        for o in p:
            if o not in keys and o != BLANK:
                keys.append(o)
    if any(BLANK in p for p in picks):
        keys.append(BLANK)
    up, low = set(upper), set(lower)
    out = []
    for key in keys:
        who = [c for c, p in enumerate(picks) if key in p]
        out.append(OptionCount(
            option=key, count=len(who), proportion=len(who) / n if n else None,
            upper=sum(1 for c in who if c in up), lower=sum(1 for c in who if c in low)))
    return out
