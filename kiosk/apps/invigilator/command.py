"""`kiosk invigilate`: the invigilator console, a client of the centre service."""

from __future__ import annotations

from pathlib import Path

import click

from kiosk.cli_options import centre_option
from kiosk.errors import KioskError
from kiosk.i18n import languages


@click.command("invigilate")
@centre_option
@click.option("--lang", "language", type=click.Choice(languages()), default=None,
              help="Interface language (default: the centre's).")
@click.option("--sitting", "sitting_id", default=None, help="Go straight to this sitting.")
@click.option("--socket", "socket_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None,
              help="The centre service's socket (default: $KIOSK_SOCKET or CENTRE/service.sock).")
def invigilate_command(centre_dir: Path, language: str | None, sitting_id: str | None,
                       socket_path: Path | None) -> None:
    """The invigilator console: log in, choose a sitting, watch and run the room.

    The console is a client of the centre service (it never opens the ledger): one is started
    here as a child process when none is listening, and stopped again at the end."""
    from kiosk.apps.invigilator import run_invigilator_app
    from kiosk.apps.launch import sit_through_service

    _refuse_closed_centre(centre_dir, socket_path)
    sit_through_service(centre_dir, socket_path, run=run_invigilator_app, language=language,
                        sitting=sitting_id)


def _refuse_closed_centre(centre_dir: Path, socket_path: Path | None) -> None:
    """An invigilator's own account cannot start a service for a centre it may not open, nor
    reach a socket inside it: say so in one line (rather than a PermissionError), naming what
    to do instead."""
    import os

    from kiosk.cli_options import may_open

    if socket_path is None and not os.environ.get("KIOSK_SOCKET") \
            and not may_open(Path(centre_dir)):
        raise KioskError(f"{centre_dir}: this account may not open the centre, and no centre "
                         "service socket is given (--socket or $KIOSK_SOCKET; the service runs "
                         f"as the centre's account: `kiosk serve --centre {centre_dir}`)")


COMMANDS = [invigilate_command]
