"""What every question widget shares: the item, its presentation, the response and one message.

A question widget never saves anything itself. It posts `QuestionWidget.Answered` with the whole
new response; the exam screen decides when to call `session.save_answer` (at once for a click,
after a pause in typing for text).
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from rich.markdown import Markdown
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from kiosk.domain.items import Item


def letter(index: int) -> str:
    """A, B, … Z, AA, AB …: option labels that do not depend on colour or position on screen."""
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(ord("A") + rest) + out
    return out


def plain(text: str) -> Content:
    """Bank text shown verbatim: `[b]` or `[1, 2]` in a question is text, not markup."""
    return Content(text)


_BLANK_LINES = re.compile(r"\n{3,}")


def stem_renderable(stem: str) -> Markdown:
    return Markdown(_BLANK_LINES.sub("\n\n", stem.strip()))


class QuestionWidget(Vertical):
    """Base class: subclasses compose their inputs and call `answer()` when the response changes."""

    DEFAULT_CLASSES = "question"
    BINDINGS: ClassVar[list[Binding]] = [Binding("f4", "zoom", show=False)]
    #: True when responses come from typing: the screen saves after a short pause, not per key.
    typed: ClassVar[bool] = False

    class Answered(Message):
        """The candidate changed the response; `settle` asks the screen to wait for more typing."""

        def __init__(self, widget: QuestionWidget, response: Any, settle: bool) -> None:
            super().__init__()
            self.widget = widget
            #: the question it answers: a reused widget (`reuse_for`) shows another later
            self.item = widget.item
            self.response = response
            self.settle = settle

    def __init__(
        self, item: Item, presentation: dict[str, Any] | None, response: Any, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.item = item
        self.presentation = presentation or {}
        self.response = response

    def compose_stem(self) -> ComposeResult:
        yield Static(stem_renderable(self.item.stem), classes="stem")
        yield from self.compose_attachments()

    def reuse_for(self, item: Item, presentation: dict[str, Any] | None, response: Any) -> bool:
        """Show another question of this type in this widget, already mounted: return True
        when done, False when this widget cannot (the exam screen then mounts a new one).

        Optional. The exam screen keeps one widget of each class that implements it mounted
        (hidden while another type is on screen) and moves from question to question by
        reusing it: no compose, no styling of new widgets, one layout pass, which is most of
        what a next-question keypress costs. An implementation must leave nothing of the
        previous question behind (value, selection, cursor, scroll, hints), post nothing
        while it loads (set the inputs inside `with self.prevent(Input.Changed, ...)`), and its
        change handlers must ignore a `Changed` whose value is no longer the input's (queued
        for the previous question). `set_question()` and `update_stem()` do the common part.
        The default, kept by widgets that do not implement it, is a fresh widget per question.
        """
        return False

    def set_question(self, item: Item, presentation: dict[str, Any] | None, response: Any) -> None:
        """Set the question's data on a reused widget (what `__init__` does on a new one)."""
        self.item = item
        self.presentation = presentation or {}
        self.response = response

    def update_stem(self) -> None:
        """Rewrite the stem of a reused widget (compose_stem's Static)."""
        self.query_one(".stem", Static).update(stem_renderable(self.item.stem))

    def compose_attachments(self) -> ComposeResult:
        """The item's images and passages (F4 enlarges the first image)."""
        if self.item.attachments:
            from kiosk.apps.widgets.media import Attachments

            yield Attachments(self.item, classes="attachments")

    def action_zoom(self) -> None:
        from kiosk.apps.widgets.media import zoom

        zoom(self, self.item)

    def answer(self, response: Any, *, settle: bool | None = None) -> None:
        if response == self.response:
            return
        self.response = response
        self.post_message(self.Answered(self, response, self.typed if settle is None else settle))

    def focus_first(self) -> None:
        """Put the keyboard focus on the first thing that answers the question."""
        for widget in self.query("*"):
            if widget.focusable:
                widget.focus()
                return
