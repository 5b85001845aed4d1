"""The "enlarge the window" notice every kiosk screen carries; CSS shows it below 80×24."""

from __future__ import annotations

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

    def refresh_text(self) -> None:
        size = self.app.size
        self.update(
            t("app.too_small", width=MIN_WIDTH, height=MIN_HEIGHT, now_w=size.width, now_h=size.height)
        )
