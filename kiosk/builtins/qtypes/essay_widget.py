"""essay: a text area with a live word count against the item's limits."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Static, TextArea

from kiosk.apps.widgets.questions.base import QuestionWidget
from kiosk.builtins.qtypes.essay import word_count
from kiosk.domain.items import Item
from kiosk.i18n import t


class EssayWidget(QuestionWidget):
    typed = True

    def compose(self) -> ComposeResult:
        yield from self.compose_stem()
        text = self.response if isinstance(self.response, str) else ""
        area = TextArea(text, soft_wrap=True, tab_behavior="focus", classes="answer essay")
        area.show_line_numbers = False
        yield area
        yield Static(self._count_text(text), classes="hint word-count")

    def reuse_for(self, item: Item, presentation: dict[str, Any] | None, response: Any) -> bool:
        if item.attachments or self.item.attachments:
            return False
        self.set_question(item, presentation, response)
        self.update_stem()
        text = response if isinstance(response, str) else ""
        area = self.query_one(TextArea)
        with self.prevent(TextArea.Changed):
            area.load_text(text)  # also forgets the undo history: ctrl+z stays in this answer
        area.move_cursor((0, 0))
        area.scroll_home(animate=False, immediate=True)
        self.query_one(".word-count", Static).update(self._count_text(text))
        return True

    def _count_text(self, text: str) -> str:
        count = word_count(text)
        limit = self.item.spec.get("word_limit")
        low = self.item.spec.get("min_words")
        parts = [
            t("question.words_of", count=count, limit=limit)
            if isinstance(limit, int)
            else t("question.words", count=count)
        ]
        if isinstance(limit, int) and count > limit:
            parts.append(t("question.words_over", limit=limit))
        if isinstance(low, int) and count < low:
            parts.append(t("question.words_under", low=low))
        return " · ".join(parts)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        text = event.text_area.text
        self.query_one(".word-count", Static).update(self._count_text(text))
        self.answer(text)
