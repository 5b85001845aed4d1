"""Betekintés and objections (issue 20): one open objection per item; the review works after the
sitting is closed; the paper shows only the marks the result rests on, criteria in rubric
order, the stem as Markdown and the right answer of automatically scored items."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk import marking
from kiosk.apps.candidate.screens.paper_review import PaperReviewScreen
from kiosk.domain.timing import ManualClock
from kiosk.i18n import t
from kiosk.paper_review import load_paper_review, lodge_objection
from kiosk.session import CandidateSession, LoginFailed
from tests.apps.test_candidate_review import (
    OBJECTION,
    item_text,
    make_app,
    marked_paper,
    open_window,
    run,
    settle,
    to_submitted,
)
from tests.support.marking_helpers import essay_answers, mark_setup, sit


def test_a_second_objection_on_the_same_item_is_refused(tmp_path: Path) -> None:
    s, attempt = marked_paper(tmp_path)
    open_window(s)
    lodge_objection(s.centre, attempt, "m:e1", OBJECTION)
    with pytest.raises(marking.Refused, match="already waiting"):
        lodge_objection(s.centre, attempt, "m:e1", "még egyszer")
    e1 = load_paper_review(s.centre, attempt).items[0]
    assert not e1.can_object and len(e1.objections) == 1
    # another item is still open to an objection
    lodge_objection(s.centre, attempt, "m:e2", "A második esszé is.")


def close_sitting(s: object) -> None:
    with s.centre.ledger() as ledger:  # type: ignore[attr-defined]
        ledger.append("sitting_closed", {"sitting": s.sitting},  # type: ignore[attr-defined]
                      actor="invigilator:x")


def test_review_login_works_after_the_sitting_is_closed(tmp_path: Path) -> None:
    s, attempt = marked_paper(tmp_path)
    close_sitting(s)
    # closed and no review window: the login is refused as before
    with pytest.raises(LoginFailed):
        CandidateSession.login(s.centre.path, "C1", s.code, seat="X", clock=ManualClock())
    open_window(s)
    session = CandidateSession.login(s.centre.path, "C1", s.code, seat="X",
                                     clock=ManualClock())
    try:
        assert session.attempt_id == attempt and session.state.submitted
    finally:
        session.close()
    # a candidate who never submitted in the closed sitting gets no new attempt
    with pytest.raises(LoginFailed):
        CandidateSession.login(s.centre.path, "C2", s.code, seat="Y", clock=ManualClock())
    with s.centre.reader() as reader:
        assert [e.body["candidate"] for e in reader.events(kind="attempt_created")] == ["C1"]


def test_review_shows_the_counting_marks_in_rubric_order_and_right_answers(
        tmp_path: Path) -> None:
    s = mark_setup(tmp_path, "review_allowed = true\ndouble_marking = true\n"
                             "double_marking_threshold = 1")
    attempt = sit(s, "C1", essay_answers())
    with s.centre.ledger() as ledger:
        ctx = marking.load_context(s.centre, ledger)
        marking.record_mark(ledger, ctx, attempt, "m:e1", "anna",
                            criteria={"Nyelvhelyesség": 0, "Tartalom": 1}, comment="gyenge")
        marking.record_mark(ledger, ctx, attempt, "m:e1", "bela",
                            criteria={"Nyelvhelyesség": 4, "Tartalom": 6}, comment="kiváló")
        marking.record_mark(ledger, ctx, attempt, "m:e1", "cecil",
                            criteria={"Nyelvhelyesség": 2, "Tartalom": 5}, comment="döntés")
    open_window(s)
    paper = load_paper_review(s.centre, attempt)
    e1 = paper.items[0]
    assert e1.points == 7 and e1.comments == ("döntés",)  # the third marker's alone
    assert [name for name, _ in e1.criteria] == ["Tartalom", "Nyelvhelyesség"]
    assert dict(e1.criteria) == {"Tartalom": 5, "Nyelvhelyesség": 2}
    assert e1.correct == ""  # marked by people: no single right answer
    assert e1.stem_markdown == "Mutassa be a közigazgatási eljárás alapelveit!"
    s1 = next(i for i in paper.items if i.key == "m:s1")
    assert s1.source == "auto" and "jó" in s1.correct
    q2 = next(i for i in paper.items if i.key == "m:q2")
    assert q2.correct  # true/false: the right value is shown


def test_review_screen_renders_markdown_and_the_right_answer(tmp_path: Path) -> None:
    s, _attempt = marked_paper(tmp_path)
    open_window(s)

    async def scenario() -> None:
        app = make_app(s)
        async with app.run_test(size=(100, 40)) as pilot:
            await pilot.pause()
            await to_submitted(pilot, s)
            await pilot.click("#paper-review")
            await settle(pilot)
            assert isinstance(app.screen, PaperReviewScreen)
            box = app.screen.query_one("#item-7")
            assert box.query("Markdown")
            text = item_text(app, 7)
            assert t("paper_review.correct", answer="").strip() in text and "jó" in text

    run(scenario())


def test_the_kiosk_offers_the_review_after_the_sitting_is_closed(tmp_path: Path) -> None:
    s, _attempt = marked_paper(tmp_path)
    close_sitting(s)
    open_window(s)

    async def scenario() -> None:
        app = make_app(s)
        async with app.run_test(size=(100, 40)) as pilot:
            await pilot.pause()
            await to_submitted(pilot, s)
            await pilot.click("#paper-review")
            await settle(pilot)
            assert isinstance(app.screen, PaperReviewScreen)
            assert "Válaszom szövege 1" in item_text(app, 1)

    run(scenario())
