"""`kiosk documents minutes|result-sheet`: the PDFs to print, sign and file."""

from __future__ import annotations

from pathlib import Path

import click

from kiosk.commands.common import centre_option, centre_passphrase
from kiosk.errors import KioskError
from kiosk.ledger.centre import Centre

out_option = click.option("--out", "out", required=True,
                          type=click.Path(dir_okay=False, path_type=Path),
                          help="Write the PDF here.")
lang_option = click.option("--lang", "language", type=click.Choice(["hu", "en"]), default=None,
                           help="Language of the document (default: the centre's).")


def _language(centre: Centre, language: str | None) -> str:
    from kiosk.i18n import centre_language

    return centre_language(centre.config(), language)


def write_minutes_pdf(centre: Centre, sitting_id: str, out: Path,
                      language: str | None = None) -> None:
    """The sitting's minutes (the text of `kiosk minutes`) as a PDF with signature lines."""
    from kiosk.minutes import write_minutes_pdf as write

    write(centre, sitting_id, out, language=_language(centre, language))


def write_result_sheet(centre: Centre, candidate: str, out: Path, *, exam: str | None = None,
                       language: str | None = None,
                       passphrase: str | None = None) -> dict[str, object]:
    from kiosk.documents import result_sheet_pdf, write_pdf
    from kiosk.ledger.keys import fingerprint
    from kiosk.result_source import compute, for_candidate

    records, _ = compute(centre, exam, passphrase=passphrase)
    mine = for_candidate(records, candidate, exam)
    if not mine:
        raise KioskError(f"candidate {candidate!r} has no result"
                         + (f" in exam {exam!r}" if exam else "")
                         + " (a result needs a submitted attempt or an oral mark)")
    if len(mine) > 1:
        exams = ", ".join(str(r.get("exam")) for r in mine)
        raise KioskError(f"candidate {candidate!r} has results in several exams ({exams}): "
                         "choose one with --exam")
    record = mine[0]
    write_pdf(result_sheet_pdf(record, centre=centre.name,
                               fingerprint=fingerprint(centre.public_key()),
                               language=_language(centre, language)), out)
    return record


@click.group("documents")
def documents_group() -> None:
    """PDF documents: a sitting's minutes, a candidate's result sheet."""


@documents_group.command("minutes")
@click.argument("sitting_id", metavar="SITTING")
@out_option
@centre_option
@lang_option
def documents_minutes(sitting_id: str, out: Path, centre_dir: Path,
                      language: str | None) -> None:
    """The minutes of SITTING as a PDF, with signature lines."""
    write_minutes_pdf(Centre.open(centre_dir), sitting_id, out, language)
    click.echo(f"Minutes of {sitting_id} written to {out}")


@documents_group.command("result-sheet")
@click.option("--candidate", required=True, help="The candidate's id.")
@click.option("--exam", default=None, help="The exam (needed when the candidate sat several).")
@out_option
@centre_option
@lang_option
def documents_result_sheet(candidate: str, exam: str | None, out: Path, centre_dir: Path,
                           language: str | None) -> None:
    """A candidate's result sheet as a PDF: parts, points, grade, outcome, receipt code, the
    centre's key fingerprint and signature lines."""
    centre = Centre.open(centre_dir)
    record = write_result_sheet(centre, candidate, out, exam=exam, language=language,
                                passphrase=centre_passphrase(centre))
    click.echo(f"Result sheet of {candidate} ({record.get('exam')}) written to {out}")


COMMANDS = [documents_group]
