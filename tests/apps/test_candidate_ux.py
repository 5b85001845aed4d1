"""The candidate kiosk as a person uses it (issue 15): each test fails on the code before the fix.

Pilots at 80x24 (the smallest supported terminal) and 120x36, against a real centre and ledger.
"""

from __future__ import annotations

import asyncio
import html
import re
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, OptionList, Select, Static

from kiosk.apps.candidate.app import CandidateApp
from kiosk.apps.candidate.screens.exam import ExamScreen
from kiosk.apps.widgets.navigator import PARTLY, QuestionNavigator
from kiosk.builtins.qtypes.widgets import ClozeWidget, MatchingWidget, ShortTextWidget
from kiosk.demo import prepare_demo
from kiosk.domain.timing import ManualClock
from kiosk.i18n import t
from kiosk.ledger.centre import Centre
from tests.support.candidate_helpers import (
    EVERY_TYPE,
    Setup,
    append,
    enter_exam,
    exam_text,
    login,
    make_centre,
    settle,
    type_text,
)

pytestmark = pytest.mark.world("candidate")

SIZES = [(80, 24), (120, 36)]
size_ids = pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")


def make_app(setup: Setup, clock: ManualClock | None = None, **kwargs: Any) -> CandidateApp:
    return CandidateApp(setup.centre, seat="S1", language=kwargs.pop("language", "en"),
                        clock=clock or ManualClock(), timers=False, **kwargs)


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def screen_lines(app: CandidateApp) -> list[str]:
    """The screen as rows of text (from the SVG export), for checks of what is cut."""
    svg = app.export_screenshot()
    rows: dict[float, list[tuple[float, str]]] = {}
    for x, y, body in re.findall(r'<text[^>]*?x="([0-9.]+)" y="([0-9.]+)"[^>]*>(.*?)</text>',
                                 svg):
        rows.setdefault(float(y), []).append((float(x), html.unescape(body)))
    return ["".join(text for _, text in sorted(row)).replace("\xa0", " ")
            for _, row in sorted(rows.items())]


def text_of(app: CandidateApp) -> str:
    text = re.sub("[\u2500-\u259f]", " ", " ".join(screen_lines(app)))
    return " ".join(text.split())


def notices(app: CandidateApp) -> list[str]:
    """The toasts the app raised (a toast is drawn for a few seconds on top of the screen)."""
    return [str(n.message) for n in app._notifications]


async def goto(pilot: Any, index: int) -> None:
    screen = pilot.app.screen
    await screen.show_question(index)
    await settle(pilot)


# --- the exam screen opening while the app polls (the NoMatches crash) ------------------------


def test_exam_screen_updated_before_its_children_exist_does_not_crash(setup: Setup) -> None:
    """A relogin switches to the exam screen and the next poll updates it before it has
    composed: that raised NoMatches (QuestionNavigator) and printed the answers in a
    traceback."""

    async def scenario() -> None:
        app = make_app(setup)
        async with app.run_test(size=(80, 24)) as pilot:
            await enter_exam(pilot, "C1", setup.code)
            app.switch_screen(ExamScreen())  # not awaited: the poll comes first
            screen = app.screen
            assert isinstance(screen, ExamScreen)
            screen.update_view(app.view)
            screen.show_save_state("saved")
            screen.answer_saved("x", None)
            await settle(pilot)
            assert app.screen.query_one(QuestionNavigator)
            assert app.screen.question is not None

    run(scenario())


# --- text fields: focus must not select (and so replace) the answer ----------------------------


@size_ids
def test_typing_in_a_revisited_text_answer_adds_to_it(setup: Setup, size: tuple[int, int]
                                                      ) -> None:
    async def scenario() -> None:
        app = make_app(setup)
        async with app.run_test(size=size) as pilot:
            await enter_exam(pilot, "C1", setup.code)
            await goto(pilot, 3)
            assert isinstance(app.screen.question, ShortTextWidget)
            await type_text(pilot, "Balaton")
            await pilot.press("enter")
            await pilot.press("f5")
            await settle(pilot)
            await pilot.press("f6")
            await settle(pilot)
            field = app.screen.question.query_one(Input)
            assert app.focused is field
            assert field.selection.is_empty
            await pilot.press("X")
            await settle(pilot)
            assert field.value == "BalatonX"

    run(scenario())


