"""Snapshots of the invigilator console's room view at 120×30 and 160×40.

Deterministic: the events get fixed times (kiosk.ledger.store.utc_now is frozen), the sitting
and attempt ids are fixed, and the console's clock is a constant, so every remaining time and
"last activity" is the same on every run. Regenerate with
`python -m pytest tests/apps/test_invigilator_snapshots.py --snapshot-update` and look at the SVGs.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from kiosk.i18n import set_language
from kiosk.ledger.store import NewEvent
from tests.support.invigilation_helpers import (
    PASSWORD,
    SITTING,
    USER,
    FrozenTime,
    answer,
    arrive,
    attempt_id,
    bulk_centre,
    console_app,
    invigilate,
    settle,
)

SIZES = [(120, 30), (160, 40)]
NAMES = [("S01", "Kovács Anna"), ("S02", "Nagy Gergő"), ("S03", "Szűcs Réka"),
         ("S04", "Tóth Bence"), ("S05", "Horváth Lili"), ("S06", "Varga Máté"),
         ("S07", "Kiss Zsófia"), ("S08", "Molnár Ádám"), ("S09", "Farkas Emma"),
         ("S10", "Balogh Dávid"), ("S11", "Papp Noémi")]


@pytest.fixture(autouse=True)
def _language() -> Iterator[None]:
    yield
    set_language("hu")


def scenario(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, float]:
    """One candidate in every status, at 08:20 into a 10-minute exam started at 08:12."""
    clock = FrozenTime(datetime(2025, 6, 2, 8, 0, tzinfo=UTC))
    monkeypatch.setattr("kiosk.ledger.store.utc_now", clock)
    centre = bulk_centre(tmp, NAMES, seats={c: f"B204-{i + 1:02d}"
                                            for i, (c, _) in enumerate(NAMES)})
    with centre.ledger() as ledger:
        def add(hh: int, mm: int, ss: int, new: list[NewEvent]) -> None:
            clock.at(hh, mm, ss)
            ledger.append_many(new)

        add(8, 10, 0, arrive("S02", "B204-02", admitted=False, started=False))
        add(8, 10, 5, arrive("S03", "B204-03", started=False))
        for i, cid in enumerate(("S04", "S05", "S06", "S07", "S08", "S09", "S10", "S11")):
            add(8, 11, i, arrive(cid, f"B204-{int(cid[1:]):02d}"))
        add(8, 19, 50, [answer("S04", "t:a1", 470_000), answer("S04", "t:a2", 475_000)])
        add(8, 13, 0, [answer("S05", "t:a1", 60_000)])  # silent since: stale
        add(8, 15, 0, [invigilate("S06", "paused", {"reason": "rosszullét"})])
        add(8, 16, 0, [invigilate("S07", "left_room", {"reason": "mosdó"})])
        add(8, 17, 0, [invigilate("S08", "suspended", {"reason": "irregularity"})])
        add(8, 18, 0, [answer("S09", "t:a1", 400_000), answer("S09", "t:a2", 401_000),
                       NewEvent("attempt_submitted", {"reason": "candidate"}, "candidate:S09",
                                attempt_id("S09"))])
        add(8, 19, 0, [invigilate("S10", "attempt_voided", {"reason": "telefon"})])
        add(8, 19, 30, [NewEvent("time_tick", {"part": "1", "consumed_ms": 600_000},
                                 "candidate:S11", attempt_id("S11")),
                        NewEvent("attempt_submitted", {"reason": "timeout"}, "system",
                                 attempt_id("S11"))])
    return centre.path, clock.epoch(8, 20, 0)


def make_app(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    path, now = scenario(tmp, monkeypatch)
    return console_app(path, language="en", sitting=SITTING, now=lambda: now, timers=False)


async def log_in(pilot: Any) -> None:
    app = pilot.app
    app.screen.query_one("#user").value = USER
    app.screen.query_one("#password").value = PASSWORD
    app.screen.query_one("#password").focus()
    await pilot.press("enter")
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_room_view(snap_compare: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                   size: tuple[int, int]) -> None:
    assert snap_compare(make_app(tmp_path, monkeypatch), terminal_size=size, run_before=log_in)


def test_room_view_sorted_by_time_left_and_filtered(snap_compare: Any, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    async def run_before(pilot: Any) -> None:
        await log_in(pilot)
        screen = pilot.app.screen
        screen.set_sort("remaining")
        screen.query_one("#status").value = "attention"
        await settle(pilot)

    assert snap_compare(make_app(tmp_path, monkeypatch), terminal_size=(120, 30),
                        run_before=run_before)


def test_irregularity_dialog(snap_compare: Any, tmp_path: Path,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    async def run_before(pilot: Any) -> None:
        await log_in(pilot)
        pilot.app.screen.select_candidate("S08")  # already suspended: the form opens at once
        await pilot.press("i")
        await settle(pilot)

    assert snap_compare(make_app(tmp_path, monkeypatch), terminal_size=(120, 36),
                        run_before=run_before)
