"""The code editors as a candidate uses them (issue 15): they keep their size whatever the output,
the output sits right under Run, F4 runs from inside the editor, the keys are on screen, and
Python lines are auto-indented. Pilots at 80x24 and 120x36, in the real candidate kiosk."""

from __future__ import annotations

import asyncio
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from informatics_support import BANK, REPO, Host, bank_items
from kiosk_informatics.widgets import PythonFunctionWidget, SqlQueryWidget
from textual.widgets import Button, Static, TextArea

if str(REPO) not in sys.path:  # the kiosk's own candidate-app helpers live in tests/
    sys.path.insert(0, str(REPO))

from tests.support.candidate_helpers import enter_exam, make_centre, settle  # noqa: E402

SIZES = [(80, 24), (120, 36)]

EXAM = """
[exam]
id = "informatika-ux"
title = "Informatika"
language = "en"
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
fixed = ["sql-002", "py-001"]
"""

#: 22 rows whatever the demo tables hold: a recursive count.
TWENTY_TWO_ROWS = ("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 22) "
                   "SELECT x FROM n")


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def wait_run(pilot: Any) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_sql_editor_keeps_its_size_and_f4_runs_from_inside_it(tmp_path: Path,
                                                             size: tuple[int, int]) -> None:
    from kiosk.apps.candidate.app import CandidateApp
    from kiosk.domain.timing import ManualClock
    from kiosk.i18n import set_language

    (tmp_path / "content").mkdir()
    shutil.copy(BANK, tmp_path / "content" / BANK.name)
    setup = make_centre(tmp_path, EXAM)

    async def scenario() -> None:
        app = CandidateApp(setup.centre, seat="S1", language="en", clock=ManualClock(),
                           timers=False)
        async with app.run_test(size=size) as pilot:
            await enter_exam(pilot, "C1", setup.code)
            widget = app.screen.question
            assert isinstance(widget, SqlQueryWidget)
            area = widget.query_one(TextArea)
            assert area.size.height >= 8, "the editor must be usable at 80x24"
            height = area.size.height
            keys = " ".join(str(s.render()) for s in widget.query(".code-keys"))
            assert "F4" in keys and "Esc" in keys
            area.focus()
            area.insert(TWENTY_TWO_ROWS)
            await pilot.press("f4")  # the editor has the focus: F4 still runs
            await wait_run(pilot)
            output = widget.query_one("#run-output", Static)
            shown = str(output.render())
            assert "(22 rows" in shown and "sor" not in shown
            # The editor did not collapse under the long output.
            assert area.size.height == height
            # The output starts on the line right under the Run button.
            run_button = widget.query_one("#run-code", Button)
            assert output.region.y == run_button.region.y + run_button.region.height
            # A small result also sits right under Run (it used to be ~12 blank rows below).
            area.clear()
            area.insert("SELECT 1 AS x")
            await pilot.press("f4")
            await wait_run(pilot)
            assert "(1 row)" in str(output.render())
            assert output.region.y == run_button.region.y + run_button.region.height
        set_language("hu")

    run(scenario())


def test_python_editor_auto_indents() -> None:
    item = bank_items()["py-001"]

    async def scenario() -> None:
        widget = PythonFunctionWidget(item, {}, "")
        app = Host(widget)
        async with app.run_test(size=(100, 40)) as pilot:
            await pilot.pause()
            area = widget.query_one(TextArea)
            area.focus()
            area.clear()
            await pilot.press(*"def f(x):", "enter")
            await pilot.press(*"if x:", "enter")
            await pilot.press(*"return 1", "enter")
            await pilot.pause()
            assert area.text == "def f(x):\n    if x:\n        return 1\n        "
            # Tab indents inside the editor; Escape leaves it so that Tab moves on.
            await pilot.press("escape")
            await pilot.pause()
            assert app.focused is not area

    run(scenario())
