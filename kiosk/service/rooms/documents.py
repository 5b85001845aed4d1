"""The documents to print, sign and file (`kiosk minutes`, `kiosk documents minutes|
result-sheet`): a sitting's minutes (jegyzőkönyv) and a candidate's result sheet. The service
decides what they say — the minutes folded from its ledger, the result by the one result path
(kiosk.results.compute_results, exactly as `results.compute`), the receipt codes and the
centre's key fingerprint — and answers with that content as plain data; the client typesets it
with the PDF code where it lives (kiosk.minutes.minutes_pdf, kiosk.documents.result_sheet_pdf).

Why the content and not the PDF's bytes: a reading use case runs on the service's threads
beside the candidates' saves, and typesetting (fpdf2 laying out tables, subsetting the DejaVu
fonts) is pure-Python CPU work under the same interpreter lock — for the demo sitting's
minutes ~75 ms of typesetting against ~2 ms to collect them —; in the staff's own process it
costs the centre's latency nothing. Nothing of authority is lost: every word and number on the
page comes from this answer, and a PDF is a rendering its holder could re-edit either way.
The text minutes and the PDF also stay one `Minutes` value rendered twice, so they never
disagree.
"""

from __future__ import annotations

from typing import Any

from kiosk.errors import KioskError
from kiosk.service.rooms.invigilation import ROOM_READERS
from kiosk.service.rooms.results import READERS
from kiosk.service.usecases import Context, use_case

#: The minutes: the room's staff (who sign them) and the office.
MINUTES_READERS = ROOM_READERS
#: A result sheet shows one candidate's result: whoever may read the results.
SHEET_READERS = READERS


@use_case("documents.minutes", roles=MINUTES_READERS, writes=False)
def minutes(ctx: Context, *, sitting: str, language: str | None = None) -> dict[str, Any]:
    """The minutes of `sitting` in one language (default: the centre's): `text` as
    `kiosk minutes` prints it, and `minutes`, the same content as data
    (`kiosk.minutes.Minutes.from_dict`) for the PDF."""
    from kiosk.minutes import collect_minutes, render_text

    _texts(sitting=sitting, language=language)
    found = collect_minutes(ctx.centre, sitting, language=language, ledger=ctx.ledger)
    return {"sitting": sitting, "language": found.language, "text": render_text(found),
            "minutes": found}


@use_case("documents.result_sheet", roles=SHEET_READERS, writes=False, needs_key=True)
def result_sheet(ctx: Context, *, candidate: str, exam: str | None = None,
                 language: str | None = None) -> dict[str, Any]:
    """What one candidate's result sheet says (voided and absent candidates get one too,
    saying so): the result (`CandidateResult.from_dict`), its receipt codes, the centre's name
    and key fingerprint, in one language. One clear error when the candidate has no result or
    results in several exams and no `exam` was given."""
    from kiosk.exam_store import LOADED
    from kiosk.i18n import centre_language
    from kiosk.ledger.keys import fingerprint
    from kiosk.ledger.receipts import latest_receipts
    from kiosk.result_source import submitted_receipts
    from kiosk.results import RESULT_KINDS, compute_results

    _texts(candidate=candidate, exam=exam, language=language)
    lang = centre_language(ctx.centre.config(), language)
    events = list(ctx.ledger.events(kind=RESULT_KINDS | {LOADED}))
    results = compute_results(ctx.centre, exam, events=events, passphrase=ctx.passphrase,
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
    return {
        "language": lang,
        "centre": ctx.centre.name,
        "fingerprint": fingerprint(ctx.centre.public_key()),
        "receipt": submitted_receipts(events).get(result.attempt, ""),
        # The code after the attempt's latest mark, void or appeal decision: on paper, it
        # anchors that change (cutting it away later is caught by `kiosk verify --anchor`).
        "latest_receipt": latest_receipts(events).get(result.attempt, ""),
        "result": result.to_dict(),
    }


def _texts(**args: Any) -> None:
    """Arguments from the socket are whatever JSON a caller sent: each must be text (or absent)."""
    for name, value in args.items():
        if value is not None and not isinstance(value, str):
            raise KioskError(f"{name}: expected text, got {type(value).__name__}")
