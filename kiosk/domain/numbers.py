"""Percentages and points as people read them: one function each, used by `kiosk results`, the
CSV, the result sheet and the candidate's screen, so one result never shows three percentages.

A percentage follows the grade scale's own rounding rule (kiosk.domain.grading): a scale that
truncates to whole percent (Szkr 290. § (2)) shows "56 %" for 56.67 %, exactly the value its
grade was read from; a scale with rounding "none" shows at most two decimals, cut rather than
rounded, so 39.999 % never reads as "40 %". Points show at most two decimals, rounded (a mean
of three markers, 7.1666…, reads 7.17). The decimal symbol is the language's own, from the
Unicode CLDR data through Babel (Hungarian and German write a comma, English a point).
"""

from __future__ import annotations

import math
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from functools import lru_cache

from kiosk.domain.grading import apply_rounding

WHOLE = ("truncate", "floor", "half_up")


def _text(value: Decimal, language: str) -> str:
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    point = decimal_symbol(language)
    return text.replace(".", point) if point != "." else text


@lru_cache(maxsize=32)
def decimal_symbol(language: str) -> str:
    """The language's decimal symbol ("," for hu, de; "." for en); "." for an unknown code."""
    from babel import Locale, UnknownLocaleError
    from babel.numbers import get_decimal_symbol

    try:
        return str(get_decimal_symbol(Locale.parse(language.replace("-", "_"))))
    except (UnknownLocaleError, ValueError, TypeError):
        return "."


def percent_value(value: float, rounding: str = "") -> Decimal:
    """The percentage as shown: whole under a whole-number rule, else cut to two decimals."""
    if rounding in WHOLE:
        return Decimal(int(apply_rounding(value, rounding)))
    snapped = round(value, 9)  # float noise: 56.99999999 is 57
    return Decimal(repr(snapped)).quantize(Decimal("0.01"), rounding=ROUND_DOWN)


def percent_text(value: float | None, rounding: str = "", language: str = "hu", *,
                 sign: bool = True) -> str:
    """"56 %" (a truncating scale), "56,67 %" (Hungarian, no rounding rule), "" for None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = _text(percent_value(value, rounding), language)
    return f"{text} %" if sign else text


def points_text(value: float | None, language: str = "hu") -> str:
    """Points with at most two decimals (rounded half up), trailing zeros dropped; "" for None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return _text(Decimal(repr(round(value, 9))).quantize(Decimal("0.01"),
                                                          rounding=ROUND_HALF_UP), language)


def score_text(points: float | None, max_points: float | None, language: str = "hu") -> str:
    """"7,17 / 14" — points out of the maximum ("" without points)."""
    if points is None:
        return ""
    if max_points is None:
        return points_text(points, language)
    return f"{points_text(points, language)} / {points_text(max_points, language)}"
