"""The console's key bar: every key the screen shows, on as many lines as the width needs.

Textual's `Footer` is one line and silently drops what does not fit: at 80 columns it showed
eight of the room view's eleven keys (message, room map and close were gone) and at 120 it cut
"Close/open sitting". Here a key and its label are never split, lines break between keys, and a
key the screen refuses just now (`check_action`: after the close) is left out. Each key is
clickable, as in the footer. F1 still lists every key, including the ones not shown here.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.style import Style
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget

#: Columns between two keys on a line.
GAP = 2


def key_name(key: str) -> str:
    """A binding's key as printed on the keyboard: "slash" → "/", "f1" → "F1", "S" → "Shift+S"."""
    names = {"slash": "/", "question_mark": "?", "escape": "Esc", "enter": "Enter"}
    if key in names:
        return names[key]
    if len(key) == 1 and key.isupper():
        return f"Shift+{key}"
    if key.startswith("f") and key[1:].isdigit():
        return key.upper()
    return key


def shown_keys(screen: Screen[object]) -> list[tuple[str, str, str]]:
    """(key, label, action) for each binding the screen shows and allows now, in the order the
    bindings are declared; a binding with several keys is shown once, by its first key."""
    out: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for active in screen.active_bindings.values():
        binding: Binding = active.binding
        if not binding.show or not binding.description or binding.action in seen:
            continue
        seen.add(binding.action)
        if not active.enabled:
            continue
        out.append((key_name(binding.key.split(",")[0]), binding.description, binding.action))
    return out


def key_lines(keys: list[tuple[str, str, str]], width: int) -> list[list[tuple[str, str, str]]]:
    """Greedy line filling: a key goes on the current line if it fits, else starts the next."""
    lines: list[list[tuple[str, str, str]]] = [[]]
    used = 0
    for key in keys:
        length = len(key[0]) + 1 + len(key[1])
        if lines[-1] and used + GAP + length > width:
            lines.append([])
            used = 0
        used += (GAP if lines[-1] else 0) + length
        lines[-1].append(key)
    return lines


class KeyBar(Widget):
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: auto;
        max-height: 4;
        padding: 0 1;
        background: $footer-background;
        color: $footer-description-foreground;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 (Textual's name)
        super().__init__(id=id)
        self.keys: list[tuple[str, str, str]] = []
        self._unsubscribe: Callable[[], None] | None = None

    def on_mount(self) -> None:
        screen = self.screen
        screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._unsubscribe = lambda: screen.bindings_updated_signal.unsubscribe(self)
        self._bindings_changed(screen)

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()

    def _bindings_changed(self, screen: Screen[object]) -> None:
        keys = shown_keys(screen)
        if keys != self.keys:
            self.keys = keys
            self.refresh(layout=True)

    @property
    def link_style(self) -> Style:
        """Each key is a link (clickable), drawn as the footer draws it: no underline, and the
        key letter keeps its own colour."""
        return Style()

    def lines(self, width: int | None = None) -> list[list[tuple[str, str, str]]]:
        return key_lines(self.keys, width if width is not None else self.content_size.width)

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        return len(self.lines(width))

    def render(self) -> Content:
        rows = []
        for line in self.lines():
            parts = [
                # the action is a binding's own name (an identifier), never a label
                Content.from_markup(
                    f"[@click=screen.{action}][b $footer-key-foreground]$key[/] $label[/]",
                    key=key, label=label)
                for key, label, action in line
            ]
            rows.append(Content(" " * GAP).join(parts))
        return Content("\n").join(rows)
