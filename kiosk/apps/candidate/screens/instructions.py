"""Instructions: how the exam works and which keys do what, read before the clock starts."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Center, Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Static

from kiosk.apps.candidate.screens.base import KioskScreen
from kiosk.apps.widgets.questions.base import plain
from kiosk.i18n import t


def parts_summary(session: object) -> list[str]:
    parts = getattr(session, "parts", [])
    lines = []
    for n, part in enumerate(parts, start=1):
        # The candidate's own time: an accommodation's extra minutes are theirs to plan with.
        extra = float(getattr(part, "extra_minutes", 0.0) or 0.0)
        lines.append(
            t(
                "instructions.part_extra" if extra else "instructions.part",
                number=n,
                title=part.title,
                minutes=f"{part.minutes + extra:g}",
                base=f"{part.minutes:g}",
                extra=f"{extra:g}",
                count=len(part.items),
            )
        )
    return lines


class InstructionsScreen(KioskScreen):
    kiosk_name = "instructions"

    def compose_body(self) -> ComposeResult:
        session = self.kiosk.session
        with Center(classes="dialog-wrap"):
            with Vertical(classes="dialog instructions"):
                yield Static(t("instructions.heading"), classes="title")
                with VerticalScroll(classes="instructions-text"):
                    yield Static(plain(session.identity.exam_title), classes="subtitle")
                    for line in parts_summary(session):
                        yield Static(plain(line), classes="bullet")
                    yield Static(t("instructions.rules"), classes="body-text")
                    yield Static(t("instructions.keys"), classes="body-text keys")
                with Horizontal(classes="buttons"):
                    yield Button(t("instructions.continue"), id="continue", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#continue", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.kiosk.acknowledge_instructions()
