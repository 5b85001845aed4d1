"""Pilots of the candidate kiosk against a real centre and ledger in tmp_path."""

from __future__ import annotations

import asyncio
import html
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandPalette
from textual.widgets import Input, OptionList, Select, Static, TextArea

from kiosk.apps.candidate.app import CALM, HIGH_CONTRAST, CandidateApp
from kiosk.apps.candidate.screens.pin import PinDialog
from kiosk.apps.widgets.navigator import FLAGGED, QuestionNavigator
from kiosk.apps.widgets.size_notice import SizeNotice
from kiosk.builtins.qtypes.ordering_widget import OrderList
from kiosk.builtins.qtypes.widgets import (
    ClozeWidget,
    EssayWidget,
    MatchingWidget,
    MultipleResponseWidget,
    NumericWidget,
    OrderingWidget,
    ShortTextWidget,
    SingleChoiceWidget,
    TrueFalseWidget,
)
from kiosk.domain.timing import ManualClock
from kiosk.i18n import t
from kiosk.ledger.centre import Centre
from kiosk.session import CandidateSession
from tests.support.candidate_helpers import (
    PIN,
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


def make_app(setup: Setup, clock: ManualClock | None = None, **kwargs: Any) -> CandidateApp:
    kwargs.setdefault("timers", False)
    return CandidateApp(
        setup.centre, seat="S1", language=kwargs.pop("language", "en"), clock=clock or ManualClock(), **kwargs
    )


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def text_of(app: CandidateApp) -> str:
    """What the screen shows (from the SVG export), whitespace collapsed."""
    svg = app.export_screenshot()
    rows: dict[float, list[tuple[float, str]]] = {}
    for x, y, body in re.findall(r'<text[^>]*?x="([0-9.]+)" y="([0-9.]+)"[^>]*>(.*?)</text>', svg):
        rows.setdefault(float(y), []).append((float(x), html.unescape(body)))
    lines = ["".join(text for _, text in sorted(row)) for _, row in sorted(rows.items())]
    # Box drawing and block characters (borders, scroll bars) out, wrapped lines joined: a
    # sentence can be found whatever the width it was wrapped at.
    text = re.sub("[\u2500-\u259f]", " ", " ".join(lines))
    return " ".join(text.split())


def saved_answers(centre: Path) -> dict[str, Any]:
    """Answers as another process reads them back from the ledger."""
    with Centre.open(centre).reader() as reader:
        return {e.body["item"]: e.body["response"] for e in reader.events(kind="answer_saved")}


def kinds(centre: Path) -> list[str]:
    with Centre.open(centre).reader() as reader:
        return [e.kind for e in reader.events()]


async def next_question(pilot: Any) -> None:
    await pilot.press("f6")
    await settle(pilot)


# --- login -----------------------------------------------------------------------------------


def test_login_failures_are_generic_and_throttled(setup: Setup) -> None:
    async def scenario() -> None:
        clock = ManualClock()
        app = make_app(setup, clock)
        async with app.run_test() as pilot:
            await pilot.pause()
            await login(pilot, "", "")
            assert t("login.missing") in text_of(app)
            await login(pilot, "NOBODY", setup.code)
            wrong_id = str(app.screen.query_one("#login-message", Static).render())
            await login(pilot, "C1", "WRONG-CODE")
            wrong_code = str(app.screen.query_one("#login-message", Static).render())
            # No hint which one was wrong.
            assert wrong_id == wrong_code == t("login.failed")
            assert app.screen.kiosk_name == "login"
            assert app.screen.query_one("#code", Input).value == ""
            await login(pilot, "C1", "WRONG-AGAIN")
            # The fourth try waits: the screen says how long and the button is disabled.
            await login(pilot, "C1", setup.code)
            message = str(app.screen.query_one("#login-message", Static).render())
            assert "seconds" in message and any(ch.isdigit() for ch in message)
            assert app.screen.query_one("#login").disabled
            assert app.session is None
            # Once the wait is over, the right id and code get in.
            clock.advance(60)
            app.screen._count_down()  # the per-second countdown, without waiting for it
            app.screen._locked_for = 0
            app.screen.query_one("#login").disabled = False
            await login(pilot, "C1", setup.code)
            assert app.screen.kiosk_name == "identity"
        assert kinds(setup.centre).count("login_failed") == 3

    run(scenario())


def test_identity_screen_shows_who_and_not_me_goes_back(setup: Setup) -> None:
    async def scenario() -> None:
        app = make_app(setup)
        async with app.run_test() as pilot:
            await pilot.pause()
            await login(pilot, "C2", setup.code)
            shown = text_of(app)
            for fact in ("Nagy Gergő", "C2", "Every question type", "S1"):
                assert fact in shown
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen.kiosk_name == "login"
            assert app.session is None

    run(scenario())


# --- a whole exam ----------------------------------------------------------------------------


async def choose_in_select(pilot: Any, select: Select[str], text: str) -> None:
    select.focus()
    await pilot.press("enter")
    await pilot.pause()
    values = [None, *[value for _, value in select._options[1:]]]
    for _ in range(values.index(text)):
        await pilot.press("down")
    await pilot.press("enter")
    await pilot.pause()


def test_full_exam_through_every_question_type(setup: Setup) -> None:
    async def scenario() -> None:
        app = make_app(setup)
        async with app.run_test(size=(100, 32)) as pilot:
            await pilot.pause()
            await enter_exam(pilot, "C1", setup.code)
            screen = app.screen
            keys = [entry.key for entry in app.session.parts[0].items]

            # 1 single choice: the first option (Canberra) is highlighted; Space picks it.
            assert isinstance(screen.question, SingleChoiceWidget)
            await pilot.press("space")
            await settle(pilot)
            assert t("exam.saved") in text_of(app)
            await next_question(pilot)

            # 2 multiple response: tick A, B, C with Space and Tab.
            assert isinstance(screen.question, MultipleResponseWidget)
            await pilot.press("space", "tab", "space", "tab", "space")
            await next_question(pilot)

            # 3 true/false
            assert isinstance(screen.question, TrueFalseWidget)
            await pilot.press("space")
            await next_question(pilot)

            # 4 short text: Enter saves without waiting for the typing pause.
            assert isinstance(screen.question, ShortTextWidget)
            await type_text(pilot, "Balaton")
            await pilot.press("enter")
            await next_question(pilot)

            # 5 numeric, typed with a decimal comma
            assert isinstance(screen.question, NumericWidget)
            await type_text(pilot, "100,0")
            await next_question(pilot)  # leaving the question saves what is pending

            # 6 matching: a drop-down per country
            assert isinstance(screen.question, MatchingWidget)
            capitals = {"hu": "Budapest", "pl": "Warsaw", "pt": "Lisbon", "fi": "Helsinki"}
            for select in screen.question.query(Select):
                await choose_in_select(pilot, select, capitals[select.pair_id])
            await next_question(pilot)

            # 7 ordering: move each element up into place with Shift+Up
            widget = screen.question
            assert isinstance(widget, OrderingWidget)
            target = ["Russia", "Canada", "Brazil", "Australia", "India"]
            listing = widget.query_one(OrderList)
            listing.focus()
            for i, text in enumerate(target):
                at = widget.order.index(text)
                while listing.highlighted != at:
                    await pilot.press("down" if listing.highlighted < at else "up")
                for _ in range(at - i):
                    await pilot.press("shift+up")
            assert widget.order == target
            await next_question(pilot)

            # 8 cloze: a typed gap and a drop-down gap
            assert isinstance(screen.question, ClozeWidget)
            await type_text(pilot, "2")
            await choose_in_select(pilot, screen.question.query_one(Select), "chloride")
            assert "[(1) 2]" in text_of(app)
            await next_question(pilot)

            # 9 essay: saved by itself about a second after the last keystroke
            assert isinstance(screen.question, EssayWidget)
            await type_text(pilot, "The axis is tilted")
            assert "4 / 120 words" in text_of(app)
            essay_key = keys[8]
            assert essay_key not in saved_answers(setup.centre)
            await pilot.pause(1.5)
            await settle(pilot)
            assert saved_answers(setup.centre)[essay_key] == "The axis is tilted"

            answers = saved_answers(setup.centre)
            assert [answers.get(k) for k in keys] == [
                "a",
                ["a", "b", "c"],
                True,
                "Balaton",
                "100,0",
                capitals,
                target,
                {"n": "2", "salt": "chloride"},
                "The axis is tilted",
            ]
            nav = screen.query_one(QuestionNavigator)
            assert all(state.answered for state in nav.states)

            # Review and submit.
            await pilot.press("f9")
            await settle(pilot)
            assert app.screen.kiosk_name == "review"
            app.screen.query_one("#submit").focus()
            await pilot.press("enter")
            await settle(pilot)
            await pilot.press("tab", "enter")  # from "Cancel" to "Yes, submit"
            await settle(pilot)
            assert app.screen.kiosk_name == "submitted"
            shown = text_of(app)
            receipt = app.session.receipt
            assert receipt and receipt in shown
            # 8 auto-marked items right (16 of 18 points; the essay waits for an examiner), so
            # the result is shown as provisional.
            assert "Points so far (provisional): 16 / 18" in shown
            assert t("submitted.pending") in shown
        assert "attempt_submitted" in kinds(setup.centre)

    run(scenario())


def test_answer_kept_on_screen_and_retried_when_the_ledger_is_locked(setup: Setup) -> None:
    def quick_login(candidate: str, code: str, *, seat: str, language: str) -> CandidateSession:
        return CandidateSession.login(
            setup.centre, candidate, code, seat=seat, language=language, clock=ManualClock(),
            busy_timeout=0.2,
        )

    async def scenario() -> None:
        app = make_app(setup, login=quick_login)
        async with app.run_test() as pilot:
            await pilot.pause()
            await enter_exam(pilot, "C1", setup.code)
            for _ in range(3):
                await next_question(pilot)
            key = app.session.parts[0].items[3].key
            blocker = sqlite3.connect(Centre.open(setup.centre).ledger_path, isolation_level=None)
            blocker.execute("BEGIN IMMEDIATE")  # another writer holds the ledger
            try:
                await type_text(pilot, "Balaton")
                await pilot.press("enter")
                await settle(pilot)
                shown = text_of(app)
                assert "Call the invigilator" in shown
                assert t("exam.not_saved") in shown
                assert app.screen.question.query_one(Input).value == "Balaton"
                assert key not in saved_answers(setup.centre)
            finally:
                blocker.execute("ROLLBACK")
                blocker.close()
            await pilot.pause(2.5)  # the retry
            await settle(pilot)
            assert saved_answers(setup.centre)[key] == "Balaton"
            shown = text_of(app)
            assert "Call the invigilator" not in shown
            assert t("exam.saved") in shown

    run(scenario())


# --- time ------------------------------------------------------------------------------------


def test_warnings_and_auto_submit_at_time_out(setup: Setup) -> None:
    async def scenario() -> None:
        clock = ManualClock()
        app = make_app(setup, clock, timers=True)
        async with app.run_test() as pilot:
            await pilot.pause()
            await enter_exam(pilot, "C1", setup.code)
            await pilot.press("space")  # answer question 1
            await settle(pilot)
            assert "10:00" in text_of(app)
            clock.advance(8 * 60 + 5)  # 1:55 left: the 2-minute warning
            await pilot.pause(1.2)
            assert (0, 2) in app.warnings_shown
            assert "01:55" in text_of(app)
            clock.advance(2 * 60)
            await pilot.pause(1.5)
            await settle(pilot)
            assert app.screen.kiosk_name == "submitted"
            assert t("submitted.timed_out") in text_of(app)
            assert app.session.receipt in text_of(app)
        with Centre.open(setup.centre).reader() as reader:
            submitted = list(reader.events(kind="attempt_submitted"))
        assert [e.body["reason"] for e in submitted] == ["timeout"]
        assert len(saved_answers(setup.centre)) == 1

    run(scenario())


def test_pause_and_extension_from_another_process(setup: Setup) -> None:
    async def scenario() -> None:
        clock = ManualClock()
        app = make_app(setup, clock, timers=True)
        async with app.run_test() as pilot:
            await pilot.pause()
            await enter_exam(pilot, "C1", setup.code)
            attempt = app.session.identity.attempt
            # A pause written by a separate OS process (the invigilator console).
            code = (
                "import sys; from kiosk.ledger.centre import Centre\n"
                "with Centre.open(sys.argv[1]).ledger() as l:\n"
                "    l.append('paused', {'reason': 'fire drill'}, actor='invigilator:I1',"
                " attempt=sys.argv[2])\n"
            )
            subprocess.run([sys.executable, "-c", code, str(setup.centre), attempt], check=True)
            await pilot.pause(1.0)
            await settle(pilot)
            assert app.screen.kiosk_name == "paused"
            assert t("paused.heading") in text_of(app)
            before = app.view.remaining_s
            clock.advance(300)  # five minutes of pause cost nothing
            await pilot.pause(1.1)
            assert app.view.remaining_s == before
            append(setup.centre, "resumed", {"reason": "over"}, attempt)
            await pilot.pause(1.0)
            await settle(pilot)
            assert app.screen.kiosk_name == "exam"
            append(setup.centre, "time_extended", {"minutes": 5, "reason": "disruption"}, attempt)
            await pilot.pause(1.1)
            await settle(pilot)
            assert "15:00" in str(app.screen.query_one("#exam-time", Static).render())

    run(scenario())


# --- parts, review, navigation ---------------------------------------------------------------


def test_two_part_exam(tmp_path: Path) -> None:
    setup = make_centre(
        tmp_path,
        exam_text(
            [("p1", "First task set", 45, ["geo-001", "geo-003"]),
             ("p2", "Second task set", 45, ["geo-006", "sci-001"])],
            exam_id="two-parts",
            title="Two parts",
        ),
    )

    async def scenario() -> None:
        clock = ManualClock()
        app = make_app(setup, clock)
        async with app.run_test() as pilot:
            await pilot.pause()
            await enter_exam(pilot, "C1", setup.code)
            assert "Part 1 of 2" in text_of(app)
            first_key = app.session.parts[0].items[0].key
            await pilot.press("space")
            await pilot.press("f9")
            await settle(pilot)
            assert t("review.submit_part") in str(app.screen.query_one("#submit").label)
            app.screen.query_one("#submit").focus()
            await pilot.press("enter")
            await settle(pilot)
            dialog = " ".join(str(s.render()) for s in app.screen.query("Static"))
            assert "Part 2 – Second task set (45 minutes) starts at once." in dialog
            await pilot.press("tab", "enter")
            await settle(pilot)
            # No notice screen in between: part 2's clock runs, so its question is shown.
            assert app.screen.kiosk_name == "exam"
            assert any("Part 1 is closed" in str(n.message) for n in app._notifications)
            assert "Part 2 of 2: Second task set" in text_of(app)
            assert len(app.screen.query_one(QuestionNavigator).states) == 2
            # The submitted part is closed for good.
            with pytest.raises(Exception, match="submitted"):
                app.session.save_answer(first_key, "b")
            # Part 2's time runs out: the attempt is submitted with what was saved.
            await type_text(pilot, "Balaton")
            await pilot.press("enter")
            clock.advance(45 * 60 + 1)
            app.poll()
            app.poll()
            await settle(pilot)
            assert app.screen.kiosk_name == "submitted"
        with Centre.open(setup.centre).reader() as reader:
            parts = [(e.body["part"], e.body["reason"]) for e in reader.events(kind="part_submitted")]
        assert parts == [("p1", "candidate"), ("p2", "timeout")]

    run(scenario())


def test_review_lists_unanswered_and_flagged_and_jumps(setup: Setup) -> None:
    async def scenario() -> None:
        app = make_app(setup)
        async with app.run_test() as pilot:
            await pilot.pause()
            await enter_exam(pilot, "C1", setup.code)
            await pilot.press("space")  # answer 1
            await next_question(pilot)
            await next_question(pilot)
            await pilot.press("f7")  # flag 3
            await settle(pilot)
            await pilot.press("ctrl+r")
            await settle(pilot)
            assert app.screen.kiosk_name == "review"
            shown = text_of(app)
            assert t("review.summary", answered=1, total=9) in shown
            assert t("review.left", unanswered=8, partly=0, flagged=1) in shown
            listing = app.screen.query_one("#review-answers", OptionList)
            assert [o.id for o in listing._options] == [f"q{i}" for i in range(9)]
            assert FLAGGED in str(listing._options[2].prompt)
            assert t("review.state_answered") in str(listing._options[0].prompt)
            # Escape goes back without submitting.
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen.kiosk_name == "exam"
            # Enter on a listed question jumps to it.
            await pilot.press("f9")
            await settle(pilot)
            listing = app.screen.query_one("#review-answers", OptionList)
            listing.focus()
            listing.highlighted = 5  # question 6
            await pilot.press("enter")
            await settle(pilot)
            assert app.screen.kiosk_name == "exam"
            assert app.screen.index == 5
            assert isinstance(app.screen.question, MatchingWidget)
            # Cancelling the confirmation submits nothing.
            await pilot.press("f9")
            await settle(pilot)
            app.screen.query_one("#submit").focus()
            await pilot.press("enter")
            await settle(pilot)
            await pilot.press("enter")  # the focused button is "Cancel"
            await settle(pilot)
            assert app.screen.kiosk_name == "review"
            assert app.session.view().status == "in_progress"

    run(scenario())


def test_flagging_and_navigation(setup: Setup) -> None:
    async def scenario() -> None:
        app = make_app(setup)
        async with app.run_test() as pilot:
            await pilot.pause()
            await enter_exam(pilot, "C1", setup.code)
            screen = app.screen
            await pilot.press("f6")
            await pilot.press("ctrl+n")
            await settle(pilot)
            assert screen.index == 2 and app.session.view().index == 2
            await pilot.press("f5")
            await settle(pilot)
            assert screen.index == 1
            await pilot.press("ctrl+b")
            await pilot.press("ctrl+b")  # no question before the first
            await settle(pilot)
            assert screen.index == 0
            key = app.session.parts[0].items[0].key
            await pilot.press("ctrl+f")
            await settle(pilot)
            assert key in app.session.view().flags
            nav = screen.query_one(QuestionNavigator)
            assert nav.states[0].flagged
            assert FLAGGED in str(nav.get_option_at_index(0).prompt)
            assert FLAGGED in str(screen.query_one("#question-title", Static).render())
            await pilot.press("f7")
            await settle(pilot)
            assert key not in app.session.view().flags
            assert FLAGGED not in str(nav.get_option_at_index(0).prompt)
            # Jump with the navigator: F8, arrows, Enter.
            await pilot.press("f8")
            for _ in range(6):
                await pilot.press("down")
            await pilot.press("enter")
            await settle(pilot)
            assert screen.index == 6 and app.session.view().index == 6
            assert isinstance(screen.question, OrderingWidget)
            # the ▶ is drawn on the current row (not kept in the rows' texts)
            assert nav.row_text(6).startswith("▶")
            assert "▶" in nav.render_line(6 - nav.scroll_offset.y).text
            assert "▶" not in nav.render_line(5 - nav.scroll_offset.y).text
            # Past the last question nothing moves.
            for _ in range(5):
                await pilot.press("f6")
            await settle(pilot)
            assert screen.index == 8

    run(scenario())


def test_resume_after_leaving_continues_where_it_was(setup: Setup) -> None:
    async def scenario() -> None:
        app = make_app(setup)
        async with app.run_test() as pilot:
            await pilot.pause()
            await enter_exam(pilot, "C1", setup.code)
            await pilot.press("space")
            await next_question(pilot)
            await next_question(pilot)
            await pilot.press("f7")
            await settle(pilot)
            await pilot.press("ctrl+e")
            await settle(pilot)
            await type_text(pilot, PIN)
            await pilot.press("enter")
            await settle(pilot)
        assert not app.is_running
        again = make_app(setup)
        async with again.run_test() as pilot:
            await pilot.pause()
            await login(pilot, "C1", setup.code)
            await pilot.press("enter")  # identity
            await settle(pilot)
            assert again.screen.kiosk_name == "exam"  # no instructions or waiting room again
            assert again.screen.index == 2
            nav = again.screen.query_one(QuestionNavigator)
            assert nav.states[0].answered and nav.states[2].flagged

    run(scenario())


# --- lockdown --------------------------------------------------------------------------------

LOCK_KEYS = ["ctrl+q", "ctrl+c", "ctrl+z", "ctrl+backslash", "ctrl+p", "ctrl+s", "escape"]


def test_lockdown_keys_do_not_leave_the_app(setup: Setup) -> None:
    async def scenario() -> None:
        app = make_app(setup)
        assert app.ENABLE_COMMAND_PALETTE is False
        async with app.run_test() as pilot:
            await pilot.pause()
            for key in LOCK_KEYS:
                await pilot.press(key)
                await settle(pilot)
                assert app.is_running, key
                assert app.screen.kiosk_name == "login", key
                assert not any(isinstance(s, CommandPalette) for s in app.screen_stack), key
            await enter_exam(pilot, "C1", setup.code)
            for _ in range(8):
                await next_question(pilot)
            assert isinstance(app.screen.query_one(TextArea), TextArea)  # focus in the essay
            for key in LOCK_KEYS:
                await pilot.press(key)
                await settle(pilot)
                assert app.is_running, key
                assert app.screen.kiosk_name == "exam", key
                assert not any(isinstance(s, CommandPalette) for s in app.screen_stack), key
            # Only the invigilator's PIN exits.
            await pilot.press("ctrl+e")
            await settle(pilot)
            assert isinstance(app.screen, PinDialog)
            await type_text(pilot, "000000")
            await pilot.press("enter")
            await settle(pilot)
            assert app.is_running
            assert t("pin.wrong") in str(app.screen.query_one("#pin-message", Static).render())
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen.kiosk_name == "exam"
            await pilot.press("ctrl+e")
            await settle(pilot)
            await type_text(pilot, PIN)
            await pilot.press("enter")
            await settle(pilot)
        assert not app.is_running
        assert kinds(setup.centre).count("kiosk_exit") == 1
        assert kinds(setup.centre).count("kiosk_exit_refused") == 1

    run(scenario())


def test_pin_exit_from_the_login_screen(setup: Setup) -> None:
    async def scenario() -> None:
        app = make_app(setup)
        async with app.run_test() as pilot:
            await pilot.pause()
            await pilot.press("ctrl+e")
            await settle(pilot)
            await type_text(pilot, PIN)
            await pilot.press("enter")
            await settle(pilot)
        assert not app.is_running
        assert "kiosk_exit" in kinds(setup.centre)

    run(scenario())


def test_too_small_window_shows_a_notice(setup: Setup) -> None:
    async def scenario() -> None:
        app = make_app(setup)
        async with app.run_test(size=(70, 20)) as pilot:
            await pilot.pause()
            notice = app.screen.query_one(SizeNotice)
            assert notice.display and not app.screen.query_one(".kiosk-body").display
            assert "80×24" in str(notice.render())
            await pilot.resize_terminal(100, 30)
            await settle(pilot)
            assert not notice.display and app.screen.query_one(".kiosk-body").display
            await pilot.resize_terminal(79, 40)
            await settle(pilot)
            assert notice.display

    run(scenario())


def test_high_contrast_theme_toggles(setup: Setup) -> None:
    async def scenario() -> None:
        app = make_app(setup, high_contrast=True)
        async with app.run_test() as pilot:
            await pilot.pause()
            assert app.theme == HIGH_CONTRAST.name
            await pilot.press("f3")
            assert app.theme == CALM.name

    run(scenario())


# --- language --------------------------------------------------------------------------------


def test_language_switch_at_login(setup: Setup) -> None:
    async def scenario() -> None:
        app = make_app(setup, language="hu")
        async with app.run_test() as pilot:
            await pilot.pause()
            assert "Vizsgázói azonosító" in text_of(app)
            app.screen.query_one("#candidate", Input).value = "C1"
            await pilot.press("f2")
            await settle(pilot)
            assert "Candidate ID" in text_of(app)
            assert "Vizsgázói azonosító" not in text_of(app)
            # What was typed survives the switch.
            assert app.screen.query_one("#candidate", Input).value == "C1"
            await pilot.click("#lang-hu")
            await settle(pilot)
            assert "Belépési kód" in text_of(app)
            await login(pilot, "C1", setup.code)
            assert "Ellenőrizze az adatait" in text_of(app)
            await pilot.press("enter", "enter")  # identity, instructions
            await settle(pilot)
            await pilot.press("enter")  # self-start
            await settle(pilot)
            assert "Hátralévő idő: 10:00" in text_of(app)
            await pilot.press("f1")
            await settle(pilot)
            # ő and ű come through intact.
            help_text = text_of(app)
            assert "Súgó – billentyűk" in help_text and "következő kérdés" in help_text
        with Centre.open(setup.centre).reader() as reader:
            logins = list(reader.events(kind="candidate_logged_in"))
        assert logins[-1].body["language"] == "hu"

    run(scenario())


def test_catalogues_have_the_same_keys() -> None:
    from kiosk.i18n import catalogue

    hu, en = catalogue("hu"), catalogue("en")
    assert set(hu) == set(en)
    assert all(value.strip() for value in [*hu.values(), *en.values()])


def test_suspension_from_the_invigilator(setup: Setup) -> None:
    async def scenario() -> None:
        app = make_app(setup, timers=True)
        async with app.run_test() as pilot:
            await pilot.pause()
            await enter_exam(pilot, "C1", setup.code)
            attempt = app.session.identity.attempt
            append(setup.centre, "suspended", {"reason": "talking"}, attempt)
            await pilot.pause(1.0)
            await settle(pilot)
            assert app.screen.kiosk_name == "suspended"
            assert t("suspended.heading") in text_of(app)
            append(setup.centre, "unsuspended", {"reason": "ok"}, attempt)
            await pilot.pause(1.0)
            await settle(pilot)
            assert app.screen.kiosk_name == "exam"

    run(scenario())


# --- the command -----------------------------------------------------------------------------


def test_sit_command_refuses_a_missing_centre(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", "sit", "--centre", str(tmp_path / "nowhere")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "no centre here" in result.stderr


class Terminal:
    """`kiosk sit` on a pseudo-terminal, driven by the bytes a keyboard sends."""

    def __init__(self, centre: Path, marker: Path, seat: str = "T1") -> None:
        import os
        import pty

        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "sit", "--centre", str(centre), "--seat", seat,
             "--lang", "en", "--ready-file", str(marker)],
            stdin=slave, stdout=slave, stderr=slave, start_new_session=True,
            env=dict(os.environ, TERM="xterm-256color"),
        )
        os.close(slave)
        deadline = time.monotonic() + 30
        while not marker.exists():
            assert self.proc.poll() is None, "kiosk sit exited before showing the login screen"
            assert time.monotonic() < deadline, "kiosk sit did not show the login screen"
            self.drain(0.05)

    def drain(self, seconds: float) -> None:
        import os
        import select

        end = time.monotonic() + seconds
        while time.monotonic() < end:
            ready, _, _ = select.select([self.master], [], [], 0.02)
            if ready:
                try:
                    os.read(self.master, 65536)
                except OSError:
                    return

    def type(self, data: bytes, pause: float = 0.3) -> None:
        import os

        os.write(self.master, data)
        self.drain(pause)

    def kill(self) -> None:
        import os
        import signal

        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        os.close(self.master)


