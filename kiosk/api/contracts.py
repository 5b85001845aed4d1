"""The contracts of what a plugin registers, as structural types (typing.Protocol).

A plugin need not subclass anything: an object with these attributes and methods is accepted.
Subclassing `kiosk.api.QuestionType` or `kiosk.api.Regime` gives the defaults for free. The
registry (`kiosk.plugins.Registry`) and the hook specifications (`kiosk.hookspecs`) are typed with
these, so a type checker tells a plugin author what is missing.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # the contracts must not import the domain at run time (hookspecs uses them)
    from kiosk.apps.widgets.questions.base import QuestionWidget
    from kiosk.builtins.importers.common import ExportResult, ImportResult
    from kiosk.domain.exam_rules import RegimeRules
    from kiosk.domain.grading import GradeScale
    from kiosk.domain.items import FieldError, Item
    from kiosk.domain.regimes import Outcome, RegimeInput
    from kiosk.domain.scoring import Judgement, NeedsMarking


class QuestionTypeContract(Protocol):
    """A question type: validates an item's own fields, judges a response (it never decides
    points: the item's scoring rule does), presents and renders the item, and returns the
    Textual widget that answers it. `kiosk.api.QuestionType` implements every default."""

    name: str
    #: {"hu": …, "en": …} for listings
    title: Mapping[str, str]
    #: True when no response can be judged automatically (a human marks it)
    human_marked: bool

    def validate(self, item: Item) -> list[FieldError]: ...
    def normalise(self, item: Item) -> Item: ...
    def judge(self, item: Item, response: Any) -> Judgement | NeedsMarking: ...
    def is_answered(self, item: Item, response: Any) -> bool: ...
    def is_complete(self, item: Item, response: Any) -> bool: ...
    def presentation(self, item: Item, rng: random.Random, shuffle: bool) -> dict[str, Any]: ...
    def correct_response(self, item: Item) -> Any: ...
    def render_item(self, item: Item, presentation: dict[str, Any] | None = None) -> str: ...
    def render_response(self, item: Item, response: Any) -> str: ...
    def delivery_problem(self, item: Item) -> str | None: ...
    def widget(self, item: Item, presentation: dict[str, Any], response: Any
               ) -> QuestionWidget: ...


class RegimeContract(Protocol):
    """An exam regime: turns marks into part, subject and final results, and declares what the
    rest of the kiosk must do differently for it (instead of being recognised by name).

    Capabilities (class attributes; `kiosk.api.Regime` gives the defaults):

    - `groups`: how parts are grouped into results: "parts" (each part on its own), "subjects"
      (`RegimeInput.subjects`, exemptions name subjects) or "activities" (`RegimeInput.activities`
      when the exam lists `activities`, exemptions name activities).
    - `every_attempt_counts`: every attempt at a part is evaluated (retakes within a time
      limit), not only the latest.
    - `written_points_shown`: when the regime grades without overall points, results show the
      written parts' points total.
    - `replacement_card`: an oral may be answered from a second, replacement card (póttétel).
    - `rules`: a `RegimeRules` — special-needs time caps, the day window, daily limits, the
      completion window, the results deadline and the oral's minimum preparation time.
    - `paper_errors(exam, items)`: the regime's own rules about a paper (`kiosk exam check`).
    """

    name: str
    title: Mapping[str, str]
    default_scale: str | None
    groups: str
    every_attempt_counts: bool
    written_points_shown: bool
    replacement_card: bool
    rules: RegimeRules

    def evaluate(self, inputs: RegimeInput) -> Outcome: ...
    def lookup(self, sid: str) -> GradeScale: ...
    def paper_errors(self, exam: Any, items: Mapping[str, Item]) -> list[str]: ...


class Importer(Protocol):
    """`kiosk import FORMAT`: read files into bank items; malformed questions go into
    `ImportResult.errors` (file:line: reason), the rest still imports."""

    def __call__(self, paths: Sequence[Path], topic: str | None = None, /) -> ImportResult: ...


class Exporter(Protocol):
    """`kiosk export FORMAT`: bank items (as TOML tables) to one text."""

    def __call__(self, items: list[dict[str, Any]], bank: dict[str, Any] | None = None, /
                 ) -> ExportResult: ...


class RegisterObject(Protocol):
    """The `register` callback of register_question_types, register_grade_scales and
    register_regimes: the object's `name` (or `id`) is its key."""

    def __call__(self, obj: Any, /) -> None: ...


class RegisterNamed(Protocol):
    """The `register` callback of register_scoring_rules, register_importers and
    register_exporters: `register(name, obj)`."""

    def __call__(self, name: str, obj: Any, /) -> None: ...


class Register(Protocol):
    """What every registration hook receives: `register(obj)` or `register(name, obj)`."""

    def __call__(self, *args: Any) -> None: ...


#: `attempt_lifecycle` points and who causes them.
LIFECYCLE_POINTS: tuple[str, ...] = (
    "started",  # the session (candidate's first login) or an invigilator's start
    "answer_saved",  # the candidate's session
    "part_submitted",  # the candidate's session
    "submitted",  # the candidate, or an invigilator's force-submit
    "paused",  # an invigilator (one candidate or the whole room)
    "resumed",  # an invigilator (after a pause or a suspension)
    "suspended",  # an invigilator (an irregularity)
    "voided",  # an invigilator
    "marked",  # an examiner's mark, re-mark or the board's decision
)


def contract_members(contract: type) -> tuple[str, ...]:
    """The attributes and methods a contract asks for (typing.get_protocol_members is 3.13+)."""
    names = set(vars(contract).get("__annotations__", {}))
    names |= {n for n, v in vars(contract).items() if callable(v) and not n.startswith("_")}
    return tuple(sorted(names))


def missing_members(obj: object, contract: type) -> list[str]:
    """What `obj` lacks of `contract` ([] when it has everything)."""
    return [n for n in contract_members(contract) if not hasattr(obj, n)]


class LifecycleListener(Protocol):
    def __call__(self, point: str, attempt: str, event: dict[str, Any]) -> None: ...
