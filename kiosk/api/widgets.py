"""The Textual side of the plugin API: the base class of question widgets and its helpers.

Kept apart from `kiosk.api` because it imports Textual; a question type imports it inside its
`widget()` method, so judging and scoring never load the UI.

A question widget composes its inputs, never saves anything itself, and calls
`self.answer(response)` whenever the response changes (it posts `QuestionWidget.Answered`; the
exam screen saves at once, or after a pause in typing when the class sets `typed = True`).

Optional: `reuse_for(item, presentation, response) -> bool` shows another question of the type
in the mounted widget (the exam screen keeps one per class and skips mounting a new one per
question); see its docstring and docs/plugins.md. Widgets without it are mounted per question.
"""

from __future__ import annotations

from kiosk.apps.widgets.questions.base import QuestionWidget, letter, plain, stem_renderable

__all__ = ["QuestionWidget", "letter", "plain", "stem_renderable"]
