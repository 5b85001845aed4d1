"""The kiosk plugin (entry point group `kiosk`): registers the informatics question types."""

from __future__ import annotations

from typing import Any

from kiosk.hookspecs import hookimpl
from kiosk_informatics.python_function import PythonFunction
from kiosk_informatics.sql_query import SqlQuery


@hookimpl
def register_question_types(register: Any) -> None:
    register(SqlQuery())
    register(PythonFunction())
