"""Amounts and account numbers as a Hungarian bookkeeper writes them.

Amounts: "1 250 000", "1.250.000 Ft", "1250000", "1 250 000,50 Ft", "1 995 000,-" and
"1 995 000,- Ft" (the ",-" of a whole forint amount, as on cheques and invoices); "12,5 eFt" is NOT accepted
(units other than forint are ambiguous). Spaces (also non-breaking and thin spaces) and dots are
thousands separators, the comma is the decimal separator; a single dot followed by one or two
digits ("1250.5") is read as a decimal point, since no thousands group has fewer than three digits.

Account numbers (számlaszám): digits only, 1–5 of them, the first 1–9 (the account class of the
Hungarian chart of accounts, számlaosztály 1–9; class 0, off-balance records, is not journalled).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_CURRENCY = re.compile(r"\s*(ft\.?|huf|forint)\s*$", re.IGNORECASE)
_NO_FILLER = re.compile(r"[,.]\s*[-–]$")
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")
_THOUSANDS_DOTS = re.compile(r"^\d{1,3}(\.\d{3})+(,\d+)?$")
_PLAIN = re.compile(r"^\d+(,\d+)?$")
_DECIMAL_POINT = re.compile(r"^\d+\.\d{1,2}$")
ACCOUNT = re.compile(r"^[1-9]\d{0,4}$")
MAX_AMOUNT = Decimal("1e15")


def parse_amount(text: object) -> Decimal | None:
    """The amount in forints, or None when the text is not an amount."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int | float):
        value = Decimal(str(text))
        return value if 0 <= value < MAX_AMOUNT else None
    if not isinstance(text, str):
        return None
    body = _CURRENCY.sub("", text.strip())
    body = _NO_FILLER.sub("", body.rstrip())
    body = _SPACES.sub("", body)
    if not body:
        return None
    if _THOUSANDS_DOTS.match(body):
        body = body.replace(".", "")
    elif _DECIMAL_POINT.match(body):
        body = body.replace(".", ",")
    if not _PLAIN.match(body):
        return None
    try:
        value = Decimal(body.replace(",", "."))
    except InvalidOperation:
        return None
    return value if value < MAX_AMOUNT else None


def normal_account(value: object) -> str | None:
    """The account number as text ("161"), or None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    return text if ACCOUNT.match(text) else None


def format_amount(value: Decimal) -> str:
    """1250000 → "1 250 000 Ft" (with a decimal comma when there are fillér)."""
    whole = int(value)
    text = f"{whole:,}".replace(",", " ")
    fraction = value - whole
    if fraction:
        text += "," + f"{fraction:.2f}"[2:]
    return f"{text} Ft"
