"""Betekintés in the candidate kiosk: the marked paper, read-only, only while the examiner keeps
the review window open; objections from the screen become `appeal_lodged` events with the
candidate as actor; after the board's decision the paper shows the original and the final mark."""

from __future__ import annotations

import asyncio
import html
import re
from pathlib import Path
from typing import Any

import pytest
from textual.containers import ScrollableContainer
from textual.widgets import Button, Static, TextArea

from kiosk import marking
from kiosk.apps.candidate.app import CandidateApp
from kiosk.apps.candidate.screens.paper_review import ObjectionDialog, PaperReviewScreen
from kiosk.domain.timing import ManualClock
from kiosk.i18n import t
from kiosk.paper_review import load_paper_review, lodge_objection, review_offered
from kiosk.session import CandidateSession
from tests.support.candidate_helpers import login, settle
from tests.support.marking_helpers import MarkSetup, essay_answers, events, mark_setup, sit

COMMENT = "Hiányos felsorolás, de jó szerkezet."
OBJECTION = "A második bekezdés is pontot ér."


def marked_paper(tmp: Path, extra: str = "review_allowed = true") -> tuple[MarkSetup, str]:
    """C1 sat the essay exam; anna marked essay e1 4/10 with a comment; e2 is still unmarked."""
    s = mark_setup(tmp, extra)
    attempt = sit(s, "C1", essay_answers())
    with s.centre.ledger() as ledger:
        ctx = marking.load_context(s.centre, ledger)
        marking.record_mark(ledger, ctx, attempt, "m:e1", "anna",
                            criteria={"Tartalom": 3, "Nyelvhelyesség": 1}, comment=COMMENT)
    return s, attempt


def open_window(s: MarkSetup) -> None:
    with s.centre.ledger() as ledger:
        marking.open_review(ledger, marking.load_context(s.centre, ledger), s.exam, "anna")


def close_window(s: MarkSetup) -> None:
    with s.centre.ledger() as ledger:
        marking.close_review(ledger, s.exam, "anna")


def decide(s: MarkSetup, appeal: int, points: float) -> None:
    with s.centre.ledger() as ledger:
        ctx = marking.load_context(s.centre, ledger)
        marking.decide_appeal(ledger, ctx, appeal, points, "bela", "A bizottság elfogadta.")


def text_of(app: CandidateApp) -> str:
    """What the screen shows (from the SVG export), whitespace collapsed."""
    svg = app.export_screenshot()
    rows: dict[float, list[tuple[float, str]]] = {}
    for x, y, body in re.findall(r'<text[^>]*?x="([0-9.]+)" y="([0-9.]+)"[^>]*>(.*?)</text>',
                                 svg):
        rows.setdefault(float(y), []).append((float(x), html.unescape(body)))
    lines = ["".join(text for _, text in sorted(row)) for _, row in sorted(rows.items())]
    text = re.sub("[\u2500-\u259f]", " ", " ".join(lines))
    return " ".join(text.split())


def item_text(app: CandidateApp, number: int) -> str:
    """Every line of one item's box on the review screen (scrolled away or not)."""
    box = app.screen.query_one(f"#item-{number}")
    return "\n".join(str(s.render()) for s in box.query(Static) if not isinstance(s, Button))


async def to_submitted(pilot: Any, s: MarkSetup) -> None:
    await login(pilot, "C1", s.code)
    assert pilot.app.screen.kiosk_name == "identity", pilot.app.screen
    await pilot.press("enter")
    await settle(pilot)
    assert pilot.app.screen.kiosk_name == "submitted", pilot.app.screen


def make_app(s: MarkSetup) -> CandidateApp:
    return CandidateApp(s.centre.path, seat="S1", language="en", clock=ManualClock(),
                        timers=False)


def run(coro: Any) -> Any:
    return asyncio.run(coro)


# --- the data behind the screen ----------------------------------------------------------------


def test_paper_only_inside_the_window_with_marks_comments_and_the_final_decision(
        tmp_path: Path) -> None:
    s, attempt = marked_paper(tmp_path)
    with pytest.raises(marking.Refused, match="not open"):
        load_paper_review(s.centre, attempt)
    with pytest.raises(marking.Refused, match="not open"):
        lodge_objection(s.centre, attempt, "m:e1", OBJECTION)
    open_window(s)
    paper = load_paper_review(s.centre, attempt)
    assert [i.key for i in paper.items] == [f"m:{k}" for k in
                                            ("e1", "e2", "q1", "q2", "q3", "q4", "s1")]
    e1, e2 = paper.items[0], paper.items[1]
    assert (e1.points, e1.max_points, e1.source, e1.original) == (4, 10, "marked", None)
    assert e1.comments == (COMMENT,) and dict(e1.criteria) == {"Tartalom": 3,
                                                               "Nyelvhelyesség": 1}
    assert e1.stem.startswith("Mutassa be") and "Válaszom szövege 1" in e1.response
    assert "anna" not in repr(e1)  # the candidate never sees who marked
    assert e2.source == "pending" and paper.provisional
    # 4 true/false right (1 each) + the choice (2) + 4 for e1
    assert (paper.points, paper.max_points) == (10, 26)

    lodged = lodge_objection(s.centre, attempt, "m:e1", OBJECTION)
    assert lodged.actor == "candidate:C1"
    decide(s, lodged.seq, 7)
    e1 = load_paper_review(s.centre, attempt).items[0]
    assert (e1.original, e1.points, e1.source, e1.can_object) == (4, 7, "appeal", False)
    [objection] = e1.objections
    assert objection.decided and objection.points == 7 and objection.text == OBJECTION


