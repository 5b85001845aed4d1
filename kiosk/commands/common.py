"""Options and helpers shared by the built-in commands."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from kiosk.ledger.centre import DEFAULT_CENTRE, PASSPHRASE_ENV, Centre
from kiosk.ledger.store import Ledger

centre_option = click.option(
    "--centre",
    "centre_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_CENTRE,
    show_default=True,
    help="The centre directory (ledger and keys).",
)


def echo_json(data: Any) -> None:
    import json

    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def centre_passphrase(centre: Centre) -> str | None:
    """The centre key's passphrase, asked when the key is encrypted and $KIOSK_PASSPHRASE does not
    give it (None otherwise: `Centre.ledger` reads the environment itself)."""
    if centre.key_is_encrypted() and not os.environ.get(PASSPHRASE_ENV):
        return str(click.prompt("Centre key passphrase", hide_input=True))
    return None


def writable_ledger(centre: Centre) -> Ledger:
    """The centre's ledger for appending; asks for the key passphrase when the key needs one."""
    return centre.ledger(centre_passphrase(centre))
