"""Remaining time as the candidate reads it."""

from __future__ import annotations

import math
from typing import Any


def format_remaining(seconds: float) -> str:
    """`MM:SS`, or `H:MM:SS` from an hour up; rounded up so 0:00 means the time is really over."""
    total = max(0, math.ceil(seconds - 1e-6))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes:02d}:{secs:02d}"


#: The clock turns amber in the last five minutes and red in the last one (the text says the
#: same in words through the warnings; colour is never the only signal).
LOW_S = 300.0
LAST_S = 60.0


def urgency(seconds: float) -> str:
    """"", "-low" or "-last": the CSS class of a clock showing `seconds` remaining."""
    if seconds <= LAST_S:
        return "-last"
    if seconds <= LOW_S:
        return "-low"
    return ""


def set_clock_urgency(widget: Any, seconds: float) -> None:
    level = urgency(seconds)
    widget.set_class(level == "-low", "-low")
    widget.set_class(level == "-last", "-last")
