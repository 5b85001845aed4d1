"""The question-type contract every built-in and plugin type implements."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any, ClassVar

from kiosk.domain.items import FieldError, Item
from kiosk.domain.scoring import Judgement, NeedsMarking
from kiosk.domain.texts import NO_TEXT, Text


class QuestionType:
    """Base class: subclasses set `name` and override what they need.

    A type is pure: it validates specs, judges responses and renders text. The Textual widget is
    returned by `widget()`, imported lazily so that scoring never pulls in the UI.
    """

    name: ClassVar[str] = ""
    #: Human-readable name for listings: a Text (msgid in the type's gettext domain); a legacy
    #: {"hu": …, "en": …} mapping still reads (kiosk.i18n.translate takes both).
    title: ClassVar[Text | Mapping[str, str]] = NO_TEXT
    #: True when no response of this type can be scored automatically (essay, case study).
    human_marked: ClassVar[bool] = False

    def validate(self, item: Item) -> list[FieldError]:
        """Errors in the item's type-specific fields; empty when valid."""
        return []

    def normalise(self, item: Item) -> Item:
        """Fill defaults (option ids, …) after validation. Called once at bank load."""
        return item

    def judge(self, item: Item, response: Any) -> Judgement | NeedsMarking:
        raise NotImplementedError

    def is_answered(self, item: Item, response: Any) -> bool:
        return response not in (None, "", [], {})

    def is_complete(self, item: Item, response: Any) -> bool:
        """Every part of the item has a response (a matching item with 1 of 4 pairs, a cloze
        with 1 of 2 gaps is answered but not complete: the candidate sees it as "partly")."""
        return self.is_answered(item, response)

    def presentation(self, item: Item, rng: random.Random, shuffle: bool) -> dict[str, Any]:
        """Per-candidate presentation (e.g. option order) drawn from the paper's RNG."""
        return {}

    def correct_response(self, item: Item) -> Any:
        """A response that earns full marks (for tests, review and exports); None if none."""
        return None

    def render_item(self, item: Item, presentation: dict[str, Any] | None = None) -> str:
        """The item as plain text (exports, PDF, examiner view)."""
        return item.stem

    def render_response(self, item: Item, response: Any) -> str:
        """A response as plain text."""
        return "" if response is None else str(response)

    def delivery_problem(self, item: Item) -> str | None:
        """Why this machine cannot safely judge this item in an exam (e.g. no OS isolation for
        candidate code), one line with the fix; None when it can. See kiosk.delivery."""
        return None

    def widget(self, item: Item, presentation: dict[str, Any], response: Any) -> Any:
        """The Textual widget that answers this item (comes with the candidate app)."""
        raise NotImplementedError(f"question type {self.name!r} has no widget yet")
