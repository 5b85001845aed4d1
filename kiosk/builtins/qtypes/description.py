"""description: text shown in the paper with nothing to answer and no points (Moodle's
"description" question: a passage, instructions or a case that later items refer to).

Its points are 0; every response judges to nothing and the item always counts as answered, so it
never shows up as "unanswered" at review. Exams place it on purpose (`fixed`, or a draw rule
with `type = "description"`); other draw rules never draw it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from kiosk.builtins.qtypes.base import BuiltinType
from kiosk.domain.items import Item
from kiosk.domain.scoring import Judgement
from kiosk.domain.texts import Text


class Description(BuiltinType):
    name: ClassVar[str] = "description"
    title: ClassVar[Text] = Text("qtype.description", "Leírás (nem pontozott)")
    #: Read by the bank check: points are 0 (or omitted) instead of > 0.
    scored: ClassVar[bool] = False
    fields: ClassVar[set[str]] = set()

    def judge(self, item: Item, response: Any) -> Judgement:
        return Judgement(keys=0, right=0, wrong=0, answered=False, fraction=0.0)

    def is_answered(self, item: Item, response: Any) -> bool:
        return True

    def render_response(self, item: Item, response: Any) -> str:
        return ""

    def widget(self, item: Item, presentation: dict[str, Any], response: Any) -> Any:
        from kiosk.builtins.qtypes.description_widget import DescriptionWidget

        return DescriptionWidget(item, presentation, response)
