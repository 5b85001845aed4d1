"""Remaining time as the candidate reads it."""

from __future__ import annotations

import math


def format_remaining(seconds: float) -> str:
    """`MM:SS`, or `H:MM:SS` from an hour up; rounded up so 0:00 means the time is really over."""
    total = max(0, math.ceil(seconds - 1e-6))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes:02d}:{secs:02d}"
