"""`kiosk mark`: the marking app, a client of the centre service."""

from __future__ import annotations

import os
from pathlib import Path

import click

from kiosk.cli_options import centre_option, centre_passphrase
from kiosk.errors import KioskError
from kiosk.i18n import languages
from kiosk.ledger.centre import Centre


@click.command("mark")
@centre_option
@click.option("--lang", "language", type=click.Choice(languages()), default=None,
              help="Interface language (default: the centre's).")
@click.option("--socket", "socket_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="The centre service's socket (default: $KIOSK_SOCKET or "
              "CENTRE/service.sock).")
def mark_command(centre_dir: Path, language: str | None, socket_path: Path | None) -> None:
    """The marking app: log in as an examiner, mark responses item by item, anonymously.

    A client of the centre service: when none listens, one is started for this app (the
    single-user setup) and stopped at the end."""
    from kiosk.client import socket_path as resolve
    from kiosk.service.spawn import listening, start_service

    path = resolve(centre_dir, socket_path)
    child = None
    if not listening(path):
        if socket_path is not None or not _own_centre(Path(centre_dir)):
            raise KioskError(f"{centre_dir}: no centre service listens at {path} (start "
                             f"`kiosk serve --centre {centre_dir}` as the centre's account)")
        # Asked (and checked by the service) before the full-screen app takes the terminal.
        child = start_service(centre_dir, path,
                              passphrase=centre_passphrase(Centre.open(centre_dir)))
    try:
        from kiosk.apps.examiner.app import ExaminerApp

        ExaminerApp(centre_dir, language=language, socket=path).run()
    finally:
        if child is not None:
            child.stop()


def _own_centre(path: Path) -> bool:
    """A centre this account may serve itself (an examiner's own account may not even look)."""
    try:
        return (path / "ledger.db").is_file() and os.access(path, os.R_OK | os.W_OK | os.X_OK)
    except OSError:
        return False


COMMANDS = [mark_command]
