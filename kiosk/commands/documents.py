"""`kiosk documents minutes|result-sheet`: the PDFs to print, sign and file. Thin: the centre
service says what they contain (`documents.*` use cases, kiosk/service/rooms/documents.py: the
minutes folded from the ledger, the result by the one result path); these commands typeset that
answer and write the file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kiosk.commands.common import centre_calls, centre_option
from kiosk.i18n import languages

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from kiosk.ledger.centre import Centre

out_option = click.option("--out", "out", required=True,
                          type=click.Path(dir_okay=False, path_type=Path),
                          help="Write the PDF here.")
lang_option = click.option("--lang", "language", type=click.Choice(languages()), default=None,
                           help="Language of the document (default: the centre's).")


def user_option(role: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option("--user", "user", default=None,
                        help=f"Log in as this {role} (password: $KIOSK_PASSWORD or asked); "
                        "without it, the centre's operator account.")


# --- typesetting the service's answer (in this process, see rooms/documents.py for why) -------


def minutes_pdf_bytes(reply: Mapping[str, Any]) -> bytes:
    """The PDF of a `documents.minutes` answer."""
    from kiosk.minutes import Minutes, minutes_pdf

    return minutes_pdf(Minutes.from_dict(reply["minutes"]))


def result_sheet_bytes(reply: Mapping[str, Any]) -> bytes:
    """The PDF of a `documents.result_sheet` answer."""
    from kiosk.documents import result_sheet_pdf
    from kiosk.results import CandidateResult

    return result_sheet_pdf(CandidateResult.from_dict(reply["result"]), centre=reply["centre"],
                            fingerprint=reply["fingerprint"], receipt=reply["receipt"],
                            latest_receipt=reply["latest_receipt"], language=reply["language"])


def sheet_record(reply: Mapping[str, Any]) -> dict[str, Any]:
    """The result on a sheet as one JSON-ready record (the result's fields and its codes)."""
    return {**reply["result"], "receipt": reply["receipt"],
            "latest_receipt": reply["latest_receipt"]}


def write_out(data: bytes, out: Path) -> None:
    from kiosk.documents import write_pdf

    write_pdf(data, out)


# --- the same, for a process of the centre's own account (scripts, tests) --------------------


def write_minutes_pdf(centre: Centre, sitting_id: str, out: Path,
                      language: str | None = None) -> None:
    """The sitting's minutes as a PDF, by the service's use case run in this process."""
    from kiosk.service.usecases import LocalCalls

    calls = LocalCalls(centre)
    try:
        reply = calls.call("documents.minutes", sitting=sitting_id, language=language)
    finally:
        calls.close()
    write_out(minutes_pdf_bytes(reply), out)


def write_result_sheet(centre: Centre, candidate: str, out: Path, *, exam: str | None = None,
                       language: str | None = None,
                       passphrase: str | None = None) -> dict[str, Any]:
    """The candidate's result sheet, by the service's use case run in this process; returns
    the result as a JSON-ready record."""
    from kiosk.service.usecases import LocalCalls

    calls = LocalCalls(centre, passphrase)
    try:
        reply = calls.call("documents.result_sheet", candidate=candidate, exam=exam,
                           language=language)
    finally:
        calls.close()
    write_out(result_sheet_bytes(reply), out)
    return sheet_record(reply)


# --- the commands ----------------------------------------------------------------------------


@click.group("documents")
def documents_group() -> None:
    """PDF documents: a sitting's minutes, a candidate's result sheet."""


@documents_group.command("minutes")
@click.argument("sitting_id", metavar="SITTING")
@out_option
@centre_option
@lang_option
@user_option("invigilator, examiner or admin")
def documents_minutes(sitting_id: str, out: Path, centre_dir: Path,
                      language: str | None, user: str | None) -> None:
    """The minutes of SITTING as a PDF, with signature lines."""
    with centre_calls(centre_dir, user=user) as calls:
        reply = calls.call("documents.minutes", sitting=sitting_id, language=language)
    write_out(minutes_pdf_bytes(reply), out)
    click.echo(f"Minutes of {sitting_id} written to {out}")


@documents_group.command("result-sheet")
@click.option("--candidate", required=True, help="The candidate's id.")
@click.option("--exam", default=None, help="The exam (needed when the candidate sat several).")
@out_option
@centre_option
@lang_option
@user_option("examiner or admin")
def documents_result_sheet(candidate: str, exam: str | None, out: Path, centre_dir: Path,
                           language: str | None, user: str | None) -> None:
    """A candidate's result sheet as a PDF: parts, points, grade, outcome, receipt code, the
    centre's key fingerprint and signature lines."""
    with centre_calls(centre_dir, user=user) as calls:
        reply = calls.call("documents.result_sheet", candidate=candidate, exam=exam,
                           language=language)
    write_out(result_sheet_bytes(reply), out)
    click.echo(f"Result sheet of {candidate} ({reply['result'].get('exam')}) written to {out}")


COMMANDS = [documents_group]
