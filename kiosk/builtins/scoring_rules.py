"""Default plugin: the scoring rules of docs/bank-format.md.

A rule turns a Judgement into points for one item. When the type graded fractionally
(`Judgement.fraction`, e.g. GIFT weights) the weights already say what each answer is worth, so
proportional, szkr and negative give points × fraction and all_or_nothing gives full points only
for fraction 1. Every result is clamped to [0, points] and floored to the item's `step`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kiosk.domain.items import Item
from kiosk.domain.scoring import Judgement, clamp, floor_to_step
from kiosk.hookspecs import hookimpl

if TYPE_CHECKING:
    from kiosk.api.contracts import RegisterNamed

_EPS = 1e-9


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _finish(points: float, item: Item) -> float:
    full = float(item.points)
    if points != points:  # NaN from a degenerate judgement earns nothing
        return 0.0
    points = clamp(points, 0.0, full)
    # Full marks stay full even when the item's points are not a multiple of its step.
    if points >= full - _EPS:
        return full
    return clamp(floor_to_step(points, item.step), 0.0, full)


def _fraction(j: Judgement) -> float:
    return clamp(j.fraction, 0.0, 1.0) if j.fraction is not None else 0.0


def all_or_nothing(j: Judgement, item: Item) -> float:
    """Full points only for a faultless answer ("csak a hibátlan feladatmegoldásért")."""
    if j.fraction is not None:
        faultless = j.fraction >= 1 - _EPS
    else:
        faultless = j.keys > 0 and j.right >= j.keys
    return _finish(item.points if faultless and j.wrong == 0 and j.answered else 0.0, item)


def proportional(j: Judgement, item: Item) -> float:
    if j.fraction is not None:
        return _finish(item.points * _fraction(j), item)
    if j.keys <= 0:
        return 0.0
    return _finish(item.points * j.right / j.keys, item)


def szkr(j: Judgement, item: Item) -> float:
    """Every wrong choice cancels a right one, so a wrong choice never leaves full marks."""
    unweighted = item.points * max(0, j.right - j.wrong) / j.keys if j.keys > 0 else 0.0
    if j.fraction is None:
        return _finish(unweighted, item)
    weighted = item.points * _fraction(j)
    # Weights with a zero-weight wrong option could still add up to 1; the Szkr cap still holds.
    return _finish(min(weighted, unweighted) if j.wrong else weighted, item)


def negative(j: Judgement, item: Item) -> float:
    if j.fraction is not None:
        return _finish(item.points * _fraction(j), item)
    if j.keys <= 0:
        return 0.0
    per_key = item.points / j.keys
    penalty = item.spec.get("penalty")
    penalty = float(penalty) if _number(penalty) and penalty >= 0 else per_key
    return _finish(per_key * j.right - penalty * j.wrong, item)


def mapped(j: Judgement, item: Item) -> float:
    if j.mapped is None:
        return all_or_nothing(j, item)
    value = float(j.mapped)
    mapping = item.spec.get("mapping")
    if isinstance(mapping, dict):
        if _number(mapping.get("lower_bound")):
            value = max(float(mapping["lower_bound"]), value)
        if _number(mapping.get("upper_bound")):
            value = min(float(mapping["upper_bound"]), value)
    return _finish(value, item)


RULES = {
    "all_or_nothing": all_or_nothing,
    "proportional": proportional,
    "szkr": szkr,
    "negative": negative,
    "mapped": mapped,
}


@hookimpl
def register_scoring_rules(register: RegisterNamed) -> None:
    for name, rule in RULES.items():
        register(name, rule)