def test_no_review_for_an_exam_that_does_not_allow_it(tmp_path: Path) -> None:
    s, attempt = marked_paper(tmp_path, extra="")
    # A review_opened written by hand does not open a paper whose exam forbids review.
    with s.centre.ledger() as ledger:
        ledger.append("review_opened", {"exam": s.exam}, actor="examiner:anna")
    session = CandidateSession.login(s.centre.path, "C1", s.code, seat="X", clock=ManualClock())
    try:
        assert not review_offered(s.centre, session.exam)
    finally:
        session.close()
    with pytest.raises(marking.Refused, match="does not allow review"):
        load_paper_review(s.centre, attempt)


# --- the kiosk --------------------------------------------------------------------------------


def test_review_screen_in_the_kiosk(tmp_path: Path) -> None:
    s, attempt = marked_paper(tmp_path)

    async def scenario() -> None:
        app = make_app(s)
        async with app.run_test(size=(100, 40)) as pilot:
            await pilot.pause()
            await to_submitted(pilot, s)
            # Window closed: nothing offered.
            assert not app.screen.query_one("#paper-review", Button).display
            assert t("paper_review.open") not in text_of(app)
            app.open_paper_review()  # even if something asked for it, the paper stays hidden
            await settle(pilot)
            assert t("paper_review.unavailable") in text_of(app)
            assert not app.screen.query("#item-1")
            app.close_paper_review()
            await settle(pilot)

            open_window(s)
            assert app.screen.check_review()
            await settle(pilot)
            assert t("paper_review.open") in text_of(app)
            await pilot.click("#paper-review")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, PaperReviewScreen)
            assert len(screen.query(".review-item")) == 7
            e1 = item_text(app, 1)
            assert "Mutassa be a közigazgatási eljárás alapelveit!" in e1
            assert "Válaszom szövege 1" in e1
            assert t("paper_review.points", points="4", max="10") in e1
            assert t("paper_review.comment", comment=COMMENT) in e1
            assert t("paper_review.pending", max="10") in item_text(app, 2)
            assert t("paper_review.points", points="1", max="1") in item_text(app, 3)
            # Read-only: nothing on the screen takes text or a choice; only buttons and the
            # scrolling list can have the focus.
            focusable = [w for w in screen.query("*") if w.can_focus]
            assert focusable and all(isinstance(w, Button | ScrollableContainer)
                                     for w in focusable), focusable
            # The lockdown keys do nothing here either.
            for key in ("ctrl+q", "ctrl+c", "ctrl+z", "ctrl+p"):
                await pilot.press(key)
            await settle(pilot)
            assert app.is_running and app.screen is screen

            # An empty objection is not sent; a real one is an appeal_lodged by the candidate.
            await pilot.click("#object-1")
            await settle(pilot)
            assert isinstance(app.screen, ObjectionDialog)
            await pilot.click("#send")
            await settle(pilot)
            assert isinstance(app.screen, ObjectionDialog)
            assert events(s, "appeal_lodged") == []
            assert t("paper_review.objection_empty") in text_of(app)
            app.screen.query_one("#objection-text", TextArea).insert(OBJECTION)
            await pilot.pause(0.3)  # a button ignores clicks while it still shows the last one
            await pilot.click("#send")
            await settle(pilot, 5)
            [lodged] = events(s, "appeal_lodged")
            assert lodged.actor == "candidate:C1"
            assert lodged.body == {"attempt": attempt, "item": "m:e1", "text": OBJECTION,
                                   "candidate": "C1"}
            assert app.screen.kiosk_name == "paper_review"
            e1 = item_text(app, 1)
            assert t("paper_review.objection_open", seq=lodged.seq, text=OBJECTION) in e1

            # The board decides; the paper (opened again) shows the original and final marks.
            decide(s, lodged.seq, 7)
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen.kiosk_name == "submitted"
            await pilot.click("#paper-review")
            await settle(pilot)
            e1 = item_text(app, 1)
            assert t("paper_review.appeal_points", original="4", points="7", max="10") in e1
            assert t("paper_review.objection_decided", seq=lodged.seq, text=OBJECTION,
                     points="7") in e1
            assert not app.screen.query("#object-1")  # the decision is final
            assert app.screen.query("#object-2")

            # The examiner closes the window: the paper goes, the button too.
            close_window(s)
            assert not app.screen.check_window()
            await settle(pilot)
            assert app.screen.kiosk_name == "submitted"
            assert not app.screen.query_one("#paper-review", Button).display
        assert len(events(s, "appeal_lodged")) == 1

    run(scenario())
