"""The informatics widgets through a Textual pilot: alone in a host app, and in the candidate
kiosk against a real centre (answers reach the ledger, the paper is scored at submission)."""

from __future__ import annotations

import asyncio
import shutil
import sys
from pathlib import Path
from typing import Any

from informatics_support import BANK, REPO, Host, bank_items
from kiosk_informatics.widgets import PythonFunctionWidget, SqlQueryWidget
from textual.widgets import Button, Static, TextArea

if str(REPO) not in sys.path:  # the kiosk's own candidate-app helpers live in tests/
    sys.path.insert(0, str(REPO))

from tests.support.candidate_helpers import enter_exam, make_centre, settle  # noqa: E402


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def output_of(widget: Any) -> str:
    return str(widget.query_one("#run-output", Static).render())


async def run_code(pilot: Any, widget: Any) -> str:
    widget.query_one("#run-code", Button).press()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    return output_of(widget)


def test_sql_widget_posts_the_query_and_runs_it() -> None:
    item = bank_items()["sql-002"]

    async def scenario() -> None:
        widget = SqlQueryWidget(item, {}, None)
        app = Host(widget)
        async with app.run_test(size=(100, 40)) as pilot:
            await pilot.pause()
            widget.focus_first()
            area = widget.query_one(TextArea)
            assert app.focused is area
            # The plugin depends on textual[syntax]: the editor highlights SQL.
            assert area.language == "sql"
            await pilot.press(*"SELECT nev")
            await pilot.pause()
            assert app.answers[-1] == ("SELECT nev", True)  # typed: the screen waits to save
            area.insert(" FROM osztalyok ORDER BY nev")
            await pilot.pause()
            assert widget.response == "SELECT nev FROM osztalyok ORDER BY nev"
            shown = await run_code(pilot, widget)
            assert "10.A" in shown and "(3 sor)" in shown
            # What a database says, never a traceback.
            area.clear()
            area.insert("DROP TABLE diakok")
            await pilot.pause()
            shown = await run_code(pilot, widget)
            assert shown.startswith("Parse error: not authorized")
            area.clear()
            area.insert("SELEC 1")
            shown = await run_code(pilot, widget)
            assert shown == 'Parse error: near "SELEC": syntax error'

    run(scenario())


def test_sql_widget_without_trying() -> None:
    item = bank_items()["sql-002"]
    item = type(item)(**{**item.__dict__, "spec": {**item.spec, "allow_run": False}})

    async def scenario() -> None:
        widget = SqlQueryWidget(item, {}, "SELECT 1")
        async with Host(widget).run_test() as pilot:
            await pilot.pause()
            assert widget.query_one(TextArea).text == "SELECT 1"
            assert not widget.query("#run-code")

    run(scenario())


def test_python_widget_starts_from_the_starter_and_runs_only_examples() -> None:
    item = bank_items()["py-001"]

    async def scenario() -> None:
        widget = PythonFunctionWidget(item, {}, None)
        app = Host(widget)
        async with app.run_test(size=(100, 40)) as pilot:
            await pilot.pause()
            area = widget.query_one(TextArea)
            assert area.text == item.spec["starter"]
            area.clear()
            area.insert("def paros_osszeg(szamok):\n    return 6\n")
            await pilot.pause()
            assert app.answers[-1][0] == "def paros_osszeg(szamok):\n    return 6\n"
            shown = await run_code(pilot, widget)
            # One example, which a constant passes; the hidden tests are not shown.
            assert shown.splitlines() == ["✓ paros_osszeg([1, 2, 3, 4]) == 6: rendben"]
            area.clear()
            area.insert("def paros_osszeg(szamok):\n    while True:\n        pass\n")
            shown = await run_code(pilot, widget)
            assert "TimeoutError" in shown

    run(scenario())


EXAM = """
[exam]
id = "informatika-pilot"
title = "Informatika pilot"
language = "hu"
banks = ["informatika_sql_python.toml"]
grade_scale = "hu-szkr"
scoring = "proportional"
shuffle_questions = false
shuffle_options = false
show_score = true
self_start = true

[[parts]]
id = "1"
title = "Feladatok"
minutes = 30
[[parts.draw]]
fixed = ["sql-004", "py-001"]
"""


def test_candidate_kiosk_saves_and_scores_informatics_answers(tmp_path: Path) -> None:
    from kiosk.apps.candidate.app import CandidateApp
    from kiosk.domain.timing import ManualClock
    from kiosk.ledger.centre import Centre

    (tmp_path / "content").mkdir()
    shutil.copy(BANK, tmp_path / "content" / BANK.name)
    setup = make_centre(tmp_path, EXAM)

    async def scenario() -> None:
        app = CandidateApp(setup.centre, seat="S1", language="hu", clock=ManualClock(),
                           timers=False)
        async with app.run_test(size=(110, 40)) as pilot:
            await pilot.pause()
            await enter_exam(pilot, "C1", setup.code)
            screen = app.screen
            assert isinstance(screen.question, SqlQueryWidget)
            screen.question.query_one(TextArea).insert(
                "SELECT nev FROM diakok WHERE id NOT IN (SELECT diak_id FROM jegyek)")
            await pilot.pause()
            await pilot.press("f6")  # leaving the question saves what is pending
            await settle(pilot)
            assert isinstance(screen.question, PythonFunctionWidget)
            area = screen.question.query_one(TextArea)
            area.clear()
            area.insert("def paros_osszeg(szamok):\n    return sum(x for x in szamok if x % 2 == 0)\n")
            await pilot.pause()
            await pilot.press("f9")
            await settle(pilot)
            app.screen.query_one("#submit").focus()
            await pilot.press("enter")
            await settle(pilot)
            await pilot.press("tab", "enter")
            await settle(pilot, 6)
            assert app.screen.kiosk_name == "submitted"
            # Both answers right: the query by its result set, the function by hidden tests.
            shown = " ".join(str(w.render()) for w in app.screen.query(Static))
            assert "Eredmény: 10 / 10 pont" in shown

        with Centre.open(setup.centre).reader() as reader:
            saved = {e.body["item"]: e.body["response"] for e in reader.events(kind="answer_saved")}
            kinds = [e.kind for e in reader.events()]
        assert saved["informatika-sql-python:sql-004"].startswith("SELECT nev FROM diakok")
        assert "return sum(x for x" in saved["informatika-sql-python:py-001"]
        assert "attempt_submitted" in kinds

    run(scenario())
