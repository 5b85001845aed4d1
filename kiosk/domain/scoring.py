"""Judgements (what a response got right) and the scoring rules that turn them into points."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from kiosk.domain.items import Item


@dataclass(frozen=True)
class Judgement:
    """What a question type found in a response; rules turn this into points."""

    keys: int
    right: int
    wrong: int = 0
    mapped: float | None = None
    answered: bool = True
    # For review: per key/option/gap whether it was right, and what the right answer is.
    detail: dict[str, Any] = field(default_factory=dict)
    # A per-item weight in [0, 1] when the type itself grades fractionally (e.g. GIFT `%50%`).
    fraction: float | None = None


@dataclass(frozen=True)
class NeedsMarking:
    """The type cannot score this response; a human marker must."""

    reason: str = "human marking"


@dataclass(frozen=True)
class ItemScore:
    points: float
    max_points: float
    needs_marking: bool = False
    correct: bool | None = None
    detail: dict[str, Any] = field(default_factory=dict)


ScoringRule = Callable[[Judgement, Item], float]


def floor_to_step(points: float, step: float | None) -> float:
    if not step:
        return points
    # A tiny epsilon keeps 1.9999999 from flooring to 1.5 with step 0.5.
    return math.floor(points / step + 1e-9) * step


def clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


class Judge(Protocol):
    """What score_item needs of a question type (kept structural: qtypes imports this module)."""

    def judge(self, item: Item, response: Any) -> Judgement | NeedsMarking: ...


def score_item(item: Item, response: Any, qtype: Judge, rule: ScoringRule) -> ItemScore:
    """Judge a response and turn it into points with `rule`, within [0, item.points]."""
    judgement = qtype.judge(item, response)
    max_points = float(item.points)
    if isinstance(judgement, NeedsMarking):
        return ItemScore(
            points=0.0,
            max_points=max_points,
            needs_marking=True,
            correct=None,
            detail={"needs_marking": judgement.reason},
        )
    points = float(rule(judgement, item))
    # A NaN or out-of-range rule result must not leak into totals.
    points = clamp(points, 0.0, max_points) if math.isfinite(points) else 0.0
    detail = {
        **judgement.detail,
        "answered": judgement.answered,
        "keys": judgement.keys,
        "right": judgement.right,
        "wrong": judgement.wrong,
    }
    if judgement.fraction is not None:
        detail["fraction"] = judgement.fraction
    if judgement.mapped is not None:
        detail["mapped"] = judgement.mapped
    return ItemScore(
        points=points,
        max_points=max_points,
        # An unscored item (a description) is neither right nor wrong.
        correct=abs(points - max_points) < 1e-9 if max_points > 0 else None,
        detail=detail,
    )
