"""Running one read-only query on a fresh in-memory copy of an item's data set, and comparing
result sets.

Safety does not rest on parsing the SQL: the data set is built first, then an authorizer that
allows only SELECT, reading columns, calling functions and recursive CTEs is installed, so every
write, ATTACH, PRAGMA or DDL statement fails inside SQLite with "not authorized". A progress
handler stops a query after its time limit, SQLITE_LIMIT_LENGTH caps the size of any string or
blob (randomblob(1e9) fails instead of eating memory), and at most MAX_ROWS rows are fetched.
"""

from __future__ import annotations

import itertools
import sqlite3
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

MAX_ROWS = 1000
MAX_VALUE_BYTES = 1_000_000
DEFAULT_TIME_LIMIT = 2.0
#: Progress handler granularity in SQLite virtual-machine instructions.
_PROGRESS_STEPS = 2000

_ALLOWED_ACTIONS = frozenset(
    {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE}
)


class DataSetError(Exception):
    """The item's own schema or rows do not load (a bank error, never a candidate's)."""


@dataclass(frozen=True)
class QueryResult:
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    truncated: bool = False


@dataclass(frozen=True)
class QueryError:
    """A failed query, worded as the sqlite3 shell words it ("Parse error: …")."""

    message: str
    kind: str  # syntax | denied | timeout | too_long | other


@dataclass(frozen=True)
class Verdict:
    code: str  # exact | column_names | wrong_order | wrong_columns | wrong_rows | wrong | error
    fraction: float
    notes: dict[str, Any] = field(default_factory=dict)


def _authorizer(action: int, *args: Any) -> int:
    return sqlite3.SQLITE_OK if action in _ALLOWED_ACTIONS else sqlite3.SQLITE_DENY


def build(schema: str, rows: Mapping[str, Sequence[Sequence[Any]]] | None) -> sqlite3.Connection:
    """A fresh in-memory database holding the item's data set (no authorizer yet)."""
    conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    try:
        conn.executescript(schema)
        for table, table_rows in (rows or {}).items():
            for row in table_rows:
                marks = ", ".join("?" for _ in row)
                quoted = '"' + table.replace('"', '""') + '"'
                conn.execute(f"INSERT INTO {quoted} VALUES ({marks})", tuple(row))
    except (sqlite3.Error, TypeError, ValueError) as exc:
        conn.close()
        raise DataSetError(str(exc)) from None
    return conn


def _lock_down(conn: sqlite3.Connection, time_limit: float) -> None:
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
    conn.set_authorizer(_authorizer)
    deadline = time.monotonic() + time_limit
    conn.set_progress_handler(lambda: int(time.monotonic() > deadline), _PROGRESS_STEPS)


def clean_sql(sql: str) -> str:
    # A trailing semicolon is what a candidate types out of habit, not a second statement.
    return sql.strip().rstrip(";").strip()


def _error(exc: Exception) -> QueryError:
    text = str(exc).strip() or type(exc).__name__
    lowered = text.lower()
    if "interrupted" in lowered:
        return QueryError("Runtime error: interrupted (a lekérdezés túllépte az időkorlátot)",
                          "timeout")
    if "not authorized" in lowered:
        return QueryError("Parse error: not authorized (csak SELECT lekérdezés futtatható)",
                          "denied")
    if "one statement at a time" in lowered:
        return QueryError("Parse error: egyszerre csak egy utasítás futtatható", "denied")
    if "too big" in lowered or "too long" in lowered:
        return QueryError(f"Runtime error: {text}", "too_long")
    if "syntax error" in lowered or "incomplete input" in lowered or "no such" in lowered:
        return QueryError(f"Parse error: {text}", "syntax")
    return QueryError(f"Runtime error: {text}", "other")


def _normal(value: Any) -> Any:
    # Averages and divisions differ in the last bits between equivalent queries.
    if isinstance(value, float):
        rounded = round(value, 6)
        return int(rounded) if rounded.is_integer() else rounded
    return value


