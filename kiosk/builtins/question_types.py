"""Default plugin: the built-in question types, registered like any plugin's types."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.builtins.qtypes import ALL
from kiosk.hookspecs import hookimpl

if TYPE_CHECKING:
    from kiosk.api.contracts import RegisterObject


@hookimpl
def register_question_types(register: RegisterObject) -> None:
    for qtype in ALL:
        register(qtype())
