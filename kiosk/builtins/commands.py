"""Built-in CLI commands, registered through the same hook as plugin commands."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from kiosk.hookspecs import hookimpl

if TYPE_CHECKING:
    import click

#: The built-in command modules, each exporting COMMANDS = [...]: the commands (thin clients
#: of the centre's use cases) and, beside each app, the command that starts it — so that
#: kiosk/commands/ and kiosk/apps/ never import each other (import contract in pyproject.toml).
COMMAND_MODULES = (
    "kiosk.commands.appeals",
    "kiosk.commands.centre",
    "kiosk.commands.content",
    "kiosk.commands.documents",
    "kiosk.commands.exports",
    "kiosk.commands.importing",
    "kiosk.commands.invigilate",
    "kiosk.commands.marking_cmd",
    "kiosk.commands.oral",
    "kiosk.commands.packages",
    "kiosk.commands.plugins_cmd",
    "kiosk.commands.records",
    "kiosk.commands.results_cmd",
    "kiosk.commands.roster",
    "kiosk.commands.serve",
    "kiosk.commands.simulate",
    "kiosk.commands.sittings",
    "kiosk.commands.users",
    "kiosk.commands.web",
    "kiosk.apps.candidate.command",
    "kiosk.apps.candidate.demo",
    "kiosk.apps.invigilator.command",
    "kiosk.apps.examiner.command",
)


@hookimpl
def register_commands(cli: click.Group) -> None:
    for name in COMMAND_MODULES:
        module = importlib.import_module(name)
        for command in module.COMMANDS:
            cli.add_command(command)
