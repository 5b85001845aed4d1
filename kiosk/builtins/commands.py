"""Built-in CLI commands, registered through the same hook as plugin commands."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from kiosk.hookspecs import hookimpl

if TYPE_CHECKING:
    import click

#: Modules under kiosk/commands/, each exporting COMMANDS = [...]. One name per line.
COMMAND_MODULES = (
    "appeals",
    "centre",
    "content",
    "demo",
    "documents",
    "exports",
    "importing",
    "invigilate",
    "marking_cmd",
    "oral",
    "packages",
    "plugins_cmd",
    "records",
    "results_cmd",
    "roster",
    "serve",
    "simulate",
    "sit",
    "sittings",
    "users",
    "web",
)


@hookimpl
def register_commands(cli: click.Group) -> None:
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"kiosk.commands.{name}")
        for command in module.COMMANDS:
            cli.add_command(command)
