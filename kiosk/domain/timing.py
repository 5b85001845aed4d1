"""Exam time: what each part allows and what is left of it.

remaining(part) = part minutes + the candidate's accommodation minutes for that part
                  + invigilator extensions for that part − consumed, never below zero.

`consumed` is measured by the candidate session with a monotonic clock (never the wall clock, so
changing the system time cannot give or take time) and persisted in the ledger; see
docs/session-api.md.

Accommodation minutes (the roster's `extra_minutes`) are granted for the whole attempt. How they
are split over the parts is the exam's `accommodation` key in `[exam]`:

- "first" (default): all of them are added to the first part. A single-part exam (the usual case)
  simply gets them; for a multi-part exam this keeps the later parts' length as published.
- "spread": shared in proportion to the parts' minutes (two 45-minute task sets with 10 extra
  minutes get 5 each).
- "each": every part gets the full extra minutes (regimes that grant extra time per paper).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

ACCOMMODATION_MODES = ("first", "spread", "each")
DEFAULT_WARNINGS = (10, 5, 1)


class Clock(Protocol):
    """A monotonic clock in seconds (time.monotonic or a test's fake)."""

    def __call__(self) -> float: ...


class ManualClock:
    """A clock that only moves when told to: for tests and simulations."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def accommodation_split(part_minutes: Sequence[float], extra_minutes: float,
                        mode: str = "first") -> list[float]:
    """Extra minutes per part for a candidate with `extra_minutes` of accommodation."""
    n = len(part_minutes)
    if n == 0 or extra_minutes <= 0:
        return [0.0] * n
    if mode == "each":
        return [float(extra_minutes)] * n
    if mode == "spread":
        total = sum(part_minutes)
        if total <= 0:
            return [float(extra_minutes) / n] * n
        return [float(extra_minutes) * m / total for m in part_minutes]
    return [float(extra_minutes)] + [0.0] * (n - 1)


def allowance_ms(minutes: float, extra_minutes: float = 0.0, extension_ms: int = 0) -> int:
    """Everything a part allows: its minutes, accommodation and extensions, in milliseconds."""
    return int(round((minutes + extra_minutes) * 60_000)) + int(extension_ms)


def remaining_ms(minutes: float, extra_minutes: float, extension_ms: int, consumed_ms: float
                 ) -> int:
    return max(0, allowance_ms(minutes, extra_minutes, extension_ms) - int(consumed_ms))


def warning_thresholds(warnings: Sequence[int], allowance: int) -> list[int]:
    """Warning minutes that make sense for a part of `allowance` ms (a 10-minute part does not
    warn "10 minutes left" at its start), largest first."""
    minutes = list(warnings) or list(DEFAULT_WARNINGS)
    return sorted({m for m in minutes if m * 60_000 < allowance}, reverse=True)


def crossed(thresholds: Sequence[int], remaining: int) -> list[int]:
    """Thresholds (minutes) already reached with `remaining` ms left."""
    return [m for m in thresholds if remaining <= m * 60_000]
