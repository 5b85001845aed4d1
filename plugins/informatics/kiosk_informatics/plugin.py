"""The kiosk plugin (entry point group `kiosk`): registers the informatics question types."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.api import RegisterObject, hookimpl
from kiosk_informatics.python_function import PythonFunction
from kiosk_informatics.sql_query import SqlQuery

if TYPE_CHECKING:
    import click


@hookimpl
def register_question_types(register: RegisterObject) -> None:
    register(SqlQuery())
    register(PythonFunction())


@hookimpl
def register_commands(cli: click.Group) -> None:
    import click

    @cli.command("sandbox")
    def sandbox_command() -> None:
        """The OS isolation code answers get on this machine (exit 1 when exams cannot use it)."""
        from kiosk_informatics import sandbox

        iso = sandbox.detect()
        click.echo(f"isolation: {iso.level}" + (f" ({iso.bwrap})" if iso.bwrap else ""))
        problem = sandbox.refusal()
        if problem:
            click.echo(problem)
            raise SystemExit(1)
        click.echo("ok: exams with code items can run here")


@hookimpl
def register_translations(register: Any) -> None:
    register("kiosk_informatics", Path(__file__).parent / "locale")
