"""Options and helpers shared by the built-in commands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from kiosk.ledger.centre import DEFAULT_CENTRE

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
