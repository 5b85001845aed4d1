"""Running read-only queries on a fresh copy of an item's data set in a child process, and
comparing result sets.

The queries run in `_sqlrunner.py`, a separate `python -I -S` process (inside the OS sandbox of
sandbox.py where the machine has one), which builds the data set in memory and then locks the
connection down: `query_only`, SQLite limits (value length 1 MB, columns, expression depth,
compound selects, no ATTACH), an authorizer allowing only SELECT, reads of the scenario's own
tables and a list of harmless functions, a progress handler for the time limit and a CPU rlimit
for the one long C call a progress handler cannot interrupt. At most MAX_ROWS rows are fetched.

The parent reads what the child says as hostile input: capped in size, every record checked
against the expected shape (column names, rows of scalar values, 64-bit integers, finite
floats). A record that fails becomes a `QueryError` of kind "invalid", which the question type
leaves for a marker ("scoring error").
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections import Counter, OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.api import nesting_within
from kiosk_informatics import sandbox

RUNNER = Path(__file__).with_name("_sqlrunner.py")
MARK = "@@kiosk-sql@@"
MAX_ROWS = 1000
MAX_VALUE_BYTES = 1_000_000
MAX_COLUMNS = 100
DEFAULT_TIME_LIMIT = 2.0
OUTPUT_LIMIT = 16_000_000
INT_RANGE = 2**63
#: Seconds the child may take to start and build the data set, on top of the query limits.
STARTUP_SECONDS = 3.0


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
    kind: str  # syntax | denied | timeout | too_long | other | invalid (runner failed)


@dataclass(frozen=True)
class Verdict:
    code: str  # exact | column_names | wrong_order | wrong_columns | wrong_rows | wrong | error
    fraction: float
    notes: dict[str, Any] = field(default_factory=dict)


def clean_sql(sql: str) -> str:
    # A trailing semicolon is what a candidate types out of habit, not a second statement.
    return sql.strip().rstrip(";").strip()


class _Invalid(Exception):
    pass


def _scalar(value: Any) -> Any:
    if value is None or isinstance(value, str):
        if isinstance(value, str) and len(value) > 2 * MAX_VALUE_BYTES + 3:
            raise _Invalid("a value over the length limit")
        return value
    if isinstance(value, bool):
        raise _Invalid("a boolean value")
    if isinstance(value, int):
        if not -INT_RANGE <= value < INT_RANGE:
            raise _Invalid("an integer out of SQLite's range")
        return value
    if isinstance(value, float):
        return value  # json.loads was told to refuse NaN and infinities
    raise _Invalid(f"a value of type {type(value).__name__}")


def _reject_constant(name: str) -> Any:
    raise _Invalid(f"non-finite number {name}")


def _checked(line: str) -> dict[str, Any]:
    body = line[len(MARK):]
    # Depth of a valid record is 3 ({"rows": [[…]]}); refuse deeper before parsing.
    if not nesting_within(body, 3):
        raise _Invalid("a record nested too deep")
    try:
        record = json.loads(body, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise _Invalid(f"a malformed record ({type(exc).__name__})") from None
    if not isinstance(record, dict):
        raise _Invalid("a record that is not a table")
    return record


def _result(record: dict[str, Any]) -> QueryResult | QueryError:
    keys = set(record)
    if keys == {"error", "kind"}:
        kind = record["kind"]
        if not isinstance(record["error"], str) or kind not in {
                "syntax", "denied", "timeout", "too_long", "other"}:
            raise _Invalid("a malformed error record")
        return QueryError(record["error"][:500], kind)
    if keys != {"columns", "rows", "truncated"}:
        raise _Invalid(f"a record with fields {sorted(keys)}")
    columns, rows, truncated = record["columns"], record["rows"], record["truncated"]
    if (not isinstance(columns, list) or len(columns) > MAX_COLUMNS
            or not all(isinstance(c, str) and len(c) <= 200 for c in columns)):
        raise _Invalid("malformed column names")
    if not isinstance(rows, list) or len(rows) > MAX_ROWS or not isinstance(truncated, bool):
        raise _Invalid("malformed rows")
    out = []
    for row in rows:
        if not isinstance(row, list) or len(row) != len(columns):
            raise _Invalid("a row of the wrong width")
        out.append(tuple(_scalar(v) for v in row))
    return QueryResult(tuple(columns), tuple(out), truncated)


#: Results of earlier runs in this process (results, stats and the marking queue judge the same
#: responses again; many candidates type the same query). Runs the parent could not use
#: ("invalid") are never kept.
_CACHE: OrderedDict[str, list[QueryResult | QueryError]] = OrderedDict()
CACHE_SIZE = 4096


def run_queries(
    schema: str,
    rows: Mapping[str, Sequence[Sequence[Any]]] | None,
    queries: Sequence[str],
    time_limit: float = DEFAULT_TIME_LIMIT,
) -> list[QueryResult | QueryError]:
    """Run several queries on one fresh copy of the data set (one child process); never raises
    for anything a candidate typed. Raises DataSetError when the item's own data set does not
    load."""
    try:
        iso = sandbox.detect()
        key = hashlib.sha256(json.dumps([schema, rows, list(queries), time_limit, iso.level,
                                         iso.bwrap], sort_keys=True).encode()).hexdigest()
    except (TypeError, ValueError):
        key = ""
    if key and key in _CACHE:
        _CACHE.move_to_end(key)
        return list(_CACHE[key])
    out = _run_queries(schema, rows, queries, time_limit)
    if key and not any(isinstance(r, QueryError) and r.kind == "invalid" for r in out):
        _CACHE[key] = list(out)
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return out


def _run_queries(
    schema: str,
    rows: Mapping[str, Sequence[Sequence[Any]]] | None,
    queries: Sequence[str],
    time_limit: float,
) -> list[QueryResult | QueryError]:
    texts = [clean_sql(q) for q in queries]
    results: list[QueryResult | QueryError | None] = [
        None if t else QueryError("Parse error: üres lekérdezés", "syntax") for t in texts]
    todo = [t for t in texts if t]
    if todo:
        request = {"schema": schema, "rows": rows or {}, "queries": todo,
                   "time_limit": time_limit, "max_rows": MAX_ROWS}
        try:
            payload = json.dumps(request).encode()
        except (TypeError, ValueError) as exc:
            raise DataSetError(f"rows cannot be sent to the runner: {exc}") from None
        got = _launch(payload, len(todo), time_limit)
        it = iter(got)
        results = [r if r is not None else next(it) for r in results]
    return [r for r in results if r is not None]


def _launch(payload: bytes, count: int, time_limit: float) -> list[QueryResult | QueryError]:
    launched = sandbox.launch(RUNNER, payload, STARTUP_SECONDS + time_limit * count,
                              OUTPUT_LIMIT, isolated=sandbox.detect().bwrap is not None)
    if len(launched.output) > OUTPUT_LIMIT:
        return [QueryError("the runner wrote too much", "invalid")] * count
    out: list[QueryResult | QueryError] = []
    started = False
    try:
        for line in launched.output.decode("utf-8", "replace").splitlines():
            if not line.startswith(MARK):
                continue
            record = _checked(line)
            if set(record) == {"dataset_error"}:
                raise DataSetError(str(record["dataset_error"])[:300])
            if set(record) == {"started"}:
                started = True
                continue
            if not started or len(out) >= count:
                raise _Invalid("an unexpected record")
            out.append(_result(record))
    except _Invalid as exc:
        return [QueryError(f"scoring error: {exc}", "invalid")] * count
    if not started:
        reason = "time limit" if launched.timed_out else f"exit code {launched.returncode}"
        return [QueryError(f"scoring error: the SQL runner did not start ({reason})",
                           "invalid")] * count
    # The query running when the child was stopped (CPU rlimit, wall clock) ran out of time;
    # the ones after it never ran.
    while len(out) < count:
        out.append(QueryError(
            "Runtime error: interrupted (a lekérdezés túllépte az időkorlátot)", "timeout"))
    return out


def run_query(
    schema: str,
    rows: Mapping[str, Sequence[Sequence[Any]]] | None,
    sql: str,
    time_limit: float = DEFAULT_TIME_LIMIT,
) -> QueryResult | QueryError:
    """Run a candidate's query; never raises for anything the candidate typed."""
    return run_queries(schema, rows, [sql], time_limit)[0]


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
