"""Snapshots of the candidate kiosk's main screens at 80×24 and 160×48.

Deterministic by construction: a frozen clock (the time shown never moves), no polling timers,
an unshuffled exam, and the one random thing on screen — the receipt code, derived from the
ledger's chain head — replaced by a same-shaped placeholder. Regenerate with
`python -m pytest tests/apps/test_candidate_snapshots.py --snapshot-update` and look at the SVGs in
tests/__snapshots__/.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static

from kiosk.apps.candidate.app import CandidateApp
from kiosk.domain.timing import ManualClock
from tests.support.candidate_helpers import enter_exam, make_centre, settle

SIZES = [(80, 24), (160, 48)]


def make_app(tmp_path: Path, language: str) -> tuple[CandidateApp, str]:
    setup = make_centre(tmp_path)
    app = CandidateApp(
        setup.centre, seat="B204-07", language=language, clock=ManualClock(), timers=False
    )
    return app, setup.code


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_login_screen(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    app, _ = make_app(tmp_path, "hu")
    assert snap_compare(app, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_exam_screen(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    app, code = make_app(tmp_path, "en")

    async def run_before(pilot: Any) -> None:
        await enter_exam(pilot, "C1", code)
        await pilot.press("down", "space")  # answer question 1 with option B
        await pilot.press("f7")  # and flag it
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_submitted_screen(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    app, code = make_app(tmp_path, "en")

    async def run_before(pilot: Any) -> None:
        await enter_exam(pilot, "C1", code)
        await pilot.press("space")  # question 1 right: 2 of 18 points
        await settle(pilot)
        assert app.submit_current()
        await settle(pilot)
        receipt = app.screen.query_one("#receipt", Static)
        real = app.session.receipt
        assert real and real in str(receipt.render())
        receipt.update(re.sub(r"[0-9A-Za-z]", "X", real))
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_review_screen(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    """The answer summary: every question's state (answered, partly, unanswered, flagged) and
    the answer given, the counts above it, the buttons below, nothing cut."""
    app, code = make_app(tmp_path, "en")

    async def run_before(pilot: Any) -> None:
        await enter_exam(pilot, "C1", code)
        await pilot.press("space", "f7")  # 1 answered and flagged
        await settle(pilot)
        await app.screen.show_question(5)
        app.screen.question.query("Select").first().value = "Budapest"  # 6: 1 of 4 pairs
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
