"""Default plugin: the built-in question types, registered like any plugin's types."""

from __future__ import annotations

from typing import Any

from kiosk.builtins.qtypes import ALL
from kiosk.hookspecs import hookimpl


@hookimpl
def register_question_types(register: Any) -> None:
    for qtype in ALL:
        register(qtype())
