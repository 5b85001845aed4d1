"""Between parts: the finished part is closed for good; the next one is announced."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Center, Horizontal, Vertical
from textual.widgets import Button, Static

from kiosk.apps.candidate.screens.base import KioskScreen
from kiosk.apps.widgets.clock import format_remaining
from kiosk.apps.widgets.questions.base import plain
from kiosk.i18n import t


def own_minutes(part: Any) -> float:
    """The part's minutes for this candidate, their accommodation included."""
    return float(part.minutes) + float(getattr(part, "extra_minutes", 0.0) or 0.0)


class PartDoneScreen(KioskScreen):
    kiosk_name = "part_done"

    def compose_body(self) -> ComposeResult:
        app = self.kiosk
        parts = app.session.parts
        done = app.part_seen
        nxt = min(app.view.part_index, len(parts) - 1)
        with Center(classes="dialog-wrap"):
            with Vertical(classes="dialog part-done"):
                yield Static(t("parts.closed", number=done + 1), classes="title")
                yield Static(t("parts.no_return"), classes="message")
                yield Static(
                    plain(
                        t(
                            "parts.next",
                            number=nxt + 1,
                            title=parts[nxt].title,
                            minutes=f"{own_minutes(parts[nxt]):g}",
                        )
                    ),
                    classes="subtitle",
                )
                yield Static(self._time(), id="notice-time", classes="hint")
                with Horizontal(classes="buttons"):
                    yield Button(t("parts.continue"), id="continue", variant="primary")

    def _time(self) -> str:
        return t("exam.remaining", time=format_remaining(self.kiosk.view.remaining_s))

    def on_mount(self) -> None:
        self.query_one("#continue", Button).focus()

    def update_view(self, view: Any) -> None:
        self.note_view(view)
        for label in self.query("#notice-time").results(Static):
            label.update(self._time())

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.kiosk.acknowledge_part()
