"""The child process that runs SQL queries on a fresh copy of an item's data set. Standalone
(standard library only): run as `python -I -S _sqlrunner.py`, inside the OS sandbox where the
machine has one; reads one JSON request on stdin, writes one JSON line per query.

Order matters: rlimits first (CPU seconds, address space, no files), then the data set is built
in memory, then the connection is locked down — `query_only`, SQLite limits, an authorizer that
allows only SELECT, reads of the scenario's own tables and a list of harmless functions (no
load_extension, fts3_tokenizer, ATTACH, PRAGMA, sqlite_master) — and only then does a query run.
A progress handler stops a long query between virtual-machine steps; one expensive C call
(`printf('%.*c', 2000000000, 'x')`) does not return to the handler, so a CPU-time timer (SIGPROF,
default action) ends the process at the query's limit, with the CPU rlimit and the parent's
wall-clock kill behind it.
"""

import json
import math
import os
import signal
import sqlite3
import sys
import time

MARK = "@@kiosk-sql@@"
PROGRESS_STEPS = 2000

request = json.loads(sys.stdin.read())
sys.stdin.close()
time_limit = float(request.get("time_limit", 2.0))
max_rows = int(request.get("max_rows", 1000))

try:
    import resource

    def _limit(name, soft, hard=None):
        kind = getattr(resource, name, None)
        if kind is not None:
            try:
                resource.setrlimit(kind, (soft, soft if hard is None else hard))
            except (ValueError, OSError):
                pass

    cpu = max(1, math.ceil(time_limit * len(request.get("queries", [])) + 0.5))
    _limit("RLIMIT_CPU", cpu, cpu + 1)
    _limit("RLIMIT_AS", int(request.get("memory_mb", 256)) * 1024 * 1024)
    # The standard output is a file: its size is the only file size needed (SQLite's
    # temporary data stays in memory, temp_store below).
    _limit("RLIMIT_FSIZE", 16_000_000)
    _limit("RLIMIT_CORE", 0)
except ImportError:
    pass

_out = sys.stdout.buffer


RECORD_CAP = 4_000_000  # below the parent's limit: a larger result set becomes an error


def emit(record):
    line = json.dumps(record, ensure_ascii=False, allow_nan=False)
    if len(line) > RECORD_CAP:
        line = json.dumps({"error": "Runtime error: result too big (túl nagy eredmény)",
                           "kind": "too_long"})
    _out.write((MARK + line + "\n").encode("utf-8", "replace"))
    _out.flush()


HARMLESS_FUNCTIONS = frozenset("""
abs avg count max min sum total group_concat string_agg length octet_length lower upper substr
substring trim ltrim rtrim replace round coalesce ifnull nullif iif instr typeof printf format
date time datetime julianday strftime unixepoch char unicode hex quote random sign ceil ceiling
floor trunc ln log log10 log2 exp pow power sqrt mod pi like glob row_number rank dense_rank
percent_rank cume_dist ntile lag lead first_value last_value nth_value likely unlikely
randomblob zeroblob concat concat_ws
""".split())
LIMITS = {
    "SQLITE_LIMIT_LENGTH": 1_000_000,
    "SQLITE_LIMIT_SQL_LENGTH": 100_000,
    "SQLITE_LIMIT_COLUMN": 100,
    "SQLITE_LIMIT_EXPR_DEPTH": 100,
    "SQLITE_LIMIT_COMPOUND_SELECT": 50,
    "SQLITE_LIMIT_VDBE_OP": 100_000,
    "SQLITE_LIMIT_FUNCTION_ARG": 16,
    "SQLITE_LIMIT_ATTACHED": 0,
    "SQLITE_LIMIT_LIKE_PATTERN_LENGTH": 1000,
    "SQLITE_LIMIT_VARIABLE_NUMBER": 0,
    "SQLITE_LIMIT_TRIGGER_DEPTH": 1,
    "SQLITE_LIMIT_WORKER_THREADS": 0,
}


