"""Deadlines as Hungarian administrative procedure counts them, and dates as candidates type them.

A deadline of N days does not count its first day (the day of the event that starts it, e.g. the
communication of a decision); when its last day is not a working day it ends on the next working
day. Non-working days are Saturdays, Sundays and the public holidays of the Labour Code (fixed
dates, Good Friday, Easter Monday, Whit Monday). Bridge days moved by decree (áthelyezett
munkanap, pihenőnap) change every year: an item lists them in `non_working` / `working`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta
from functools import cache

FIXED_HOLIDAYS = ((1, 1), (3, 15), (5, 1), (8, 20), (10, 23), (11, 1), (12, 25), (12, 26))
MONTHS = {
    "január": 1, "február": 2, "március": 3, "április": 4, "május": 5, "június": 6,
    "július": 7, "augusztus": 8, "szeptember": 9, "október": 10, "november": 11, "december": 12,
}
_NUMERIC = re.compile(r"^(\d{4})\s*[.\-/]\s*(\d{1,2})\s*[.\-/]\s*(\d{1,2})\s*\.?$")
_NAMED = re.compile(r"^(\d{4})\s*\.?\s*([a-záéíóöőúüű]+)\s+(\d{1,2})\s*\.?$", re.IGNORECASE)


def easter(year: int) -> date:
    """Easter Sunday (Gregorian, the anonymous algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return date(year, month, day + 1)


@cache
def public_holidays(year: int) -> frozenset[date]:
    sunday = easter(year)
    movable = {sunday - timedelta(days=2), sunday + timedelta(days=1), sunday + timedelta(days=50)}
    return frozenset({date(year, m, d) for m, d in FIXED_HOLIDAYS} | movable)


def is_working_day(day: date, non_working: Iterable[date] = (), working: Iterable[date] = ()
                   ) -> bool:
    if day in set(working):
        return True
    if day in set(non_working):
        return False
    return day.weekday() < 5 and day not in public_holidays(day.year)


def deadline(
    start: date,
    days: int,
    *,
    working_days: bool = False,
    non_working: Iterable[date] = (),
    working: Iterable[date] = (),
) -> date:
    """The last day of a deadline of `days` (calendar or working) days from `start`."""
    off, on = set(non_working), set(working)
    if working_days:
        day, left = start, days
        while left > 0:
            day += timedelta(days=1)
            if is_working_day(day, off, on):
                left -= 1
        return day
    day = start + timedelta(days=days)
    while not is_working_day(day, off, on):
        day += timedelta(days=1)
    return day


def parse_date(text: object) -> date | None:
    """"2025.03.11.", "2025. 03. 11.", "2025-03-11", "2025. március 11." → a date; else None."""
    if isinstance(text, date):
        return text
    if not isinstance(text, str):
        return None
    body = " ".join(text.strip().split())
    numeric = _NUMERIC.match(body)
    named = _NAMED.match(body)
    try:
        if numeric:
            return date(int(numeric[1]), int(numeric[2]), int(numeric[3]))
        if named and named[2].lower() in MONTHS:
            return date(int(named[1]), MONTHS[named[2].lower()], int(named[3]))
    except ValueError:
        return None
    return None


def hungarian(day: date) -> str:
    return f"{day.year}. {day.month:02d}. {day.day:02d}."
