"""description: the text alone; nothing to answer (the navigator counts it as done)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from kiosk.apps.widgets.questions.base import QuestionWidget
from kiosk.i18n import t


class DescriptionWidget(QuestionWidget):
    def compose(self) -> ComposeResult:
        yield from self.compose_stem()
        yield Static(t("question.description_hint"), classes="hint")
