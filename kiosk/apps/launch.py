"""Running a Textual app as a client of the centre service: the candidate app, the console and
the marking app all connect to the centre's socket, starting a service for this machine when
none listens (the embedded default) and stopping it afterwards."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from kiosk.errors import KioskError


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
        from kiosk.cli_options import centre_passphrase
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


