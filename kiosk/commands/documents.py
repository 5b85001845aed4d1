"""`kiosk documents minutes|result-sheet`: the PDFs to print, sign and file."""

from __future__ import annotations

from pathlib import Path

import click

from kiosk.commands.common import centre_option, centre_passphrase
from kiosk.errors import KioskError
from kiosk.i18n import languages
from kiosk.ledger.centre import Centre

out_option = click.option("--out", "out", required=True,
                          type=click.Path(dir_okay=False, path_type=Path),
                          help="Write the PDF here.")
lang_option = click.option("--lang", "language", type=click.Choice(languages()), default=None,
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
    """The candidate's result sheet in one language (voided and absent candidates get one
    too, saying so); returns the result as a JSON-ready record."""
    from kiosk.documents import result_sheet_pdf, write_pdf
    from kiosk.exam_store import LOADED
    from kiosk.ledger.keys import fingerprint
    from kiosk.ledger.receipts import latest_receipts
    from kiosk.result_source import submitted_receipts
    from kiosk.results import RESULT_KINDS, compute_results

    lang = _language(centre, language)
    with centre.reader() as reader:
        events = list(reader.events(kind=RESULT_KINDS | {LOADED}))
    results = compute_results(centre, exam, events=events, passphrase=passphrase,
                              language=lang, listed=True)
    mine = [r for r in results if r.candidate == candidate]
    if not mine:
        raise KioskError(f"candidate {candidate!r} has no result"
                         + (f" in exam {exam!r}" if exam else "")
                         + " (a result needs a submitted attempt or an oral mark)")
    if len(mine) > 1:
        exams = ", ".join(r.exam for r in mine)
        raise KioskError(f"candidate {candidate!r} has results in several exams ({exams}): "
                         "choose one with --exam")
    result = mine[0]
    receipt = submitted_receipts(events).get(result.attempt, "")
    # The code after the attempt's latest mark, void or appeal decision: on paper, it anchors
    # that change (cutting it away later is caught by `kiosk verify --anchor`).
    latest = latest_receipts(events).get(result.attempt, "")
    write_pdf(result_sheet_pdf(result, centre=centre.name,
                               fingerprint=fingerprint(centre.public_key()), receipt=receipt,
                               latest_receipt=latest, language=lang), out)
    return {**result.to_dict(), "receipt": receipt, "latest_receipt": latest}


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
