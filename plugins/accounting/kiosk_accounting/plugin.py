"""The kiosk plugin (entry point group `kiosk`): registers the journal_entry question type."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kiosk.api import RegisterObject, hookimpl
from kiosk_accounting.journal_entry import JournalEntry


@hookimpl
def register_question_types(register: RegisterObject) -> None:
    register(JournalEntry())


@hookimpl
def register_translations(register: Any) -> None:
    register("kiosk_accounting", Path(__file__).parent / "locale")
