"""What a next-question keypress does on screen (issue 15: responsiveness), counted rather than
timed: the focus goes straight to the new question's input, the screen is not repainted whole,
and the navigator moves its ▶ without rewriting (and re-measuring) its rows. The time itself is
benchmarks/next_question.py's (BENCHMARKS.md)."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path
from typing import Any

import pytest
from textual._compositor import Compositor

from kiosk.apps.candidate.app import CandidateApp
from kiosk.apps.widgets.navigator import CURRENT, QuestionNavigator
from kiosk.domain.timing import ManualClock
from kiosk.i18n import set_language
from tests.support.candidate_helpers import Setup, enter_exam, exam_text, make_centre, settle

SIZES = [(80, 24), (120, 36)]


@pytest.fixture(autouse=True)
def _english() -> Any:
    set_language("en")
    yield
    set_language("hu")


@pytest.fixture
def setup(tmp_path: Path) -> Setup:
    return make_centre(tmp_path)


def app_for(setup: Setup) -> CandidateApp:
    return CandidateApp(setup.centre, seat="S1", language="en", clock=ManualClock(),
                        timers=False)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_next_question_focuses_the_new_input_directly_and_repaints_only_what_changed(
        setup: Setup, size: tuple[int, int], monkeypatch: pytest.MonkeyPatch) -> None:
    full_updates: list[int] = []
    real_full = Compositor.render_full_update

    def counting_full(self: Compositor, *args: Any, **kwargs: Any) -> Any:
        full_updates.append(1)
        return real_full(self, *args, **kwargs)

    async def scenario() -> None:
        app = app_for(setup)
        async with app.run_test(size=size) as pilot:
            await enter_exam(pilot, "C1", setup.code)
            screen = app.screen
            focused: list[Any] = []
            screen.watch(screen, "focused", lambda widget: focused.append(widget), init=False)
            monkeypatch.setattr(Compositor, "render_full_update", counting_full)
            for step in range(1, 5):  # single choice → multiple response → … → numeric
                focused.clear()
                full_updates.clear()
                await pilot.press("f6")
                await settle(pilot)
                assert screen.index == step
                question = screen.question
                assert question is not None
                # let go, then the new question's first input: never the question area or
                # the navigator in between (each stop restyled and repainted them)
                assert focused[-1] is app.focused
                assert app.focused is not None and question in app.focused.ancestors_with_self
                assert [w for w in focused if w is not None] == [app.focused], focused
                assert full_updates == []  # no whole-screen repaint for a focus change

    asyncio.run(scenario())


def test_the_navigator_moves_its_mark_without_rewriting_rows(
        setup: Setup, monkeypatch: pytest.MonkeyPatch) -> None:
    async def scenario() -> None:
        app = app_for(setup)
        async with app.run_test(size=(120, 36)) as pilot:
            await enter_exam(pilot, "C1", setup.code)
            nav = app.screen.query_one(QuestionNavigator)
            rewritten: list[int] = []
            real = QuestionNavigator.replace_option_prompt_at_index

            def counting(self: QuestionNavigator, index: int, prompt: Any) -> Any:
                rewritten.append(index)
                return real(self, index, prompt)

            monkeypatch.setattr(QuestionNavigator, "replace_option_prompt_at_index", counting)
            await pilot.press("f6", "f6")
            await settle(pilot)
            assert rewritten == []  # nothing answered: no row's text changed
            rows = [nav.render_line(y).text for y in range(4)]
            assert [CURRENT in row for row in rows] == [False, False, True, False], rows
            assert nav.highlighted == 2
            # answering rewrites that one row (its state symbol), and the mark stays
            await pilot.press("f5", "f5")
            await settle(pilot)
            await pilot.press("space")  # single choice: the first option
            await settle(pilot)
            assert rewritten == [0]
            row = nav.render_line(0).text
            assert row.startswith(CURRENT) and "✓" in row, row

    asyncio.run(scenario())


def test_a_question_with_nothing_to_answer_leaves_the_focus_on_the_question_area(
        tmp_path: Path) -> None:
    """A description has no input: the focus goes to the question area, so that the arrows
    still scroll its text."""
    content = tmp_path / "content"
    content.mkdir()
    (content / "case.toml").write_text(
        '[bank]\nid = "case"\ntitle = "Case"\nlanguage = "en"\n\n'
        '[[items]]\nid = "intro"\ntype = "description"\ntopic = "Case"\n'
        'stem = "Read this before the next question."\n', encoding="utf-8")
    text = exam_text([("1", "Questions", 10, ["geo-001", "intro", "geo-003"])]).replace(
        'banks = ["practice_en.toml"]', 'banks = ["practice_en.toml", "case.toml"]')
    setup = make_centre(tmp_path, text)

    async def scenario() -> None:
        app = app_for(setup)
        async with app.run_test(size=(80, 24)) as pilot:
            await enter_exam(pilot, "C1", setup.code)
            screen = app.screen
            await pilot.press("f6")
            await settle(pilot)
            assert screen.current_entry().item.type == "description"
            assert app.focused is screen.query_one("#question-area")
            await pilot.press("f6")
            await settle(pilot)
            assert app.focused is not None and screen.question is not None
            assert screen.question in app.focused.ancestors_with_self

    asyncio.run(scenario())


def test_the_candidate_app_lets_short_lived_objects_die_young(setup: Setup) -> None:
    """A keypress allocates tens of thousands of short-lived objects; with the default GC
    threshold (700) about ten young collections ran per next-question keypress and survivors
    set off full collections of the UI heap (BENCHMARKS.md, Candidate responsiveness)."""
    default = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    try:
        async def scenario() -> None:
            async with app_for(setup).run_test(size=(80, 24)) as pilot:
                await pilot.pause()
                assert gc.get_threshold()[0] >= 50_000

        asyncio.run(scenario())
    finally:
        gc.set_threshold(*default)


def test_the_navigator_scrolls_by_half_a_view_not_on_every_keypress(tmp_path: Path) -> None:
    """Following F6 down a long exam, the current row stays in view and the list scrolls when
    it would leave it, to the middle: not one row per keypress (each scroll repaints every
    row)."""
    content = tmp_path / "content"
    content.mkdir()
    items = "".join(
        f'\n[[items]]\nid = "tf{n:02d}"\ntype = "true_false"\ntopic = "T"\npoints = 1\n'
        f'stem = "Statement {n}."\nanswer = true\n' for n in range(40))
    (content / "long.toml").write_text(
        '[bank]\nid = "long"\ntitle = "Long"\nlanguage = "en"\n' + items, encoding="utf-8")
    text = exam_text([("1", "Questions", 60, [f"tf{n:02d}" for n in range(40)])]).replace(
        'banks = ["practice_en.toml"]', 'banks = ["practice_en.toml", "long.toml"]')
    setup = make_centre(tmp_path, text)

    async def scenario() -> None:
        app = app_for(setup)
        async with app.run_test(size=(80, 24)) as pilot:
            await enter_exam(pilot, "C1", setup.code)
            nav = app.screen.query_one(QuestionNavigator)
            view = nav.scrollable_content_region.height
            assert 0 < view < 40
            offsets = []
            for step in range(1, 40):
                await pilot.press("f6")
                await pilot.pause()
                top = round(nav.scroll_offset.y)
                assert top <= step < top + view, (step, top, view)  # the ▶ is in view
                assert CURRENT in nav.render_line(step - top).text
                offsets.append(top)
            scrolls = sum(1 for a, b in zip(offsets, offsets[1:], strict=False) if a != b)
            past_the_edge = 40 - view
            assert 0 < scrolls <= past_the_edge // (view // 2) + 1 < past_the_edge, offsets

    asyncio.run(scenario())
