"""Textual widgets for the built-in question types; each type's `widget()` returns one of these."""

from __future__ import annotations

from kiosk.apps.widgets.questions.base import QuestionWidget
from kiosk.apps.widgets.questions.choice import (
    MultipleResponseWidget,
    SingleChoiceWidget,
    TrueFalseWidget,
)
from kiosk.apps.widgets.questions.cloze import ClozeWidget
from kiosk.apps.widgets.questions.essay import EssayWidget
from kiosk.apps.widgets.questions.matching import MatchingWidget
from kiosk.apps.widgets.questions.ordering import OrderingWidget
from kiosk.apps.widgets.questions.text import NumericWidget, ShortTextWidget

__all__ = [
    "ClozeWidget",
    "EssayWidget",
    "MatchingWidget",
    "MultipleResponseWidget",
    "NumericWidget",
    "OrderingWidget",
    "QuestionWidget",
    "ShortTextWidget",
    "SingleChoiceWidget",
    "TrueFalseWidget",
]
