"""After submission: the receipt code for the attendance sheet, if allowed the result, and
during an open review window (betekintés) the way to the marked paper."""

from __future__ import annotations

import time
from typing import Any

from textual.app import ComposeResult
from textual.containers import Center, Horizontal, Vertical
from textual.widgets import Button, Static

from kiosk.apps.candidate.screens.base import KioskScreen
from kiosk.apps.widgets.questions.base import plain
from kiosk.domain.numbers import percent_text, points_text
from kiosk.errors import KioskError
from kiosk.i18n import current_language, t

#: How often (seconds) the screen re-reads whether the examiner opened the review window.
REVIEW_CHECK_SECONDS = 5.0


class SubmittedScreen(KioskScreen):
    kiosk_name = "submitted"

    def __init__(self) -> None:
        super().__init__()
        self._review_checked = time.monotonic()

    def compose_body(self) -> ComposeResult:
        app = self.kiosk
        timed_out = app.view.status == "timed_out"
        receipt = app.current_receipt() or "—"
        with Center(classes="dialog-wrap"):
            with Vertical(classes="dialog submitted"):
                yield Static(t("submitted.heading"), classes="title")
                if timed_out:
                    yield Static(t("submitted.timed_out"), classes="message")
                yield Static(t("submitted.receipt_label"), classes="field-label")
                yield Static(plain(receipt), id="receipt", classes="receipt")
                yield Static(t("submitted.copy"), classes="hint")
                yield from self._result()
                yield Static(t("submitted.wait"), classes="message")
                with Horizontal(classes="buttons"):
                    button = Button(t("paper_review.open"), id="paper-review")
                    button.display = self._review_offered()
                    yield button

    def _review_offered(self) -> bool:
        from kiosk.paper_review import review_offered

        session = self.kiosk.session
        try:
            if getattr(session, "remote", False):
                return bool(session.exam.review_allowed) and session.review_offered()
            return review_offered(session.centre, session.exam)
        except KioskError:
            return False

    def check_review(self) -> bool:
        """Show the review button exactly while the exam's review window is open."""
        offered = self._review_offered()
        button = self.query_one("#paper-review", Button)
        button.display = offered
        if offered:
            button.focus()
        return offered

    def update_view(self, view: Any) -> None:
        # Called on every poll: the window is opened by an examiner elsewhere.
        now = time.monotonic()
        if now - self._review_checked >= REVIEW_CHECK_SECONDS:
            self._review_checked = now
            self.check_review()

    def on_mount(self) -> None:
        button = self.query_one("#paper-review", Button)
        if button.display:
            button.focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        # Re-checked: the window may have closed since the button appeared.
        if event.button.id == "paper-review" and self.check_review():
            self.kiosk.open_paper_review()

    def _result(self) -> ComposeResult:
        app = self.kiosk
        if not getattr(app.session.exam, "show_score", False):
            return
        try:
            result = app.session.result()
        except KioskError:
            result = None
        if result is None:
            return
        yield Static(
            t(
                "submitted.score_provisional" if result.provisional else "submitted.score",
                points=points_text(result.points, current_language()),
                max=points_text(result.max_points, current_language()),
                percent=percent_text(result.percent, result.rounding, current_language(),
                                     sign=False),
            ),
            id="score",
            classes="subtitle",
        )
        if result.grade is not None:
            grade = f"{result.grade_name} ({result.grade})" if result.grade_name else str(result.grade)
            key = "submitted.grade_provisional" if result.provisional else "submitted.grade"
            yield Static(plain(t(key, grade=grade)), id="grade", classes="subtitle")
        if result.provisional:
            yield Static(t("submitted.pending"), classes="hint")
