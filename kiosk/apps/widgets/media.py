"""Item attachments in the terminal: images through textual-image (Kitty graphics or Sixel
where the terminal answers that it supports them, coloured half-cells on other terminals,
Unicode blocks when not on a terminal), always with a caption that says what the image is; a
shared passage as Markdown. F4 opens the first image full screen (ZoomScreen); Escape closes it.

textual-image asks the terminal what it supports when it is first imported, which works only
before Textual takes over stdin: `prepare_graphics()` should run before the app starts, else
the half-cell fallback is used (readable, never broken).
"""

from __future__ import annotations

import io
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from kiosk import media
from kiosk.domain.items import Item
from kiosk.i18n import t


def prepare_graphics() -> None:
    """Query the terminal's graphics support now (before the Textual app starts)."""
    import textual_image.widget  # noqa: F401  (the import runs the query)


def _image_widget(data: bytes, **kwargs: Any) -> Any:
    from PIL import Image as PILImage
    from textual_image.widget import Image

    return Image(PILImage.open(io.BytesIO(data)), **kwargs)


class Attachments(Vertical):
    """The item's images and passages, below its text."""

    DEFAULT_CSS = """
    Attachments { height: auto; }
    Attachments .attachment-image { width: auto; height: auto; max-height: 12; }
    Attachments .caption { color: $text-muted; }
    """

    def __init__(self, item: Item, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.item = item

    def compose(self) -> ComposeResult:
        from kiosk.apps.widgets.questions.base import stem_renderable

        for att in media.passages(self.item):
            data = media.content(self.item, att)
            text = data.decode("utf-8", "replace") if data is not None else t(
                "media.missing", what=att.get("name", ""))
            yield Static(stem_renderable(text), classes="passage")
        for n, att in enumerate(media.images(self.item)):
            data = media.content(self.item, att)
            caption = media.describe(att, data)
            if data is not None:
                try:
                    yield _image_widget(data, classes="attachment-image")
                except Exception:  # an unreadable image is described, never a crash
                    data = None
            hint = t("media.zoom") if data is not None and n == 0 else ""
            yield Static(f"🖼 {caption}{'  ' + hint if hint else ''}", classes="caption",
                         markup=False)


class ZoomScreen(ModalScreen[None]):
    """One image as large as the terminal allows, with its caption."""

    BINDINGS = [Binding("escape,f4,enter", "close", show=False)]
    DEFAULT_CSS = """
    ZoomScreen { align: center middle; }
    ZoomScreen > Vertical { width: 100%; height: 100%; background: $surface; }
    ZoomScreen .zoomed { width: 100%; height: 1fr; }
    """

    def __init__(self, data: bytes, caption: str) -> None:
        super().__init__()
        self.data = data
        self.caption = caption

    def compose(self) -> ComposeResult:
        with Vertical():
            yield _image_widget(self.data, classes="zoomed")
            yield Static(f"{self.caption} — {t('media.close')}", markup=False, classes="caption")

    def action_close(self) -> None:
        self.dismiss(None)


def zoom(widget: Any, item: Item) -> bool:
    """Open the item's first available image full screen; False when it has none."""
    for att in media.images(item):
        data = media.content(item, att)
        if data is not None:
            widget.app.push_screen(ZoomScreen(data, media.describe(att, data)))
            return True
    return False
