"""Centres, exams and pilot steps for the candidate app tests (tests/test_candidate_*.py).

The exams draw fixed items from the English practice bank (question_banks/practice_en.toml),
unshuffled, so that every run sees the same questions in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.exit_pin import set_pin
from kiosk.ledger.centre import Centre
from tests.support import world

ROOT = Path(__file__).resolve().parents[2]
PRACTICE_BANK = ROOT / "question_banks" / "practice_en.toml"
PIN = "424242"

#: One item of every built-in type, in this order.
EVERY_TYPE = [
    "geo-001",  # single_choice
    "geo-002",  # multiple_response
    "geo-003",  # true_false
    "geo-006",  # short_text
    "sci-001",  # numeric
    "geo-004",  # matching
    "geo-005",  # ordering
    "sci-002",  # cloze
    "sci-004",  # essay
]

EXAM_HEAD = """
[exam]
id = "{id}"
title = "{title}"
language = "en"
banks = ["practice_en.toml"]
grade_scale = "hu-szkr"
scoring = "proportional"
shuffle_questions = false
shuffle_options = false
show_score = {show_score}
self_start = {self_start}
warnings = [2, 1]
"""

PART = """
[[parts]]
id = "{id}"
title = "{title}"
minutes = {minutes}
[[parts.draw]]
fixed = [{items}]
"""

ROSTER = "id;name;extra_minutes\nC1;Kovács Anna;\nC2;Nagy Gergő;\nC3;Szűcs Réka;\n"


@dataclass
class Setup:
    centre: Path
    code: str
    exam: str


def exam_text(
    parts: list[tuple[str, str, float, list[str]]],
    *,
    exam_id: str = "every-type",
    title: str = "Every question type",
    self_start: bool = True,
    show_score: bool = True,
) -> str:
    text = EXAM_HEAD.format(
        id=exam_id,
        title=title,
        show_score="true" if show_score else "false",
        self_start="true" if self_start else "false",
    )
    for part_id, part_title, minutes, items in parts:
        text += PART.format(
            id=part_id,
            title=part_title,
            minutes=minutes,
            items=", ".join(f'"{i}"' for i in items),
        )
    return text


def make_centre(tmp: Path, text: str | None = None, *, self_start: bool = True) -> Setup:
    """The candidate world: a centre in `tmp` with the exam loaded, three candidates and an
    open sitting, and the exit PIN set."""
    centre, _ = world.new_centre(tmp)
    exam_id = world.load_exam(
        centre, tmp, text or exam_text([("1", "Questions", 10, EVERY_TYPE)], self_start=self_start),
        {PRACTICE_BANK.name: PRACTICE_BANK})
    world.import_roster(centre, ROSTER)
    _, code = world.new_sitting(centre, exam_id, self_start=self_start)
    set_pin(centre, PIN)
    return Setup(centre.path, code, exam_id)


def append(centre: Path, kind: str, body: dict[str, Any], attempt: str | None = None) -> None:
    """Write an event as another process would: its own Ledger on the same file."""
    with Centre.open(centre).ledger() as ledger:
        ledger.append(kind, body, actor="invigilator:I1", attempt=attempt)


async def type_text(pilot: Any, text: str) -> None:
    for ch in text:
        await pilot.press(ch if ch != " " else "space")


async def login(pilot: Any, candidate: str, code: str) -> None:
    app = pilot.app
    app.screen.query_one("#candidate").value = candidate
    app.screen.query_one("#code").value = code
    app.screen.query_one("#code").focus()
    await pilot.press("enter")
    await pilot.pause()


async def enter_exam(pilot: Any, candidate: str, code: str) -> None:
    """Login → identity (Enter) → instructions (Enter) → waiting room (self-start) → exam."""
    await login(pilot, candidate, code)
    assert pilot.app.screen.kiosk_name == "identity", pilot.app.screen
    await pilot.press("enter")
    await pilot.pause()
    assert pilot.app.screen.kiosk_name == "instructions", pilot.app.screen
    await pilot.press("enter")
    await pilot.pause()
    if pilot.app.screen.kiosk_name == "waiting":
        await pilot.press("enter")  # the self-start button has the focus
        await pilot.pause()
    await settle(pilot)
    assert pilot.app.screen.kiosk_name == "exam", pilot.app.screen


async def settle(pilot: Any, rounds: int = 3) -> None:
    for _ in range(rounds):
        await pilot.pause()
