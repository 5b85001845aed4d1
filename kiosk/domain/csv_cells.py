"""CSV that is safe to open in a spreadsheet: the one writer every CSV export goes through.

A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is taken as a formula by
Excel, LibreOffice and Google Sheets (`=cmd|' /C calc'!A0`, `=HYPERLINK(...)`); a roster name
or an answer is data, so such a cell is prefixed with an apostrophe, the spreadsheets' own
"this is text" mark (OWASP's CSV-injection advice). A plain number such as `-3.5` stays a
number.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A decimal comma counts too: a Hungarian centre's CSV writes "-3,5".
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")


def safe_cell(value: Any) -> Any:
    """The value as a spreadsheet will show it: strings that would run as a formula are
    neutralised; everything else is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) \
            and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_text(columns: Sequence[str], rows: Iterable[Mapping[str, Any] | Sequence[Any]],
             sep: str = ",") -> str:
    """A header line and one line per row (mappings by column name, missing cells empty, or
    sequences in column order), every cell through `safe_cell`; `sep` separates cells."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n", delimiter=sep)
    writer.writerow([safe_cell(c) for c in columns])
    for row in rows:
        cells = [row.get(c, "") for c in columns] if isinstance(row, Mapping) else list(row)
        writer.writerow([safe_cell(v) for v in cells])
    return buf.getvalue()
