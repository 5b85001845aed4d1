"""`kiosk sit`: the candidate kiosk on this terminal."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from kiosk.errors import KioskError
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
    sit_through_service(centre_dir, socket_path, seat=seat, language=language,
                        high_contrast=high_contrast, ready_marker=ready_file)


def sit_through_service(centre_dir: Path, socket_path: Path | None = None, *,
                        run: Any = None, **app_options: Any) -> None:
    """Run the candidate app (`run`, default `run_candidate_app`) as a client of the centre's
    service, starting one for this terminal when none listens and stopping it afterwards."""
    from kiosk.client import socket_path as resolve

    explicit = socket_path is not None or bool(os.environ.get("KIOSK_SOCKET"))
    path = resolve(centre_dir, socket_path)
    child = None
    # With a socket named (a lab terminal of a served centre) nothing is started here: the
    # login screen says the service is unavailable until it answers. (The spawning code is
    # imported only here: a lab terminal's start-up does not pay for it.)
    if not explicit and not _listening(path):
        from kiosk.service.spawn import start_service

        # Nobody serves this centre: start one for this terminal (the embedded default;
        # everything under one user: fine for practice and demos, no trust boundary).
        if not (centre_dir / "ledger.db").is_file():
            raise KioskError(f"{centre_dir}: no centre here (run `kiosk init` or `kiosk demo`)")
        from kiosk.commands.common import centre_passphrase
        from kiosk.ledger.centre import Centre

        child = start_service(centre_dir, path,
                              passphrase=centre_passphrase(Centre.open(centre_dir)))
    try:
        if run is None:
            from kiosk.apps.candidate.app import run_candidate_app as run

        run(centre_dir, service=path, **app_options)
    finally:
        if child is not None:
            child.stop()


def _listening(path: Path) -> bool:
    from kiosk.service.spawn import listening

    return listening(path)


COMMANDS = [sit_command]
