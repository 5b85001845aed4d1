"""sql_query: scoring by running queries on a fresh copy of the item's data set."""

from __future__ import annotations

import dataclasses
import time

import pytest
from informatics_support import bank_items
from kiosk_informatics import sqlrun
from kiosk_informatics.sql_query import SqlQuery

from kiosk.api import Item, score_item, scoring_rule

QT = SqlQuery()


def points(item: Item, response: object, rule: str = "proportional") -> float:
    return score_item(item, response, QT, scoring_rule(rule)).points


@pytest.fixture(scope="module")
def items() -> dict[str, Item]:
    return bank_items()


def test_model_answer_and_an_equivalent_query_earn_full_marks(items: dict[str, Item]) -> None:
    item = items["sql-002"]  # students per class
    assert points(item, QT.correct_response(item)) == 5
    # Another join order, other column names, rows in another order: same result set.
    other = ("select osztalyok.nev as osztaly, count(diakok.id) from diakok, osztalyok "
             "where diakok.osztaly_id = osztalyok.id group by osztalyok.nev order by 2 desc;")
    assert points(item, other) == 5


def test_row_order_counts_only_when_the_item_says_so(items: dict[str, Item]) -> None:
    ordered = items["sql-001"]  # ORDER BY name, partial wrong_order = 0.6
    right = "SELECT d.nev FROM diakok d WHERE d.osztaly_id = 2 ORDER BY d.nev"
    reversed_ = "SELECT d.nev FROM diakok d WHERE d.osztaly_id = 2 ORDER BY d.nev DESC"
    assert points(ordered, right) == 5
    assert points(ordered, reversed_) == pytest.approx(3.0)
    assert points(ordered, reversed_, "all_or_nothing") == 0
    unordered = dataclasses.replace(ordered, spec={**ordered.spec, "ordered": False})
    assert points(unordered, reversed_) == 5


def test_partial_credit_rules(items: dict[str, Item]) -> None:
    item = items["sql-003"]  # wrong_columns 0.6, wrong_rows 0.4
    # Right students, the average missing: right rows, wrong columns.
    only_names = ("SELECT d.nev FROM diakok d JOIN jegyek j ON j.diak_id = d.id WHERE "
                  "j.tantargy = 'matematika' GROUP BY d.id HAVING AVG(j.jegy) >= 4")
    assert points(item, only_names) == pytest.approx(3.0)
    # An extra column is also "wrong columns".
    extra = only_names.replace("SELECT d.nev", "SELECT d.id, d.nev, AVG(j.jegy)")
    assert points(item, extra) == pytest.approx(3.0)
    # > instead of >=: a proper subset of the rows.
    subset = ("SELECT d.nev, AVG(j.jegy) FROM diakok d JOIN jegyek j ON j.diak_id = d.id WHERE "
              "j.tantargy = 'matematika' GROUP BY d.id HAVING AVG(j.jegy) > 4")
    assert points(item, subset) == pytest.approx(2.0)
    judged = QT.judge(item, subset)
    assert judged.detail["verdict"] == "wrong_rows"
    # Items without partial rules are all or nothing.
    strict = dataclasses.replace(item, spec={k: v for k, v in item.spec.items() if k != "partial"})
    assert points(strict, only_names) == 0


def test_column_names_matter_only_when_checked(items: dict[str, Item]) -> None:
    item = items["sql-004"]
    renamed = "SELECT nev AS tanulo FROM diakok WHERE id NOT IN (SELECT diak_id FROM jegyek)"
    assert points(item, renamed) == 5
    checked = dataclasses.replace(item, spec={**item.spec, "check_columns": True,
                                              "partial": {"column_names": 0.5}})
    assert points(checked, renamed) == pytest.approx(2.5)
    assert points(checked, QT.correct_response(item)) == 5


def test_wrong_and_empty_answers(items: dict[str, Item]) -> None:
    item = items["sql-002"]
    assert points(item, "SELECT nev FROM osztalyok") == pytest.approx(2.0)  # names, no count
    assert points(item, "SELECT nev, 3 FROM osztalyok") == 0
    empty = QT.judge(item, "   ")
    assert not empty.answered and points(item, "") == 0 and points(item, None) == 0
    assert points(item, ["SELECT 1"]) == 0  # a malformed stored response


