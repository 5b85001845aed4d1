"""The built-in question types, one module each, with the Textual widget beside it in
`<type>_widget.py` (imported lazily by the type's `widget()`, so importing this package imports
no Textual); `ALL` is what the default plugin registers."""

from __future__ import annotations

from kiosk.builtins.qtypes.cloze import Cloze
from kiosk.builtins.qtypes.description import Description
from kiosk.builtins.qtypes.essay import Essay
from kiosk.builtins.qtypes.matching import Matching
from kiosk.builtins.qtypes.multiple_response import MultipleResponse
from kiosk.builtins.qtypes.numeric import Numeric
from kiosk.builtins.qtypes.ordering import Ordering
from kiosk.builtins.qtypes.short_text import ShortText
from kiosk.builtins.qtypes.single_choice import SingleChoice
from kiosk.builtins.qtypes.true_false import TrueFalse
from kiosk.domain.qtypes import QuestionType

ALL: tuple[type[QuestionType], ...] = (
    SingleChoice,
    MultipleResponse,
    TrueFalse,
    ShortText,
    Numeric,
    Matching,
    Ordering,
    Cloze,
    Essay,
    Description,
)

__all__ = [
    "ALL",
    "Cloze",
    "Description",
    "Essay",
    "Matching",
    "MultipleResponse",
    "Numeric",
    "Ordering",
    "ShortText",
    "SingleChoice",
    "TrueFalse",
]
