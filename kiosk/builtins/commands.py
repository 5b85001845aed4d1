"""Built-in CLI commands, registered through the same hook as plugin commands."""

from __future__ import annotations

from typing import Any

from kiosk.hookspecs import hookimpl


@hookimpl
def register_commands(cli: Any) -> None:
    from kiosk.commands import centre, plugins_cmd

    for module in (centre, plugins_cmd):
        for command in module.COMMANDS:
            cli.add_command(command)