def run_query(
    schema: str,
    rows: Mapping[str, Sequence[Sequence[Any]]] | None,
    sql: str,
    time_limit: float = DEFAULT_TIME_LIMIT,
) -> QueryResult | QueryError:
    """Run a candidate's query; never raises for anything the candidate typed."""
    text = clean_sql(sql)
    if not text:
        return QueryError("Parse error: üres lekérdezés", "syntax")
    conn = build(schema, rows)
    try:
        _lock_down(conn, time_limit)
        cursor = conn.execute(text)
        if cursor.description is None:
            return QueryError("Parse error: not authorized (csak SELECT lekérdezés futtatható)",
                              "denied")
        got = cursor.fetchmany(MAX_ROWS + 1)
        columns = tuple(str(d[0]) for d in cursor.description)
        truncated = len(got) > MAX_ROWS
        out = tuple(tuple(_normal(v) for v in row) for row in got[:MAX_ROWS])
        return QueryResult(columns, out, truncated)
    except (sqlite3.Error, sqlite3.Warning, OverflowError, MemoryError, ValueError) as exc:
        return _error(exc)
    finally:
        conn.close()


def _same(a: Sequence[tuple[Any, ...]], b: Sequence[tuple[Any, ...]], ordered: bool) -> bool:
    if ordered:
        return list(a) == list(b)
    return Counter(a) == Counter(b)


def _projection(
    wide: QueryResult, narrow: QueryResult, ordered: bool, budget: int = 500
) -> tuple[int, ...] | None:
    """Columns of `wide` whose values, in row order, give `narrow`'s rows (None if none do)."""
    width = len(narrow.columns)
    if width == 0 or len(wide.rows) != len(narrow.rows):
        return None
    # Only columns holding the same multiset of values can correspond: prunes the search.
    def values(result: QueryResult, col: int) -> Counter[Any]:
        return Counter(row[col] for row in result.rows)

    candidates = [
        [k for k in range(len(wide.columns)) if values(wide, k) == values(narrow, j)]
        for j in range(width)
    ]
    for combo in itertools.islice(itertools.product(*candidates), budget):
        if len(set(combo)) != width:
            continue
        projected = [tuple(row[k] for k in combo) for row in wide.rows]
        if _same(projected, narrow.rows, ordered):
            return combo
    return None


def compare(
    expected: QueryResult,
    got: QueryResult | QueryError,
    *,
    ordered: bool = False,
    check_columns: bool = False,
    partial: Mapping[str, float] | None = None,
) -> Verdict:
    """How close a candidate's result set is to the expected one, as a fraction of the points."""
    credit = dict(partial or {})
    if isinstance(got, QueryError):
        return Verdict("error", 0.0, {"error": got.message})
    if got.truncated:
        return Verdict("wrong", 0.0, {"rows": f"több mint {MAX_ROWS} sor"})
    same_width = len(got.columns) == len(expected.columns)
    if same_width and _same(got.rows, expected.rows, ordered):
        names_ok = [c.lower() for c in got.columns] == [c.lower() for c in expected.columns]
        if not check_columns or names_ok:
            return Verdict("exact", 1.0)
        return Verdict("column_names", credit.get("column_names", 0.0),
                       {"expected_columns": list(expected.columns)})
    if ordered and same_width and _same(got.rows, expected.rows, ordered=False):
        return Verdict("wrong_order", credit.get("wrong_order", 0.0))
    if not same_width:
        wide, narrow = (got, expected) if len(got.columns) > len(expected.columns) else (
            expected, got)
        if _projection(wide, narrow, ordered=False) is not None:
            return Verdict("wrong_columns", credit.get("wrong_columns", 0.0),
                           {"columns": len(got.columns), "expected_columns": len(expected.columns)})
    if same_width and got.rows:
        want, have = Counter(expected.rows), Counter(got.rows)
        if have <= want or want <= have:
            return Verdict("wrong_rows", credit.get("wrong_rows", 0.0),
                           {"rows": len(got.rows), "expected_rows": len(expected.rows)})
    return Verdict("wrong", 0.0, {"rows": len(got.rows), "expected_rows": len(expected.rows)})


def format_table(result: QueryResult | QueryError, limit: int = 20) -> str:
    """A result as the sqlite3 shell's `.mode box` would print it, cut to `limit` rows."""
    if isinstance(result, QueryError):
        return result.message
    if not result.columns:
        return "(nincs oszlop)"
    cells = [[str(c) for c in result.columns]]
    cells += [["NULL" if v is None else str(v) for v in row] for row in result.rows[:limit]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(result.columns))]
    lines = [" | ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) for row in cells]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    shown = min(limit, len(result.rows))
    total = f"{len(result.rows)}{'+' if result.truncated else ''}"
    lines.append(f"({total} sor" + (f", ebből {shown} látszik)" if shown < len(result.rows) else ")"))
    return "\n".join(lines)
