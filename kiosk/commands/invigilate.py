"""`kiosk minutes SITTING` (the console, `kiosk invigilate`, is in kiosk/apps/invigilator)."""

from __future__ import annotations

from pathlib import Path

import click

from kiosk.commands.common import centre_option
from kiosk.i18n import languages
from kiosk.ledger.centre import Centre


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


COMMANDS = [minutes_command]