# --- partly answered items ---------------------------------------------------------------------


async def choose_in_select(pilot: Any, select: Select[Any], value: str) -> None:
    select.focus()
    await pilot.press("enter")
    await pilot.pause()
    overlay = select.query_one("SelectOverlay")
    for _ in range(20):
        option = overlay.get_option_at_index(overlay.highlighted or 0)
        if overlay.highlighted is not None and getattr(option, "id", None) is None and \
                select._options[overlay.highlighted][1] == value:  # type: ignore[attr-defined]
            break
        await pilot.press("down")
    await pilot.press("enter")
    await pilot.pause()


@size_ids
def test_a_partly_answered_matching_or_cloze_is_not_answered(setup: Setup,
                                                             size: tuple[int, int]) -> None:
    async def scenario() -> None:
        app = make_app(setup)
        async with app.run_test(size=size) as pilot:
            await enter_exam(pilot, "C1", setup.code)
            await goto(pilot, 5)
            widget = app.screen.question
            assert isinstance(widget, MatchingWidget)
            first = widget.query(Select).first()
            first.value = "Budapest"  # 1 of 4 pairs
            await settle(pilot)
            await goto(pilot, 7)
            assert isinstance(app.screen.question, ClozeWidget)
            await type_text(pilot, "2")  # 1 of 2 gaps
            await settle(pilot)
            states = app.screen.query_one(QuestionNavigator).states
            assert [s.name for s in states[5:8]] == ["partly", "unanswered", "partly"]
            assert PARTLY in text_of(app) and t("nav.partly") in text_of(app)

            await pilot.press("f9")
            await settle(pilot)
            shown = text_of(app)
            # Not "You answered 2 of 9": partly answered items are counted apart.
            assert t("review.summary_partly", answered=0, total=9, partly=2) in shown
            assert t("review.left", unanswered=7, partly=2, flagged=0) in shown
            app.screen.query_one("#submit").focus()
            await pilot.press("enter")
            await settle(pilot)
            dialog = " ".join(str(s.render()) for s in app.screen.query(Static))
            assert t("review.left", unanswered=7, partly=2, flagged=0) in dialog

    run(scenario())


@size_ids
def test_review_lists_every_question_with_its_answer_and_state(setup: Setup,
                                                               size: tuple[int, int]) -> None:
    async def scenario() -> None:
        app = make_app(setup)
        async with app.run_test(size=size) as pilot:
            await enter_exam(pilot, "C1", setup.code)
            await pilot.press("space")  # 1: Canberra
            await goto(pilot, 3)
            await type_text(pilot, "Balaton")
            await pilot.press("enter")
            await pilot.press("f7")  # flag question 4
            await settle(pilot)
            await pilot.press("f9")
            await settle(pilot)
            listing = app.screen.query_one("#review-answers", OptionList)
            lines = [str(listing.get_option_at_index(i).prompt) for i in range(9)]
            assert "Canberra" in lines[0] and t("review.state_answered") in lines[0]
            assert "Balaton" in lines[3] and "⚑" in lines[3]
            assert t("review.state_unanswered") in lines[1]
            # Enter on a line goes to that question.
            listing.focus()
            listing.highlighted = 3
            await pilot.press("enter")
            await settle(pilot)
            assert app.screen.kiosk_name == "exam" and app.screen.index == 3

    run(scenario())


# --- one language per screen ---------------------------------------------------------------------


