"""sql_query: the candidate writes one SELECT; it runs on a fresh copy of the item's data set and
its result set is compared with the one the model answer gives.

Fields (besides the common ones):

- `schema` (required): SQL that creates the tables (CREATE TABLE …; run before any candidate SQL).
- `rows`: `{table = [[v1, v2, …], …]}`, the rows inserted after the schema.
- `answer` (required): the model query; its result is the expected result set.
- `ordered = false`: when true the row order must match too (the task asks for ORDER BY).
- `check_columns = false`: when true the column names (case-insensitive) must match too.
- `partial = {wrong_columns, wrong_order, wrong_rows, column_names}`: fractions of the points
  (0–1) for right rows with missing or extra columns, right rows in the wrong order, a proper
  subset or superset of the rows, and right values under other column names. Default: none.
- `allow_run = true`: the candidate may run the query on the data set and see its result or the
  database's error message (never the expected result).
- `time_limit = 2.0`: seconds one query may run.

Response: the query text (string).
"""

from __future__ import annotations

from typing import Any, ClassVar

from kiosk.api import (
    FieldError,
    FieldsType,
    Item,
    Judgement,
    Message,
    NeedsMarking,
    blank,
    check_bool,
    is_number,
    is_text,
    malformed,
    not_answered,
)
from kiosk_informatics import sqlrun

PARTIAL_KEYS = ("wrong_columns", "wrong_order", "wrong_rows", "column_names")
#: A bank author's time limit never exceeds this: one query must not freeze a kiosk for long.
MAX_TIME_LIMIT = 10.0
SCORING_ERROR = "scoring error"


def _time_limit(item: Item) -> float:
    value = item.spec.get("time_limit", sqlrun.DEFAULT_TIME_LIMIT)
    return float(value) if is_number(value) and 0 < value <= MAX_TIME_LIMIT else (
        sqlrun.DEFAULT_TIME_LIMIT)


def run(item: Item, sql: str) -> sqlrun.QueryResult | sqlrun.QueryError:
    """The candidate's query on the item's data set (what the widget's Run button shows)."""
    return sqlrun.run_query(item.spec["schema"], item.spec.get("rows"), sql, _time_limit(item))


def expected(item: Item) -> sqlrun.QueryResult | sqlrun.QueryError:
    return run(item, item.spec["answer"])


class SqlQuery(FieldsType):
    name: ClassVar[str] = "sql_query"
    title: ClassVar[Message] = Message("qtype.sql_query", "SQL-lekérdezés",
                                       domain="kiosk_informatics")
    fields: ClassVar[set[str]] = {
        "schema", "rows", "answer", "ordered", "check_columns", "partial", "allow_run",
        "time_limit",
    }

    def check(self, item: Item, errors: list[FieldError]) -> None:
        spec = item.spec
        for key in ("schema", "answer"):
            if not is_text(spec.get(key)):
                errors.append(FieldError(key, "required: SQL text"))
        rows = spec.get("rows", {})
        if not isinstance(rows, dict) or not all(
            isinstance(v, list) and all(isinstance(r, list) for r in v) for v in rows.values()
        ):
            errors.append(FieldError("rows", "must be a table of {table = [[values], …]}"))
        for key in ("ordered", "check_columns", "allow_run"):
            check_bool(spec, key, "", errors)
        limit = spec.get("time_limit")
        if "time_limit" in spec and (not is_number(limit) or not 0 < limit <= MAX_TIME_LIMIT):
            errors.append(FieldError("time_limit", f"must be seconds in (0, {MAX_TIME_LIMIT:g}], "
                                                   f"got {limit!r}"))
        partial = spec.get("partial", {})
        if not isinstance(partial, dict):
            errors.append(FieldError("partial", "must be a table of fractions"))
        else:
            for key, value in partial.items():
                if key not in PARTIAL_KEYS:
                    errors.append(FieldError(f"partial.{key}",
                                             f"unknown rule (known: {', '.join(PARTIAL_KEYS)})"))
                elif not is_number(value) or not 0 <= value <= 1:
                    errors.append(FieldError(f"partial.{key}", f"must be 0–1, got {value!r}"))
        if errors:
            return
        # The data set and the model answer must run, or no candidate could ever be scored.
        try:
            want = expected(item)
        except sqlrun.DataSetError as exc:
            errors.append(FieldError("schema", f"the data set does not load: {exc}"))
            return
        if isinstance(want, sqlrun.QueryError):
            errors.append(FieldError("answer", f"the model answer fails: {want.message}"))
        elif want.truncated:
            errors.append(FieldError("answer", f"the model answer gives over {sqlrun.MAX_ROWS} rows"))

    def judge(self, item: Item, response: Any) -> Judgement | NeedsMarking:
        if blank(response):
            return not_answered(1)
        if not isinstance(response, str):
            return malformed(1, response, wrong=1, fraction=0.0)
        try:
            # The model answer and the response on one fresh copy, in one child process.
            want, got = sqlrun.run_queries(item.spec["schema"], item.spec.get("rows"),
                                           [item.spec["answer"], response], _time_limit(item))
        except sqlrun.DataSetError as exc:  # a bank that bypassed validation
            return Judgement(keys=1, right=0, wrong=0, fraction=0.0,
                             detail={"error": f"data set: {exc}"})
        for result in (want, got):
            if isinstance(result, sqlrun.QueryError) and result.kind == "invalid":
                return NeedsMarking(f"{SCORING_ERROR}: {result.message}")
        if isinstance(want, sqlrun.QueryError):
            return Judgement(keys=1, right=0, fraction=0.0, detail={"error": want.message})
        verdict = sqlrun.compare(
            want,
            got,
            ordered=bool(item.spec.get("ordered", False)),
            check_columns=bool(item.spec.get("check_columns", False)),
            partial=item.spec.get("partial"),
        )
        exact = verdict.code == "exact"
        return Judgement(
            keys=1,
            right=1 if exact else 0,
            # A wrong mark would cancel the item's own partial credit under szkr.
            wrong=1 if verdict.fraction <= 0 else 0,
            fraction=verdict.fraction,
            detail={"verdict": verdict.code, **verdict.notes},
        )

    def is_answered(self, item: Item, response: Any) -> bool:
        return not blank(response)

    def correct_response(self, item: Item) -> Any:
        answer = item.spec.get("answer")
        return answer if isinstance(answer, str) else None

    def render_item(self, item: Item, presentation: dict[str, Any] | None = None) -> str:
        return f"{item.stem.rstrip()}\n\nAdatbázis:\n{item.spec.get('schema', '').strip()}"

    def render_response(self, item: Item, response: Any) -> str:
        if response is None:
            return ""
        return response if isinstance(response, str) else f"<malformed response: {response!r}>"

    def widget(self, item: Item, presentation: dict[str, Any], response: Any) -> Any:
        from kiosk_informatics.widgets import SqlQueryWidget

        return SqlQueryWidget(item, presentation, response)
