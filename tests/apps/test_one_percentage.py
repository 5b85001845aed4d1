"""One result, one percentage (issue 20): the kiosk's score screen, `kiosk results` and the
result sheet all show 2/3 on a truncating scale (hu-szkr) as 66 % — the value the grade was
read from — where the kiosk used to round it to 67 % and the results to print 66.67 %."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.widgets import Static

from kiosk.apps.candidate.app import CandidateApp
from kiosk.commands.documents import write_result_sheet
from kiosk.domain.numbers import percent_text
from kiosk.domain.timing import ManualClock
from kiosk.results import compute_results
from tests.support.candidate_helpers import login, settle
from tests.support.export_helpers import centre_with_results
from tests.unit.test_result_sheet import text


def test_kiosk_results_and_sheet_show_the_same_percentage(tmp_path: Path) -> None:
    sat = centre_with_results(tmp_path / "c")
    [c2] = [r for r in compute_results(sat.centre) if r.candidate == "C2"]
    assert c2.percent is not None and 66.6 < c2.percent < 66.7
    assert percent_text(c2.percent, c2.rounding) == "66 %"
    write_result_sheet(sat.centre, "C2", tmp_path / "c2.pdf", language="hu")
    sheet = text(tmp_path / "c2.pdf")
    assert "66 %" in sheet and "67 %" not in sheet and "66,6" not in sheet

    async def scenario() -> None:
        app = CandidateApp(sat.centre.path, seat="S9", language="hu", clock=ManualClock(),
                           timers=False)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            await login(pilot, "C2", sat.code)
            await pilot.press("enter")
            await settle(pilot)
            assert app.screen.kiosk_name == "submitted", app.screen
            score = str(app.screen.query_one("#score", Static).render())
            assert "(66%)" in score and "67" not in score, score

    asyncio.run(scenario())