def test_english_number_hint_and_a_single_minute(setup: Setup) -> None:
    async def scenario() -> None:
        app = make_app(setup)
        async with app.run_test(size=(80, 24)) as pilot:
            await enter_exam(pilot, "C1", setup.code)
            await goto(pilot, 4)
            shown = text_of(app)
            assert "3,14" not in shown and "3.14" in shown
            app.set_view(app.view)
            app._warnings_due.append((0, 1))
            app._check_warnings()
            await settle(pilot)
            assert "1 minute left." in notices(app)
            assert "1 minutes" not in " ".join(notices(app))

    run(scenario())


def test_the_too_small_notice_names_the_real_size(setup: Setup) -> None:
    async def scenario() -> None:
        app = make_app(setup)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.resize_terminal(70, 20)
            await settle(pilot)
            shown = text_of(app)
            assert "(now 70×20)" in shown

    run(scenario())


def test_instructions_show_the_candidates_own_time_and_the_login_says_how_to_leave(
        tmp_path: Path) -> None:
    demo = prepare_demo(tmp_path / "demo")  # DEMO4 has 5 extra minutes

    async def scenario() -> None:
        app = CandidateApp(demo.centre.path, seat="S1", language="en", clock=ManualClock(),
                           timers=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert "Ctrl+E" in text_of(app)
            await login(pilot, "DEMO4", demo.code)
            await pilot.press("enter")
            await settle(pilot)
            assert app.screen.kiosk_name == "instructions"
            shown = text_of(app)
            assert "15 minutes (10 + 5 extra for you)" in shown

    run(scenario())


def test_a_closed_sitting_says_so_at_login(setup: Setup) -> None:
    with Centre.open(setup.centre).reader() as reader:
        sitting = next(e.body["sitting"] for e in reader.events(kind="sitting_created"))
    append(setup.centre, "sitting_closed", {"sitting": sitting})

    async def scenario() -> None:
        app = make_app(setup)
        async with app.run_test(size=(80, 24)) as pilot:
            await login(pilot, "C1", setup.code)
            assert t("login.closed") in text_of(app)
            # A wrong code still gets the generic answer: the code proves membership.
            await login(pilot, "C1", "WRONG-CODE")
            assert t("login.failed") in text_of(app)

    run(scenario())


# --- time: extension notice, urgent clock, away lock screen -----------------------------------


def test_an_extension_is_announced_and_the_clock_turns_red_at_the_end(setup: Setup) -> None:
    clock = ManualClock()

    async def scenario() -> None:
        app = make_app(setup, clock)
        async with app.run_test(size=(80, 24)) as pilot:
            await enter_exam(pilot, "C1", setup.code)
            timer = app.screen.query_one("#exam-time")
            assert not timer.has_class("-low") and not timer.has_class("-last")
            clock.advance(9 * 60 + 10)  # 50 s left of 10 minutes
            app.poll()
            app.poll()
            await settle(pilot)
            assert app.screen.query_one("#exam-time").has_class("-last")
            attempt = app.session.attempt_id
            append(setup.centre, "time_extended",
                   {"minutes": 5, "reason": "power cut", "cause": "lost_time"}, attempt)
            app.poll()
            app.poll()
            await settle(pilot)
            assert any("Your time was extended" in n for n in notices(app))
            assert not app.screen.query_one("#exam-time").has_class("-last")

    run(scenario())


def test_left_the_room_locks_the_screen_until_the_return(setup: Setup) -> None:
    async def scenario() -> None:
        app = make_app(setup)
        async with app.run_test(size=(80, 24)) as pilot:
            await enter_exam(pilot, "C1", setup.code)
            attempt = app.session.attempt_id
            append(setup.centre, "left_room", {"reason": "toilet"}, attempt)
            app.poll()
            await settle(pilot)
            assert app.screen.kiosk_name == "away"
            assert "Canberra" not in text_of(app)
            append(setup.centre, "returned", {}, attempt)
            app.poll()
            await settle(pilot)
            assert app.screen.kiosk_name == "exam"

    run(scenario())


# --- nothing cut at 80x24 ----------------------------------------------------------------------


@pytest.mark.parametrize("language", ["hu", "en"])
def test_nothing_cut_at_80x24(tmp_path: Path, language: str) -> None:
    setup = make_centre(tmp_path, exam_text(
        [("1", "Knowledge", 10, EVERY_TYPE[:4]), ("2", "Calculations", 10, EVERY_TYPE[4:])],
        title="Geography and science"))

    async def scenario() -> None:
        app = make_app(setup, language=language)
        async with app.run_test(size=(80, 24)) as pilot:
            await enter_exam(pilot, "C1", setup.code)
            lines = screen_lines(app)
            assert "Geography and science" in lines[0]
            assert t("exam.remaining", time="10:00") in lines[0]
            second = next(line for line in lines if "Kovács Anna (C1)" in line)
            assert t("exam.part_line", number=1, total=2, part="Knowledge") in second
            assert any(t("exam.keys") in line for line in lines[-2:])
            shown = text_of(app)
            for key in ("nav.current", "nav.answered", "nav.partly", "nav.unanswered",
                        "nav.flagged"):
                assert t(key) in shown

    run(scenario())


def test_an_invigilator_message_reaches_the_screen(setup: Setup) -> None:
    """A room-wide message and one to this candidate are shown once each; one to another
    candidate is not."""
    with Centre.open(setup.centre).reader() as reader:
        sitting = next(e.body["sitting"] for e in reader.events(kind="sitting_created"))

    async def scenario() -> None:
        app = make_app(setup)
        async with app.run_test(size=(80, 24)) as pilot:
            await enter_exam(pilot, "C1", setup.code)
            append(setup.centre, "invigilator_message",
                   {"sitting": sitting, "text": "Ten minutes left for everyone."})
            append(setup.centre, "invigilator_message",
                   {"sitting": sitting, "text": "Please raise your hand.", "candidate": "C1"},
                   app.session.attempt_id)
            append(setup.centre, "invigilator_message",
                   {"sitting": sitting, "text": "Not for C1.", "candidate": "C2"}, "A-other")
            app.poll()
            app.poll()
            await settle(pilot)
            shown = notices(app)
            assert shown.count("Ten minutes left for everyone.") == 1
            assert shown.count("Please raise your hand.") == 1
            assert "Not for C1." not in shown
            app.poll()
            await settle(pilot)
            assert notices(app).count("Please raise your hand.") == 1

    run(scenario())


def test_the_demo_says_how_to_leave_and_opens_in_the_exams_language(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from kiosk.apps.candidate import demo

    started: dict[str, Any] = {}
    monkeypatch.setattr(demo, "_candidate_app",
                        lambda: lambda centre, **kwargs: started.update(kwargs))
    result = CliRunner().invoke(demo.demo_command, ["--centre", str(tmp_path / "demo")])
    assert result.exit_code == 0, result.output
    assert "Ctrl+E" in result.output and "exit PIN" in result.output
    # The demo exam is English: its login screen is too (the centre's default is Hungarian).
    assert started["language"] == "en"


def test_no_notice_screen_eats_the_next_parts_time(tmp_path: Path) -> None:
    """When part 1's time runs out the candidate lands on part 2's questions (its clock is
    running) with a toast, not on a "Part 1 is closed" screen while part 2's time runs."""
    setup = make_centre(tmp_path, exam_text(
        [("p1", "First", 10, EVERY_TYPE[:2]), ("p2", "Second", 20, EVERY_TYPE[2:4])]))
    clock = ManualClock()

    async def scenario() -> None:
        app = make_app(setup, clock)
        async with app.run_test(size=(80, 24)) as pilot:
            await enter_exam(pilot, "C1", setup.code)
            clock.advance(10 * 60 + 1)
            app.poll()
            app.poll()
            await settle(pilot)
            assert app.screen.kiosk_name == "exam"
            assert t("exam.part_line", number=2, total=2, part="Second") in text_of(app)
            assert any("Part 1 is closed" in n and "Part 2 – Second (20 minutes)" in n
                       for n in notices(app))

    run(scenario())
