"""`python -m tests.support.web_seat sit …`: a browser seat's `kiosk sit` under the candidates' uid.

The test Python may live where another uid cannot exec it (pyenv under /root), so this
imports what the candidate app needs first, then drops to uid nobody when root (as
tests/support/service_client.py --as-uid does) before it touches the socket or the centre, and runs the
real command. Production runs `kiosk web serve` as the web account instead (docs)."""

from __future__ import annotations

import os
import sys

NOBODY = 65534


def _preload() -> None:
    import concurrent.futures.thread  # noqa: F401  (Textual thread workers, lazily)
    import encodings.idna  # noqa: F401
    import json  # noqa: F401

    import textual.drivers.web_driver  # noqa: F401
    import textual.widgets  # noqa: F401
    from textual import widgets

    for name in widgets.__all__:
        getattr(widgets, name)
    import kiosk.apps.candidate.app  # noqa: F401
    import kiosk.apps.candidate.command  # noqa: F401
    import kiosk.client  # noqa: F401
    import kiosk.service.spawn  # noqa: F401  (kiosk sit, only when no socket is named)
    from kiosk.cli import build_cli

    build_cli()
    for mod in ("identity", "instructions", "exam", "login", "parts", "paused", "pin",
                "review", "submitted", "waiting", "dialogs", "paper_review"):
        __import__(f"kiosk.apps.candidate.screens.{mod}")
    from kiosk.plugins import registry
    from tests.support.preload import number_symbols

    registry()
    number_symbols()  # the submitted screen's result


def main() -> None:
    _preload()
    uid = NOBODY
    if os.geteuid() == 0:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
    from kiosk.cli import main as kiosk_main

    kiosk_main(sys.argv[1:])


if __name__ == "__main__":
    main()
