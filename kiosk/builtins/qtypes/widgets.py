"""The built-in types' Textual widgets in one place (imports Textual; judging never imports this).

Each type's `widget()` imports its own `<type>_widget` module lazily; this index is for tests and
tools that want them all.
"""

from __future__ import annotations

from kiosk.builtins.qtypes.choices_widget import (
    MultipleResponseWidget,
    SingleChoiceWidget,
    TrueFalseWidget,
)
from kiosk.builtins.qtypes.cloze_widget import ClozeWidget
from kiosk.builtins.qtypes.description_widget import DescriptionWidget
from kiosk.builtins.qtypes.essay_widget import EssayWidget
from kiosk.builtins.qtypes.matching_widget import MatchingWidget
from kiosk.builtins.qtypes.ordering_widget import OrderingWidget
from kiosk.builtins.qtypes.text_widget import NumericWidget, ShortTextWidget

__all__ = [
    "ClozeWidget",
    "DescriptionWidget",
    "EssayWidget",
    "MatchingWidget",
    "MultipleResponseWidget",
    "NumericWidget",
    "OrderingWidget",
    "ShortTextWidget",
    "SingleChoiceWidget",
    "TrueFalseWidget",
]
