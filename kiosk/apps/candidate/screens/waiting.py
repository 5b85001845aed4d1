"""Waiting room: until the invigilator starts the candidate or the room (or self-start)."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Center, Horizontal, Vertical
from textual.widgets import Button, Static

from kiosk.apps.candidate.screens.base import KioskScreen, alert_banner
from kiosk.apps.widgets.questions.base import plain
from kiosk.errors import KioskError
from kiosk.i18n import t


class WaitingScreen(KioskScreen):
    kiosk_name = "waiting"

    def compose_body(self) -> ComposeResult:
        session = self.kiosk.session
        self_start = bool(session.can_self_start)
        with Center(classes="dialog-wrap"):
            with Vertical(classes="dialog waiting"):
                yield Static(t("waiting.heading"), classes="title")
                yield Static(plain(session.identity.exam_title), classes="subtitle")
                yield Static(
                    t("waiting.self_start") if self_start else t("waiting.invigilator"),
                    classes="message",
                )
                yield alert_banner()
                if self_start:
                    with Horizontal(classes="buttons"):
                        yield Button(t("waiting.start"), id="start", variant="primary")

    def on_mount(self) -> None:
        for button in self.query("#start"):
            button.focus()

    def update_view(self, view: Any) -> None:
        """Only messages: the app moves on when the view says the attempt started."""
        self.note_view(view)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        try:
            self.kiosk.self_start()
        except KioskError as exc:
            self.show_alert(str(exc))
