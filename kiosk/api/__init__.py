"""The public plugin API: a kiosk plugin imports only this package.

    from kiosk.api import hookimpl, QuestionType, Item, Judgement, FieldError
    from kiosk.api.widgets import QuestionWidget      # the Textual side (imports Textual)
    from kiosk.api.testing import Host, judge_all     # in a plugin's tests

What is here is a promise: names are re-exported from where they live inside the kiosk, and
those places may move; these names stay. The contracts (`QuestionTypeContract`,
`RegimeContract`, `Importer`, `Exporter`) are structural types the registry is typed with;
the base classes (`QuestionType`, `FieldsType`, `Regime`) give their defaults. docs/plugins.md
walks through writing a question type with them.

This module imports no Textual, so judging and scoring never pull in the UI (the widget is
imported lazily by `QuestionType.widget`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.api.contracts import (
    LIFECYCLE_POINTS,
    Exporter,
    Importer,
    LifecycleListener,
    QuestionTypeContract,
    RegimeContract,
    Register,
    RegisterNamed,
    RegisterObject,
)
from kiosk.builtins.importers.common import ExportResult, ImportFormatError, ImportResult
from kiosk.builtins.qtypes.base import BuiltinType as FieldsType
from kiosk.builtins.qtypes.base import (
    answered_table,
    blank,
    clamp01,
    malformed,
    not_answered,
    render_table,
)
from kiosk.builtins.qtypes.fields import (
    check_bool,
    check_ids,
    check_unknown,
    check_weight,
    is_number,
    is_text,
    join,
    letter,
    same_text,
    table_list,
)
from kiosk.domain.exam_rules import RegimeRules
from kiosk.domain.grading import Band, GradeScale
from kiosk.domain.items import FieldError, Item
from kiosk.domain.qtypes import QuestionType
from kiosk.domain.regimes import (
    ActivityInput,
    ActivityResult,
    Outcome,
    PartMark,
    PartResult,
    Regime,
    RegimeError,
    RegimeInput,
    SubjectInput,
    SubjectResult,
)
from kiosk.domain.scoring import ItemScore, Judgement, NeedsMarking, ScoringRule, score_item
from kiosk.errors import KioskError
from kiosk.hookspecs import hookimpl
from kiosk.i18n import Message, current_language, domain, translate
from kiosk.json_limits import nesting_within

if TYPE_CHECKING:
    from kiosk.plugins import Registry

__all__ = [
    "LIFECYCLE_POINTS",
    "ActivityInput",
    "ActivityResult",
    "Band",
    "ExportResult",
    "Exporter",
    "FieldError",
    "FieldsType",
    "GradeScale",
    "ImportFormatError",
    "ImportResult",
    "Importer",
    "Item",
    "ItemScore",
    "Judgement",
    "KioskError",
    "LifecycleListener",
    "NeedsMarking",
    "Outcome",
    "PartMark",
    "PartResult",
    "QuestionType",
    "QuestionTypeContract",
    "Regime",
    "RegimeContract",
    "RegimeError",
    "RegimeInput",
    "RegimeRules",
    "Register",
    "RegisterNamed",
    "RegisterObject",
    "ScoringRule",
    "SubjectInput",
    "SubjectResult",
    "answered_table",
    "blank",
    "check_bool",
    "check_ids",
    "check_unknown",
    "check_weight",
    "clamp01",
    "current_language",
    "domain",
    "Message",
    "translate",
    "hookimpl",
    "is_number",
    "is_text",
    "join",
    "letter",
    "malformed",
    "nesting_within",
    "not_answered",
    "private_paths",
    "registered",
    "render_table",
    "same_text",
    "table_list",
    "score_item",
    "scoring_rule",
]


def private_paths() -> frozenset[Path]:
    """Directories code run on a candidate's behalf must never see: every centre this process
    opened (its ledger, keys and content). A sandbox hides them, e.g. under an empty tmpfs."""
    from kiosk.ledger.centre import OPENED

    return frozenset(OPENED)


def registered() -> Registry:
    """The registry of everything the loaded plugins registered (`kiosk.plugins.Registry`):
    `.question_types`, `.scoring_rules`, `.grade_scales`, `.regimes`, `.importers`,
    `.exporters`, and `.failures` of plugins that did not load."""
    from kiosk.plugins import registry

    return registry()


def scoring_rule(name: str) -> ScoringRule:
    """A registered scoring rule by name ("all_or_nothing", "proportional", "szkr", "negative",
    "mapped", or a plugin's), e.g. to delegate to it from a plugin's own rule."""
    from kiosk.plugins import registry

    return registry().scoring_rules[name]
