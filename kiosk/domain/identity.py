"""The Hungarian oktatási azonosító (education ID of students and teachers).

The rule is Gov. Decree 79/2006 annex 9 as summarised in
shared/rules/azonositok-es-nyilvantartas.md: 11 digits, the first is 7, the 11th is the sum of
the first ten digits each multiplied by its position (1..10), modulo 11. A remainder of 10 is
never issued, so such numbers are invalid rather than "check digit 10".
"""

from __future__ import annotations

LENGTH = 11
FIRST_DIGIT = "7"


def check_digit(first_ten: str) -> int | None:
    """The check digit for ten digits, or None when the remainder is 10 (never issued)."""
    remainder = sum(int(d) * pos for pos, d in enumerate(first_ten, start=1)) % 11
    return None if remainder == 10 else remainder


def education_id_error(value: str) -> str | None:
    """Why `value` is not a valid oktatási azonosító, or None when it is one."""
    if not value:
        return "is empty"
    # str.isdigit accepts superscripts and other scripts' digits; only ASCII 0-9 are issued.
    if not value.isascii() or not value.isdigit():
        return "must contain only the digits 0-9"
    if len(value) != LENGTH:
        return f"must be {LENGTH} digits, got {len(value)}"
    if value[0] != FIRST_DIGIT:
        return f"must start with {FIRST_DIGIT}, got {value[0]}"
    expected = check_digit(value[:10])
    if expected is None:
        return "is never issued (its check remainder would be 10)"
    if int(value[10]) != expected:
        return f"wrong check digit {value[10]} (expected {expected}): mistyped?"
    return None


def is_education_id(value: str) -> bool:
    return education_id_error(value) is None
