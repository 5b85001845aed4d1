"""`kiosk invigilate` (the invigilator console) and `kiosk minutes SITTING`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kiosk.commands.common import centre_option, centre_passphrase
from kiosk.errors import KioskError
from kiosk.i18n import languages
from kiosk.ledger.centre import Centre
from kiosk.ledger.store import Ledger

if TYPE_CHECKING:
    from kiosk.invigilation import Invigilator

PASSWORD_ENV = "KIOSK_PASSWORD"


def acting_user(ledger: Ledger, name: str | None,
                roles: tuple[str, ...] = ("invigilator", "examiner")) -> Invigilator:
    """The authenticated user behind a CLI action (--user NAME; password from $KIOSK_PASSWORD
    or asked)."""
    from kiosk import invigilation

    if not name:
        raise KioskError("--user NAME is required: every action carries the acting user")
    password = os.environ.get(PASSWORD_ENV) or click.prompt(f"Password for {name}",
                                                            hide_input=True)
    return invigilation.login(ledger, name, password, roles)


@click.command("invigilate")
@centre_option
@click.option("--lang", "language", type=click.Choice(languages()), default=None,
              help="Interface language (default: the centre's).")
@click.option("--sitting", "sitting_id", default=None, help="Go straight to this sitting.")
def invigilate_command(centre_dir: Path, language: str | None, sitting_id: str | None) -> None:
    """The invigilator console: log in, choose a sitting, watch and run the room."""
    centre = Centre.open(centre_dir)
    # Asked (and checked) before the full-screen app takes the terminal.
    passphrase = centre_passphrase(centre)
    centre.ledger(passphrase).close()
    from kiosk.apps.invigilator import run_invigilator_app

    run_invigilator_app(centre.path, language=language, sitting=sitting_id,
                        passphrase=passphrase)


@click.command("minutes")
@click.argument("sitting_id", metavar="SITTING")
@centre_option
@click.option("--lang", "language", type=click.Choice(languages()), default=None,
              help="Language of the minutes (default: the centre's).")
@click.option("--pdf", "pdf", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the minutes as a PDF with signature lines instead of printing them.")
def minutes_command(sitting_id: str, centre_dir: Path, language: str | None,
                    pdf: Path | None) -> None:
    """Print the minutes of a sitting: seating plan, times, interventions, irregularities and
    receipt codes."""
    from kiosk.minutes import minutes_text

    if pdf is not None:
        from kiosk.commands.documents import write_minutes_pdf

        write_minutes_pdf(Centre.open(centre_dir), sitting_id, pdf, language)
        click.echo(f"Minutes of {sitting_id} written to {pdf}")
        return
    click.echo(minutes_text(Centre.open(centre_dir), sitting_id, language=language), nl=False)


COMMANDS = [invigilate_command, minutes_command]
