"""Judgements (what a response got right) and the scoring rules that turn them into points."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

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
