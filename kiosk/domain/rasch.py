"""The Rasch model over randomised papers: item difficulties on one scale although every
candidate sat a different paper, model-based reliability with its standard error, and the
difficulty of each paper.

Model: P(candidate p answers item i right) = 1 / (1 + exp(b_i − θ_p)), θ the candidate's
ability and b the item's difficulty in logits. A response is its fraction of the item's points
(0 or 1 for a right/wrong item; 0.5 for half the points), so partly scored items enter as a
binomial proportion. Missing responses (an item not on the candidate's paper) are simply absent:
the likelihood runs over the responses that exist, which is what lets papers with no common item
be put on one scale, as long as the item pools overlap across candidates.

Estimation: joint maximum likelihood (JML), alternating Newton steps for abilities and
difficulties, the difficulties centred on 0 (the scale's origin), until no estimate moves by
more than `tol`. Candidates and items with an extreme score (all right or all wrong) have no
finite estimate: they are left out of the calibration (and counted in `dropped_*`), then each
extreme candidate gets an ability from a score pulled 0.3 in from the edge, so papers are still
compared. JML difficulties are stretched by a factor (L − 1)/L for L items per candidate
(Wright & Douglas); the estimate is multiplied by it, the usual correction.

Reliability: person separation reliability, (var θ − mean SE²) / var θ — the share of the
variance of the ability estimates that is not measurement error (the model's analogue of
KR-20, defined however the papers differ). Its standard error is a bootstrap over candidates
(`boot` resamples with a fixed seed): the item calibration is held fixed and only the sample
of candidates varies, which is the uncertainty a board asks about ("would another group of
candidates give the same figure?").

Pure Python on purpose: the kiosk has no numpy, and this is a few thousand Newton steps over a
sparse response list (BENCHMARKS.md: 10,000 candidates × 200 items).
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

MAX_STEP = 1.0  # logits: Newton steps are clipped so a bad start cannot overshoot
EXTREME_PULL = 0.3  # an all-right/all-wrong candidate is scored as 0.3 from the edge


@dataclass(frozen=True)
class Calibration:
    #: item → difficulty (logits, mean 0 over calibrated items)
    difficulty: Mapping[Hashable, float]
    #: item → standard error of its difficulty
    difficulty_se: Mapping[Hashable, float]
    #: candidate → ability (logits)
    ability: Mapping[Hashable, float]
    ability_se: Mapping[Hashable, float]
    reliability: float | None
    reliability_se: float | None
    iterations: int
    converged: bool
    n_responses: int
    #: candidates / items with an extreme score, outside the calibration
    dropped_persons: int = 0
    dropped_items: tuple[Hashable, ...] = ()
    notes: list[str] = field(default_factory=list)


def _p(theta: float, b: float) -> float:
    z = theta - b
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def _logit(x: float) -> float:
    return math.log(x / (1.0 - x))


def _clip(step: float) -> float:
    return max(-MAX_STEP, min(MAX_STEP, step))


Responses = dict[Hashable, list[tuple[Hashable, float]]]


def _drop_extremes(by_person: Responses) -> tuple[Responses, set[Hashable]]:
    """Extreme scores have no finite estimate; dropping them can make others extreme, so
    repeat until none is left. Returns the persons kept (with their non-dropped items) and the
    items dropped."""
    persons = dict(by_person)
    dropped_items: set[Hashable] = set()
    while True:
        by_item: Responses = {}
        for person, rs in persons.items():
            for item, x in rs:
                if item not in dropped_items:
                    by_item.setdefault(item, []).append((person, x))
        extreme_items = {i for i, rs in by_item.items()
                         if all(x == 0 for _, x in rs) or all(x == 1 for _, x in rs)}
        kept: Responses = {}
        for person, rs in persons.items():
            own = [(i, x) for i, x in rs if i not in dropped_items and i not in extreme_items]
            score = sum(x for _, x in own)
            if own and 0 < score < len(own):
                kept[person] = own
        changed = bool(extreme_items) or len(kept) != len(persons)
        dropped_items |= extreme_items
        persons = kept
        if not changed:
            return persons, dropped_items


def _newton_step(own: float, rs: list[tuple[Hashable, float]], other: dict[Hashable, float],
                 sign: float) -> float:
    """One Newton step of a person's ability (sign +1) or an item's difficulty (sign -1)."""
    resid = info = 0.0
    for key, x in rs:
        pr = _p(own, other[key]) if sign > 0 else _p(other[key], own)
        resid += x - pr
        info += pr * (1.0 - pr)
    return _clip(sign * resid / info) if info > 0 else 0.0


def _estimate(persons: Responses, by_item: Responses, tol: float, max_iter: int
              ) -> tuple[dict[Hashable, float], dict[Hashable, float], bool, int]:
    """Joint maximum likelihood by alternating Newton steps, difficulties centred on 0:
    (difficulties, abilities, converged, iterations)."""
    # Starting values: logits of the proportions right.
    b = {i: -_logit(min(0.99, max(0.01, statistics.fmean(x for _, x in rs))))
         for i, rs in by_item.items()}
    mean_b = statistics.fmean(b.values())
    b = {i: v - mean_b for i, v in b.items()}
    theta = {p: _logit(min(0.99, max(0.01, statistics.fmean(x for _, x in rs))))
             for p, rs in persons.items()}
    iterations = 0
    while iterations < max_iter:
        iterations += 1
        change = 0.0
        for p, rs in persons.items():
            step = _newton_step(theta[p], rs, b, 1.0)
            theta[p] += step
            change = max(change, abs(step))
        for i, rs in by_item.items():
            step = _newton_step(b[i], rs, theta, -1.0)
            b[i] += step
            change = max(change, abs(step))
        shift = statistics.fmean(b.values())
        b = {i: v - shift for i, v in b.items()}
        theta = {p: t - shift for p, t in theta.items()}
        if change < tol:
            return b, theta, True, iterations
    return b, theta, False, iterations


def calibrate(responses: Iterable[tuple[Hashable, Hashable, float]], *, tol: float = 1e-4,
              max_iter: int = 200, boot: int = 200, seed: int = 1) -> Calibration:
    """Rasch calibration of (candidate, item, fraction right 0–1) triples."""
    by_person: dict[Hashable, list[tuple[Hashable, float]]] = {}
    n = 0
    for person, item, x in responses:
        x = min(1.0, max(0.0, float(x)))
        by_person.setdefault(person, []).append((item, x))
        n += 1
    persons, dropped_items = _drop_extremes(by_person)
    by_item: dict[Hashable, list[tuple[Hashable, float]]] = {}
    for person, rs in persons.items():
        for item, x in rs:
            by_item.setdefault(item, []).append((person, x))
    notes: list[str] = []
    if len(by_item) < 2 or len(persons) < 2:
        notes.append("too few candidates or items with a non-extreme score to calibrate")
        return Calibration({}, {}, {}, {}, None, None, 0, False, n,
                           dropped_persons=len(by_person) - len(persons),
                           dropped_items=tuple(sorted(dropped_items, key=str)), notes=notes)

    b, theta, converged, iterations = _estimate(persons, by_item, tol, max_iter)
    if not converged:
        notes.append(f"not converged after {max_iter} iterations")

    lengths = [len(rs) for rs in persons.values()]
    length = statistics.fmean(lengths)
    factor = (length - 1) / length if length > 1 else 1.0
    difficulty = {i: v * factor for i, v in b.items()}
    difficulty_se = {}
    for i, rs in by_item.items():
        info = sum(_p(theta[p], b[i]) * (1 - _p(theta[p], b[i])) for p, _ in rs)
        difficulty_se[i] = 1 / math.sqrt(info) if info > 0 else math.inf
    ability: dict[Hashable, float] = {}
    ability_se: dict[Hashable, float] = {}
    for p, rs in by_person.items():
        own = [(i, x) for i, x in rs if i in difficulty]
        if not own:
            continue
        t, se = _ability([difficulty[i] for i, _ in own], sum(x for _, x in own),
                         theta.get(p))
        ability[p], ability_se[p] = t, se
    rel = reliability([ability[p] for p in persons], [ability_se[p] for p in persons])
    rel_se = _bootstrap_se([ability[p] for p in persons], [ability_se[p] for p in persons],
                           boot, seed)
    return Calibration(difficulty, difficulty_se, ability, ability_se, rel, rel_se, iterations,
                       converged, n, dropped_persons=len(by_person) - len(persons),
                       dropped_items=tuple(sorted(dropped_items, key=str)), notes=notes)


def _ability(difficulties: Sequence[float], score: float, start: float | None
             ) -> tuple[float, float]:
    """Ability (and SE) for a score on items of known difficulty; extreme scores are pulled
    in by EXTREME_PULL so they get a finite value."""
    k = len(difficulties)
    score = min(k - EXTREME_PULL, max(EXTREME_PULL, score)) if k else 0.0
    t = start if start is not None else _logit(min(0.99, max(0.01, score / k)))
    info = 0.0
    for _ in range(100):
        ps = [_p(t, d) for d in difficulties]
        info = sum(p * (1 - p) for p in ps)
        if info <= 0:
            break
        step = _clip((score - sum(ps)) / info)
        t += step
        if abs(step) < 1e-6:
            break
    return t, (1 / math.sqrt(info) if info > 0 else math.inf)


def reliability(abilities: Sequence[float], errors: Sequence[float]) -> float | None:
    """Person separation reliability: (observed variance − error variance) / observed."""
    n = len(abilities)
    if n < 2:
        return None
    mean = math.fsum(abilities) / n
    # Plain floats: statistics.pvariance is exact (Fractions) and 20× slower, and the
    # bootstrap calls this hundreds of times.
    observed = math.fsum((a - mean) ** 2 for a in abilities) / n
    if observed <= 1e-12:
        return None
    finite = [e * e for e in errors if math.isfinite(e)]
    error = math.fsum(finite) / len(finite) if finite else 0.0
    return max(0.0, (observed - error) / observed)


def _bootstrap_se(abilities: Sequence[float], errors: Sequence[float], boot: int, seed: int
                  ) -> float | None:
    if len(abilities) < 3 or boot < 2:
        return None
    rng = random.Random(seed)
    n = len(abilities)
    values = []
    for _ in range(boot):
        pick = [rng.randrange(n) for _ in range(n)]
        r = reliability([abilities[i] for i in pick], [errors[i] for i in pick])
        if r is not None:
            values.append(r)
    return statistics.stdev(values) if len(values) >= 2 else None


def expected_fraction(difficulties: Sequence[float], ability: float = 0.0) -> float:
    """The share of a paper an average candidate (ability 0) is expected to get right: a
    paper's difficulty as a board reads it (0.62 = 62 % expected)."""
    if not difficulties:
        return math.nan
    return statistics.fmean(_p(ability, d) for d in difficulties)


def pearson(x: Sequence[float], y: Sequence[float]) -> float:
    return statistics.correlation(list(x), list(y))
