"""The "enlarge the window" notice every kiosk screen carries; CSS shows it below 80×24."""

from __future__ import annotations

from textual.geometry import Size
from textual.widgets import Static

from kiosk.i18n import t

MIN_WIDTH = 80
MIN_HEIGHT = 24


def too_small(width: int, height: int) -> bool:
    return width < MIN_WIDTH or height < MIN_HEIGHT


class SizeNotice(Static):
    DEFAULT_CLASSES = "size-notice"

    def on_mount(self) -> None:
        self.refresh_text()

    def refresh_text(self, size: Size | None = None) -> None:
        """`size` is the terminal's new size when called from a resize (the app's own `size`
        is not updated yet at that moment, which made the notice show the old size)."""
        size = size or self.app.size
        self.update(
            t("app.too_small", width=MIN_WIDTH, height=MIN_HEIGHT, now_w=size.width,
              now_h=size.height)
        )
