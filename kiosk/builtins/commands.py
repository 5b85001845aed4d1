"""Built-in CLI commands, registered through the same hook as plugin commands."""

from __future__ import annotations

from typing import Any

from kiosk.hookspecs import hookimpl


@hookimpl
def register_commands(cli: Any) -> None:
    from kiosk.commands import centre, content, demo, importing, packages, plugins_cmd, roster

    for module in (centre, content, demo, importing, packages, plugins_cmd, roster):
        for command in module.COMMANDS:
            cli.add_command(command)
