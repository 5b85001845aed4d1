"""description: the text alone; nothing to answer (the navigator counts it as done)."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Static

from kiosk.apps.widgets.questions.base import QuestionWidget
from kiosk.domain.items import Item
from kiosk.i18n import t


class DescriptionWidget(QuestionWidget):
    def compose(self) -> ComposeResult:
        yield from self.compose_stem()
        yield Static(t("question.description_hint"), classes="hint")

    def reuse_for(self, item: Item, presentation: dict[str, Any] | None, response: Any) -> bool:
        if item.attachments or self.item.attachments:
            return False
        self.set_question(item, presentation, response)
        self.update_stem()
        return True
