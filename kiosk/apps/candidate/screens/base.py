"""What every candidate screen shares: the size notice and a typed handle on the app."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Static

from kiosk.apps.widgets.size_notice import SizeNotice

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
