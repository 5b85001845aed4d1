"""Screens the invigilator puts the candidate in: paused, suspended, voided."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Center, Vertical
from textual.widgets import Static

from kiosk.apps.candidate.screens.base import KioskScreen
from kiosk.apps.widgets.clock import format_remaining
from kiosk.i18n import t


class _NoticeScreen(KioskScreen):
    heading_key = ""
    body_key = ""

    def compose_body(self) -> ComposeResult:
        with Center(classes="dialog-wrap"):
            with Vertical(classes="dialog notice"):
                yield Static(t(self.heading_key), classes="title")
                yield Static(t(self.body_key), classes="message")
                yield Static(self._time(), id="notice-time", classes="hint")

    def _time(self) -> str:
        view = self.kiosk.view
        if view is None:
            return ""
        return t("exam.remaining", time=format_remaining(view.remaining_s))

    def on_mount(self) -> None:
        self.note_view(self.kiosk.view)

    def update_view(self, view: Any) -> None:
        self.note_view(view)
        for label in self.query("#notice-time").results(Static):
            label.update(self._time())


class PausedScreen(_NoticeScreen):
    kiosk_name = "paused"
    heading_key = "paused.heading"
    body_key = "paused.body"


class SuspendedScreen(_NoticeScreen):
    kiosk_name = "suspended"
    heading_key = "suspended.heading"
    body_key = "suspended.body"


class AwayScreen(_NoticeScreen):
    """The lock screen while the candidate is out of the room: the answers are hidden, the
    clock keeps running (Szkr 278. § (1)); the invigilator's "returned" unlocks it."""

    kiosk_name = "away"
    heading_key = "away.heading"
    body_key = "away.body"


class VoidedScreen(_NoticeScreen):
    kiosk_name = "voided"
    heading_key = "voided.heading"
    body_key = "voided.body"

    def _time(self) -> str:
        return ""
