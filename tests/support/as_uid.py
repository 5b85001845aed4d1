"""Run a `kiosk` command as another uid: `python -m tests.support.as_uid UID ARGS…`.

The interpreter lives where only root may read (pyenv under /root), so everything the command
may import is imported first, as root; then the process drops to UID and runs the command,
which from then on has only UID's rights (on the centre directory, the socket, the key)."""

from __future__ import annotations

import os
import sys

from tests.support.preload import number_symbols


def main() -> None:
    uid = int(sys.argv[1])
    import getpass  # noqa: F401 - click.prompt(hide_input=True)
    import http.client  # noqa: F401

    import kiosk.client  # noqa: F401
    import kiosk.commands.common  # noqa: F401
    import kiosk.results  # noqa: F401
    import kiosk.service.spawn  # noqa: F401
    import kiosk.service.usecases as usecases
    from kiosk.cli import build_cli
    from kiosk.cli import main as kiosk_main

    build_cli()
    usecases.load_rooms()
    _typeset_once()
    number_symbols()
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    kiosk_main(sys.argv[2:])


def _typeset_once() -> None:
    """The documents a staff member prints are typeset in their own process; fpdf2 and
    fontTools import codecs and modules lazily, at the first page: typeset one of each kind
    now, while the interpreter's files are still readable."""
    from kiosk import pdf_layout as L
    from kiosk.minutes import Minutes, minutes_pdf

    minutes_pdf(Minutes(language="hu", title="ő", facts=[("a", "ű")], tables=[],
                        irregularities_heading="x", irregularities=[], none="-",
                        signatures=("y",), signatures_heading="z"))
    doc = L.Document("ő")
    doc.add_page()
    L.paragraph(doc, "ű", bold=True)
    L.paragraph(doc, "ű", mono=True)
    doc.output()


if __name__ == "__main__":
    main()
