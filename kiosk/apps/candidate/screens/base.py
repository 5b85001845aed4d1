"""What every candidate screen shares: the size notice and a typed handle on the app."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Static

from kiosk.apps.widgets.size_notice import SizeNotice

#: A rise of the remaining time larger than this (seconds) is an extension, not clock jitter.
EXTENSION_NOTICE_S = 5.0
#: How long an invigilator's message stays on screen.
MESSAGE_SECONDS = 60

if TYPE_CHECKING:
    from kiosk.apps.candidate.app import CandidateApp


class KioskScreen(Screen[None]):
    #: The name `CandidateApp.route` knows this screen by.
    kiosk_name: ClassVar[str] = ""

    @property
    def kiosk(self) -> CandidateApp:
        return cast("CandidateApp", self.app)

    def compose(self) -> ComposeResult:
        yield SizeNotice()
        with Vertical(classes="kiosk-body"):
            yield from self.compose_body()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def note_view(self, view: Any) -> None:
        """Tell the candidate what changed about their time: an extension (the remaining time
        jumps up; a running clock only ever goes down) is announced, not silently applied."""
        if view is None:
            return
        app = self.kiosk
        seen = getattr(app, "remaining_seen", None)
        now = (view.part_index, float(view.remaining_s))
        if seen is not None and seen[0] == now[0] and now[1] > seen[1] + EXTENSION_NOTICE_S:
            from kiosk.apps.widgets.clock import format_remaining
            from kiosk.i18n import t

            app.notify(t("exam.extended", time=format_remaining(now[1])),
                       title=t("exam.extended_title"), timeout=15)
        app.remaining_seen = now  # type: ignore[attr-defined]
        self._show_messages(view)

    def _show_messages(self, view: Any) -> None:
        """Each invigilator message once, as a toast that stays long enough to read; after a
        relogin only the latest is repeated."""
        messages = list(getattr(view, "messages", ()) or ())
        app = self.kiosk
        seen: set[int] | None = getattr(app, "messages_seen", None)
        if seen is None:
            seen = {seq for seq, _ in messages[:-1]}
            app.messages_seen = seen  # type: ignore[attr-defined]
        from kiosk.i18n import t

        for seq, text in messages:
            if seq in seen:
                continue
            seen.add(seq)
            app.notify(text, title=t("exam.message_title"), severity="warning",
                       timeout=MESSAGE_SECONDS, markup=False)

    def show_alert(self, text: str | None) -> None:
        for banner in self.query(".alert-banner"):
            assert isinstance(banner, Static)
            banner.update(text or "")
            banner.display = bool(text)


def alert_banner() -> Static:
    """The "call the invigilator" line: hidden until something could not be saved."""
    banner = Static("", classes="alert-banner")
    banner.display = False
    return banner


def view_of(screen: KioskScreen) -> Any:
    return screen.kiosk.view
