"""`kiosk sit`: the candidate kiosk on this terminal (the command lives with its app, so that
`kiosk/commands/` and `kiosk/apps/` never import each other)."""

from __future__ import annotations

from pathlib import Path

import click

from kiosk.i18n import languages

# As kiosk.commands.common's option, without importing the ledger (and cryptography) at start-up.
centre_option = click.option(
    "--centre",
    "centre_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("results"),
    show_default=True,
    help="The centre directory (ledger and keys).",
)


@click.command("sit")
@centre_option
@click.option("--seat", default=None, help="This terminal's seat name (default: $KIOSK_SEAT or the host name).")
@click.option(
    "--lang",
    "language",
    type=click.Choice(languages()),
    default=None,
    help="Interface language (default: the centre's).",
)
@click.option("--high-contrast", is_flag=True, help="Start with the high-contrast theme (F3 toggles).")
@click.option(
    "--ready-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    hidden=True,
    help="Write a line to this file once the login screen is shown (benchmarks).",
)
@click.option(
    "--socket",
    "socket_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The centre service's socket (default: $KIOSK_SOCKET or CENTRE/service.sock).",
)
def sit_command(
    centre_dir: Path,
    seat: str | None,
    language: str | None,
    high_contrast: bool,
    ready_file: Path | None,
    socket_path: Path | None,
) -> None:
    """Start the candidate app: login, the exam, submission. Only the invigilator PIN exits.

    The app is a client of the centre service: it connects to the service's socket (started
    here as a child process when none is listening, and stopped again at the end)."""
    from kiosk.apps.launch import sit_through_service

    sit_through_service(centre_dir, socket_path, seat=seat, language=language,
                        high_contrast=high_contrast, ready_marker=ready_file)


COMMANDS = [sit_command]
