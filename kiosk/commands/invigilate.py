"""`kiosk minutes SITTING` (the console, `kiosk invigilate`, is in kiosk/apps/invigilator).
Thin: the centre service collects the minutes (`documents.minutes`); this prints them or
typesets them as a PDF."""

from __future__ import annotations

from pathlib import Path

import click

from kiosk.commands.common import centre_calls, centre_option
from kiosk.commands.documents import minutes_pdf_bytes, user_option, write_out
from kiosk.i18n import languages


@click.command("minutes")
@click.argument("sitting_id", metavar="SITTING")
@centre_option
@click.option("--lang", "language", type=click.Choice(languages()), default=None,
              help="Language of the minutes (default: the centre's).")
@click.option("--pdf", "pdf", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the minutes as a PDF with signature lines instead of printing them.")
@user_option("invigilator, examiner or admin")
def minutes_command(sitting_id: str, centre_dir: Path, language: str | None,
                    pdf: Path | None, user: str | None) -> None:
    """Print the minutes of a sitting: seating plan, times, interventions, irregularities and
    receipt codes."""
    with centre_calls(centre_dir, user=user) as calls:
        reply = calls.call("documents.minutes", sitting=sitting_id, language=language)
    if pdf is not None:
        write_out(minutes_pdf_bytes(reply), pdf)
        click.echo(f"Minutes of {sitting_id} written to {pdf}")
        return
    click.echo(reply["text"], nl=False)


COMMANDS = [minutes_command]
