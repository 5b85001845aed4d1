"""The kiosk plugin (entry point group `kiosk`): registers the case_study question type.
Oral topic cards are data, found through `kiosk_public_admin.oral.card_sets()`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kiosk.api import RegisterObject, hookimpl
from kiosk_public_admin.case_study import CaseStudy


@hookimpl
def register_question_types(register: RegisterObject) -> None:
    register(CaseStudy())


@hookimpl
def register_translations(register: Any) -> None:
    register("kiosk_public_admin", Path(__file__).parent / "locale")