def build(schema, rows):
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.executescript(schema)
    for table, table_rows in (rows or {}).items():
        quoted = '"' + table.replace('"', '""') + '"'
        for row in table_rows:
            marks = ", ".join("?" for _ in row)
            conn.execute(f"INSERT INTO {quoted} VALUES ({marks})", tuple(row))
    return conn


def lock_down(conn):
    tables = {name.lower() for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
    conn.execute("PRAGMA query_only = 1")
    for name, value in LIMITS.items():
        if hasattr(sqlite3, name):
            conn.setlimit(getattr(sqlite3, name), value)
    allowed = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_RECURSIVE}

    def authorizer(action, arg1, arg2, db_name, trigger):
        if action in allowed:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_READ:
            # arg1 is the table: one of the scenario's in "main", or a common table expression
            # (no database name). Never sqlite_master, pragma_* or other virtual tables.
            ok = db_name is None or (db_name == "main" and (arg1 or "").lower() in tables)
            return sqlite3.SQLITE_OK if ok else sqlite3.SQLITE_DENY
        if action == sqlite3.SQLITE_FUNCTION:
            ok = (arg2 or "").lower() in HARMLESS_FUNCTIONS
            return sqlite3.SQLITE_OK if ok else sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_DENY

    conn.set_authorizer(authorizer)


def plain(value):
    if isinstance(value, float):
        if not math.isfinite(value):
            return "Inf" if value > 0 else ("-Inf" if value < 0 else "NaN")
        rounded = round(value, 6)  # equivalent queries differ in the last bits
        return int(rounded) if rounded.is_integer() else rounded
    if isinstance(value, bytes):
        return "x'" + value.hex() + "'"
    return value


def error(exc):
    text = str(exc).strip() or type(exc).__name__
    lowered = text.lower()
    if "interrupted" in lowered:
        return "Runtime error: interrupted (a lekérdezés túllépte az időkorlátot)", "timeout"
    if ("not authorized" in lowered or "prohibited" in lowered or "readonly" in lowered
            or "vtable constructor failed" in lowered):
        return "Parse error: not authorized (csak SELECT lekérdezés futtatható)", "denied"
    if "one statement at a time" in lowered:
        return "Parse error: egyszerre csak egy utasítás futtatható", "denied"
    if "too big" in lowered or "too long" in lowered or "too many" in lowered:
        return f"Runtime error: {text}", "too_long"
    if "syntax error" in lowered or "incomplete input" in lowered or "no such" in lowered:
        return f"Parse error: {text}", "syntax"
    return f"Runtime error: {text}", "other"


try:
    conn = build(request["schema"], request.get("rows"))
    lock_down(conn)
except (sqlite3.Error, TypeError, ValueError) as exc:
    emit({"dataset_error": str(exc)[:300]})
    os._exit(0)

emit({"started": True})
def stopper(deadline):
    return lambda: int(time.monotonic() > deadline)


# One long C call (printf('%.*c', 2000000000, 'x')) never returns to the progress handler: a
# CPU-time timer whose signal keeps its default action (terminate) ends the process at the
# query's limit, to a fraction of a second; the parent reports that query as timed out.
_prof = getattr(signal, "ITIMER_PROF", None)
if _prof is not None:
    signal.signal(signal.SIGPROF, signal.SIG_DFL)

for text in request["queries"]:
    conn.set_progress_handler(stopper(time.monotonic() + time_limit), PROGRESS_STEPS)
    if _prof is not None:
        signal.setitimer(_prof, time_limit + 0.25)
    try:
        cursor = conn.execute(text)
        if cursor.description is None:
            emit({"error": "Parse error: not authorized (csak SELECT lekérdezés futtatható)",
                  "kind": "denied"})
            continue
        got = cursor.fetchmany(max_rows + 1)
        emit({"columns": [str(d[0])[:200] for d in cursor.description],
              "rows": [[plain(v) for v in row] for row in got[:max_rows]],
              "truncated": len(got) > max_rows})
    except (sqlite3.Error, sqlite3.Warning, OverflowError, MemoryError, ValueError) as exc:
        message, kind = error(exc)
        emit({"error": message[:500], "kind": kind})
    finally:
        if _prof is not None:
            signal.setitimer(_prof, 0)
os._exit(0)
