"""The question widget base class. The built-in types' widgets live beside their judging in
kiosk/builtins/qtypes/<type>_widget.py (each type's `widget()` imports its own lazily)."""

from __future__ import annotations

from kiosk.apps.widgets.questions.base import QuestionWidget

__all__ = ["QuestionWidget"]
