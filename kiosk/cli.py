"""The `kiosk` command: a click group whose commands come from plugins (built-ins included)."""

from __future__ import annotations

import sys

import click

from kiosk import __version__
from kiosk.errors import KioskError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kiosk")
def cli() -> None:
    """Offline exam-delivery kiosk: sit, invigilate, mark and verify exams."""


def build_cli() -> click.Group:
    from kiosk.plugins import load_plugins, pm

    load_plugins()
    if not getattr(cli, "_kiosk_commands_added", False):
        for impl in pm.hook.register_commands.get_hookimpls():
            try:
                impl.function(cli=cli)
            except Exception as exc:  # a broken plugin's commands are skipped, not fatal
                click.echo(f"kiosk: plugin {pm.get_name(impl.plugin)} failed to add commands: {exc}", err=True)
        cli._kiosk_commands_added = True  # type: ignore[attr-defined]
    return cli


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    group: click.Command
    if args[:1] == ["sit"]:
        # A lab terminal must show its login screen fast: `kiosk sit` runs without loading
        # every plugin's commands (the question types load after the login, when needed).
        from kiosk.apps.candidate.command import sit_command

        group, args, prog = sit_command, args[1:], "kiosk sit"
    else:
        group, prog = build_cli(), "kiosk"
    try:
        rv = group.main(args=args, prog_name=prog, standalone_mode=False)
    except KioskError as exc:
        # One line, whatever the message carries (SQLite reports span lines).
        click.echo(f"kiosk: {' '.join(str(exc).split())}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("kiosk: aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("kiosk: interrupted", err=True)
        sys.exit(130)
    sys.exit(rv if isinstance(rv, int) else 0)
