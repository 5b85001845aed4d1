"""After submission: the receipt code for the attendance sheet and, if allowed, the result."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Center, Vertical
from textual.widgets import Static

from kiosk.apps.candidate.screens.base import KioskScreen
from kiosk.apps.widgets.questions.base import plain
from kiosk.errors import KioskError
from kiosk.i18n import t


class SubmittedScreen(KioskScreen):
    kiosk_name = "submitted"

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
                "submitted.score",
                points=f"{result.points:g}",
                max=f"{result.max_points:g}",
                percent=f"{result.percent:.0f}",
            ),
            id="score",
            classes="subtitle",
        )
        if result.grade is not None:
            grade = f"{result.grade_name} ({result.grade})" if result.grade_name else str(result.grade)
            yield Static(plain(t("submitted.grade", grade=grade)), id="grade", classes="subtitle")
        if result.provisional:
            yield Static(t("submitted.pending"), classes="hint")