@pytest.mark.parametrize(
    "sql",
    [
        "DROP TABLE diakok",
        "DELETE FROM jegyek",
        "UPDATE jegyek SET jegy = 5",
        "INSERT INTO jegyek VALUES (99, 1, 'matematika', 5, '2025-01-01')",
        "ATTACH DATABASE '/tmp/kiosk-attack.db' AS x",
        "PRAGMA writable_schema = 1",
        "CREATE TABLE x (a)",
        "SELECT 1; DROP TABLE diakok",
        "WITH t AS (SELECT 1) DELETE FROM jegyek",
    ],
)
def test_malicious_statements_are_refused_like_a_database_would(
    items: dict[str, Item], sql: str, tmp_path: object
) -> None:
    item = items["sql-004"]
    judged = QT.judge(item, sql)
    assert judged.fraction == 0 and judged.answered
    result = sqlrun.run_query(item.spec["schema"], item.spec["rows"], sql)
    assert isinstance(result, sqlrun.QueryError)
    assert result.message.startswith(("Parse error:", "Runtime error:"))
    assert "Traceback" not in result.message
    # The data set is rebuilt for every run: nothing a previous query did survives.
    assert points(item, QT.correct_response(item)) == 5


def test_attach_creates_no_file(items: dict[str, Item], tmp_path: object) -> None:
    from pathlib import Path

    target = Path(str(tmp_path)) / "stolen.db"
    item = items["sql-004"]
    result = sqlrun.run_query(item.spec["schema"], item.spec["rows"],
                              f"ATTACH DATABASE '{target}' AS x")
    assert isinstance(result, sqlrun.QueryError) and result.kind == "denied"
    assert not target.exists()


def test_a_query_that_never_ends_is_stopped(items: dict[str, Item]) -> None:
    item = dataclasses.replace(items["sql-004"], spec={**items["sql-004"].spec, "time_limit": 0.5})
    forever = ("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) "
               "SELECT count(*) FROM n")
    started = time.monotonic()
    judged = QT.judge(item, forever)
    assert time.monotonic() - started < 60  # a hang detector: the limit is 0.5 s
    assert judged.fraction == 0 and judged.detail["verdict"] == "error"
    assert "interrupted" in judged.detail["error"]


def test_huge_values_and_too_many_rows_are_cut(items: dict[str, Item]) -> None:
    item = items["sql-004"]
    huge = sqlrun.run_query(item.spec["schema"], item.spec["rows"],
                            "SELECT randomblob(1000000000)")
    assert isinstance(huge, sqlrun.QueryError) and huge.kind == "too_long"
    many = sqlrun.run_query(item.spec["schema"], item.spec["rows"],
                            "SELECT a.id FROM jegyek a, jegyek b, jegyek c")
    assert isinstance(many, sqlrun.QueryResult) and many.truncated
    assert points(item, "SELECT a.id FROM jegyek a, jegyek b, jegyek c") == 0


def test_syntax_errors_read_like_sqlite(items: dict[str, Item]) -> None:
    item = items["sql-004"]
    result = sqlrun.run_query(item.spec["schema"], item.spec["rows"], "SELEC nev FROM diakok")
    assert isinstance(result, sqlrun.QueryError)
    assert result.message == 'Parse error: near "SELEC": syntax error'
    missing = sqlrun.run_query(item.spec["schema"], item.spec["rows"], "SELECT nev FROM tanulok")
    assert isinstance(missing, sqlrun.QueryError)
    assert missing.message == "Parse error: no such table: tanulok"


def test_bank_errors_name_the_field() -> None:
    base = Item(id="x", type="sql_query", topic="T", points=1, stem="?",
                spec={"schema": "CREATE TABLE t (a INTEGER);", "rows": {"t": [[1], [2]]},
                      "answer": "SELECT a FROM t"})
    assert QT.validate(base) == []
    broken = [
        ({"answer": "SELECT b FROM t"}, "answer"),
        ({"schema": "CREATE TABLEX t"}, "schema"),
        ({"rows": {"t": [[1, 2]]}}, "schema"),
        ({"partial": {"almost": 0.5}}, "partial.almost"),
        ({"partial": {"wrong_rows": 2}}, "partial.wrong_rows"),
        ({"ordered": "yes"}, "ordered"),
        ({"time_limit": 60}, "time_limit"),
        ({"colour": "red"}, "colour"),
    ]
    for change, field in broken:
        errors = QT.validate(dataclasses.replace(base, spec={**base.spec, **change}))
        assert [e.field for e in errors] == [field], (change, errors)


def test_format_table_shows_rows_and_errors(items: dict[str, Item]) -> None:
    item = items["sql-002"]
    table = sqlrun.format_table(sqlrun.run_query(item.spec["schema"], item.spec["rows"],
                                                 "SELECT nev, ofo FROM osztalyok ORDER BY id"))
    lines = table.splitlines()
    assert lines[0].split() == ["nev", "|", "ofo"]
    assert "10.A" in lines[3] and lines[-1] == "(3 sor)"
    assert sqlrun.format_table(sqlrun.QueryError("Parse error: x", "syntax")) == "Parse error: x"
