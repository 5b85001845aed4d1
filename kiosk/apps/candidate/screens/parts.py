"""Between parts: what the candidate is told when a part closes and the next one starts.

There is no notice screen between parts: the next part's clock runs from the moment the previous
one closes, so the app goes straight to its questions and says so in a toast (the submit
confirmation has already said that the next part starts at once)."""

from __future__ import annotations

from typing import Any


def own_minutes(part: Any) -> float:
    """The part's minutes for this candidate, their accommodation included."""
    return float(part.minutes) + float(getattr(part, "extra_minutes", 0.0) or 0.0)
