"""Identity confirmation: the candidate checks that the attempt is theirs before anything starts."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Horizontal, Vertical
from textual.widgets import Button, Static

from kiosk.apps.candidate.screens.base import KioskScreen
from kiosk.apps.widgets.questions.base import plain
from kiosk.i18n import t


class IdentityScreen(KioskScreen):
    kiosk_name = "identity"
    BINDINGS = [Binding("escape", "not_me", show=False)]
    #: Part of the login: "not me" and the next candidate's id may come in one burst
    #: (kiosk/apps/typeahead.py): keys after Escape wait for the login form it brings back.
    ORDERED_KEYS = True
    #: Keys typed before this screen was shown (an Enter typed twice while the login was in
    #: flight) are dropped: the candidate confirms an identity they have seen.
    SEEN_BEFORE_KEYS = True

    def compose_body(self) -> ComposeResult:
        who = self.kiosk.session.identity
        with Center(classes="dialog-wrap"):
            with Vertical(classes="dialog identity"):
                yield Static(t("identity.heading"), classes="title")
                for label, value in (
                    (t("identity.name"), who.name),
                    (t("identity.candidate"), who.candidate),
                    (t("identity.exam"), who.exam_title),
                    (t("identity.seat"), who.seat),
                ):
                    with Horizontal(classes="fact"):
                        yield Static(label, classes="fact-label")
                        yield Static(plain(str(value or "—")), classes="fact-value")
                yield Static(t("identity.question"), classes="message")
                with Horizontal(classes="buttons"):
                    yield Button(t("identity.yes"), id="yes", variant="primary")
                    yield Button(t("identity.no"), id="no")

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "yes":
            self.kiosk.confirm_identity()
        else:
            self.action_not_me()

    def action_not_me(self) -> None:
        self.kiosk.logout()
