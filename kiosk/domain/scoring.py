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


#: The reason given when judging or scoring fails: the item is left for a human marker.
SCORING_ERROR = "scoring error"


def _scoring_error(exc: BaseException) -> NeedsMarking:
    text = f"{type(exc).__name__}: {exc}" if not isinstance(exc, RecursionError) else (
        "RecursionError")
    try:
        first = text.splitlines()[0][:200] if text else type(exc).__name__
    except Exception:  # a str() that fails is hostile data too
        first = type(exc).__name__
    return NeedsMarking(f"{SCORING_ERROR}: {first}")


def score_item(item: Item, response: Any, qtype: Judge, rule: ScoringRule) -> ItemScore:
    """Judge a response and turn it into points with `rule`, within [0, item.points]. Never
    raises for a response: when judging or the rule fails (hostile data, a plugin bug), the
    item needs marking with the reason "scoring error: …" and the rest of the paper carries on."""
    try:
        judgement: Judgement | NeedsMarking = qtype.judge(item, response)
        if isinstance(judgement, Judgement):
            points = float(rule(judgement, item))
        elif not isinstance(judgement, NeedsMarking):
            raise TypeError(f"judge returned {type(judgement).__name__}")
    except Exception as exc:  # noqa: BLE001 - contained per item, by design
        judgement = _scoring_error(exc)
    max_points = float(item.points)
    if isinstance(judgement, NeedsMarking):
        return ItemScore(
            points=0.0,
            max_points=max_points,
            needs_marking=True,
            correct=None,
            detail={"needs_marking": judgement.reason},
        )
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
