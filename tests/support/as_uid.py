"""Run a `kiosk` command as another uid: `python -m tests.support.as_uid UID ARGS…`.

The interpreter lives where only root may read (pyenv under /root), so everything the command
may import is imported first, as root; then the process drops to UID and runs the command,
which from then on has only UID's rights (on the centre directory, the socket, the key)."""

from __future__ import annotations

import os
import sys


def main() -> None:
    uid = int(sys.argv[1])
    import getpass  # noqa: F401 - click.prompt(hide_input=True)
    import http.client  # noqa: F401

    import kiosk.client  # noqa: F401
    import kiosk.commands.common  # noqa: F401
    import kiosk.service.spawn  # noqa: F401
    import kiosk.service.usecases as usecases
    from kiosk.cli import build_cli
    from kiosk.cli import main as kiosk_main

    build_cli()
    usecases.load_rooms()
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    kiosk_main(sys.argv[2:])


if __name__ == "__main__":
    main()