def wait_for(predicate: Any, terminal: Terminal, timeout: float = 45.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        terminal.drain(0.05)


def test_sigkill_mid_exam_resumes_answers_and_time(setup: Setup, tmp_path: Path) -> None:
    term = Terminal(setup.centre, tmp_path / "ready")
    try:
        term.type(b"C1\r")
        term.type(setup.code.encode() + b"\r", 1.0)  # login (scrypt) → identity
        term.type(b"\r")  # identity confirmed → instructions
        term.type(b"\r")  # → waiting room
        before_start = time.monotonic()
        term.type(b"\r")  # self-start
        wait_for(lambda: "attempt_started" in kinds(setup.centre), term)
        term.drain(1.0)  # at least this much is charged before the answer below
        term.type(b" ")  # answer question 1 (the first option)
        wait_for(lambda: saved_answers(setup.centre), term)
        term.type(b"\x1b[17~", 0.5)  # F6: on to question 2 (persisted as `navigated`)
        wait_for(lambda: "navigated" in kinds(setup.centre), term)
    finally:
        term.kill()
    again = CandidateSession.login(setup.centre, "C1", setup.code, seat="T2")
    try:
        view = again.view()
        since_start = time.monotonic() - before_start
        assert view.status == "in_progress"
        assert view.answers == saved_answers(setup.centre) and len(view.answers) == 1
        assert view.index == 1
        # Bounds from real time, not a tolerance (however slow the machine): the time used before
        # the kill was kept, and no more than the real time since the start was charged.
        assert 600 - since_start <= view.remaining_s <= 599.0, (view.remaining_s, since_start)
    finally:
        again.close(force=True)


def test_sit_in_a_real_terminal_ignores_quit_and_suspend_keys(setup: Setup, tmp_path: Path) -> None:
    """The real thing on a pseudo-terminal: ctrl+c, ctrl+z, ctrl+\\ and ctrl+q are bytes the
    kiosk reads as keys, never signals that stop it."""
    term = Terminal(setup.centre, tmp_path / "ready")
    proc = term.proc
    try:
        for byte in (b"\x03", b"\x1a", b"\x1c", b"\x11", b"\x10"):
            term.type(byte)
            assert proc.poll() is None, f"kiosk sit exited on {byte!r}"
            stat = Path(f"/proc/{proc.pid}/stat")
            if stat.exists():  # a stopped (ctrl+z) process has not exited but is state T
                assert stat.read_text().rsplit(")", 1)[1].split()[0] != "T", byte
    finally:
        term.kill()


# --- the widget seam -------------------------------------------------------------------------


def test_every_builtin_type_returns_its_widget() -> None:
    import random

    from kiosk.apps.widgets.questions import QuestionWidget
    from kiosk.builtins.qtypes import ALL
    from kiosk.domain.banks import all_items
    from kiosk.loading import load_banks
    from kiosk.plugins import registry
    from tests.support.candidate_helpers import EVERY_TYPE, PRACTICE_BANK

    items = {i.id: i for i in all_items(load_banks([PRACTICE_BANK]).values()).values()}
    types = registry().question_types
    widgets = {}
    for item_id in EVERY_TYPE:
        item = items[item_id]
        qtype = types[item.type]
        presentation = qtype.presentation(item, random.Random(1), True)
        widget = qtype.widget(item, presentation, qtype.correct_response(item))
        assert isinstance(widget, QuestionWidget)
        assert widget.response == qtype.correct_response(item)
        widgets[item.type] = type(widget).__name__
    # the practice bank has no unscored description (it would change the practice paper)
    from kiosk.domain.items import Item

    intro = Item(id="intro", type="description", topic="t", points=0, stem="Read this.")
    widget = types["description"].widget(intro, {}, None)
    assert isinstance(widget, QuestionWidget)
    widgets["description"] = type(widget).__name__
    assert set(widgets) == {t.name for t in ALL}


def test_domain_code_does_not_import_textual() -> None:
    code = (
        "import sys, kiosk.plugins, kiosk.session\n"
        "kiosk.plugins.registry()\n"
        "assert 'textual' not in sys.modules, 'textual imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_dialogs_stay_open_while_polling_and_close_for_a_pause(setup: Setup) -> None:
    async def scenario() -> None:
        app = make_app(setup, timers=True)
        async with app.run_test() as pilot:
            await pilot.pause()
            await enter_exam(pilot, "C1", setup.code)
            await pilot.press("f9")
            await settle(pilot)
            app.screen.query_one("#submit").focus()
            await pilot.press("enter")
            await settle(pilot)
            await pilot.pause(1.2)  # a few polls and a tick
            assert t("review.confirm_exam") in text_of(app)
            append(setup.centre, "paused", {"reason": "x"}, app.session.identity.attempt)
            await pilot.pause(1.0)
            await settle(pilot)
            assert app.screen.kiosk_name == "paused"
            assert app.session.view().status == "paused"

    run(scenario())
