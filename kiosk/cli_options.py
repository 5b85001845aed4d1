"""Click options and prompts shared by the commands (`kiosk/commands/`) and the commands that
start an app (`kiosk/apps/*/command.py`), so neither has to import the other."""

from __future__ import annotations

import os
from pathlib import Path

import click

from kiosk.ledger.centre import DEFAULT_CENTRE, PASSPHRASE_ENV, Centre

centre_option = click.option(
    "--centre",
    "centre_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_CENTRE,
    show_default=True,
    help="The centre directory (ledger and keys).",
)


def centre_passphrase(centre: Centre) -> str | None:
    """The centre key's passphrase, asked when the key is encrypted and $KIOSK_PASSPHRASE does not
    give it (None otherwise: `Centre.ledger` reads the environment itself)."""
    if centre.key_is_encrypted() and not os.environ.get(PASSPHRASE_ENV):
        return str(click.prompt("Centre key passphrase", hide_input=True))
    return None


def may_open(where: Path) -> bool:
    """False when the centre is there but closed to this account (its directory or a parent
    not ours); True otherwise (a missing centre is `Centre.open`'s error to name)."""
    try:
        if not where.is_dir():
            return True
    except PermissionError:
        return False
    return os.access(where, os.R_OK | os.W_OK | os.X_OK)
