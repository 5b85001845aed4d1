"""`kiosk record absence|exclusion|exemption`: signed records that change what a result means.

Each appends one event of kiosk.domain.exam_records, with the examiner's name as its actor
(password from $KIOSK_PASSWORD or asked): an exemption is never a line in an exam file but a
decision someone granted on stated grounds, visible in results and in the minutes.
"""

from __future__ import annotations

from datetime import date as Date
from pathlib import Path

import click

from kiosk.commands.common import centre_option, writable_ledger
from kiosk.domain import exam_records as X
from kiosk.domain.roster import roster
from kiosk.errors import KioskError
from kiosk.ledger.centre import Centre
from kiosk.ledger.store import Ledger

MAX_TEXT = 1000


def _text(value: str, what: str) -> str:
    value = " ".join(value.split())
    if not value:
        raise KioskError(f"{what} is required")
    if len(value) > MAX_TEXT:
        raise KioskError(f"{what}: at most {MAX_TEXT} characters")
    return value


def _day(value: str | None) -> str:
    if value is None:
        return Date.today().isoformat()
    try:
        return Date.fromisoformat(value).isoformat()
    except ValueError:
        raise KioskError(f"--date: expected YYYY-MM-DD, got {value!r}") from None


def _check(ledger: Ledger, exam_id: str, candidate: str) -> str:
    from kiosk.exam_store import LOADED, latest_loads

    if exam_id not in latest_loads(ledger.events(kind=LOADED)):
        raise KioskError(f"--exam: exam {exam_id!r} is not loaded in this centre")
    match = next((c for c in roster(ledger) if c.casefold() == candidate.casefold()), None)
    if match is None:
        raise KioskError(f"--candidate: {candidate!r} is not registered")
    return match


def append_record(centre_dir: Path, user: str, kind: str, exam_id: str, candidate: str,
                  body: dict[str, object]) -> tuple[str, int]:
    from kiosk import marking

    centre = Centre.open(centre_dir)
    with writable_ledger(centre) as ledger:
        name = marking.cli_examiner(ledger, user)
        cid = _check(ledger, exam_id, candidate)
        event = ledger.append(kind, {"exam": exam_id, "candidate": cid, **body},
                              actor=marking.examiner_actor(name))
    return cid, event.seq


@click.group("record")
def record_group() -> None:
    """Absences, exclusions and exemptions: signed records the results rest on."""


_common = [
    click.option("--exam", "exam_id", required=True, help="The id of a loaded exam."),
    click.option("--candidate", required=True),
    click.option("--user", required=True, help="The examiner recording it."),
    centre_option,
]


def _with_common(f):  # noqa: ANN001, ANN202
    for option in reversed(_common):
        f = option(f)
    return f


@record_group.command("absence")
@_with_common
@click.option("--reason", required=True, help="What happened, as the minutes say it.")
@click.option("--excused", is_flag=True,
              help="For a reason not the candidate's fault (make-up exam, Szkr 292. §).")
@click.option("--interrupted", is_flag=True, help="The candidate broke the exam off.")
@click.option("--date", "day", default=None, help="The exam day (default today), YYYY-MM-DD.")
def record_absence(exam_id: str, candidate: str, user: str, centre_dir: Path, reason: str,
                   excused: bool, interrupted: bool, day: str | None) -> None:
    """The candidate did not turn up or broke the exam off (Szkr 291. § (1) b)."""
    cid, seq = append_record(centre_dir, user, X.ABSENT, exam_id, candidate, {
        "date": _day(day), "excused": excused, "interrupted": interrupted,
        "reason": _text(reason, "--reason")})
    what = "broke off" if interrupted else "absent"
    click.echo(f"{cid}: {what}, {'excused' if excused else 'not excused'} (event #{seq})")


@record_group.command("exclusion")
@_with_common
@click.option("--reason", required=True, help="The irregularity and the decision.")
@click.option("--irregularity", "irregularity_seq", type=int, default=None,
              help="The event number of the irregularity record.")
@click.option("--date", "day", default=None, help="The exam day (default today), YYYY-MM-DD.")
def record_exclusion(exam_id: str, candidate: str, user: str, centre_dir: Path, reason: str,
                     irregularity_seq: int | None, day: str | None) -> None:
    """The candidate was barred from continuing after an irregularity (291. § (1) c)."""
    body: dict[str, object] = {"date": _day(day), "reason": _text(reason, "--reason")}
    if irregularity_seq is not None:
        body["irregularity_seq"] = irregularity_seq
    cid, seq = append_record(centre_dir, user, X.EXCLUDED, exam_id, candidate, body)
    click.echo(f"{cid}: excluded (event #{seq})")


@record_group.command("exemption")
@_with_common
@click.option("--target", required=True,
              help="The subject (hu-szakvizsga), activity (hu-szkr) or part id exempted.")
@click.option("--grounds", required=True, help="The legal grounds, e.g. \"Kttv. 118. § (9)\".")
@click.option("--granted-by", required=True, help="Who granted it (e.g. \"KTK\").")
@click.option("--document", default="", help="The decision's number or reference.")
def record_exemption(exam_id: str, candidate: str, user: str, centre_dir: Path, target: str,
                     grounds: str, granted_by: str, document: str) -> None:
    """An exemption granted to one candidate, with who granted it and on what grounds."""
    from kiosk.commands.common import centre_passphrase
    from kiosk.domain.oral import OralConfigError, oral_parts
    from kiosk.exam_store import exam_and_banks
    from kiosk.plugins import regime_rules

    centre = Centre.open(centre_dir)
    exam = exam_and_banks(centre, exam_id, centre_passphrase(centre))[0]
    known = [p.id for p in exam.parts]
    try:
        known += [p.id for p in oral_parts(exam.extra, exam.regime, regime_rules())]
    except OralConfigError:
        pass
    for key in ("subjects", "activities"):
        entries = exam.extra.get(key)
        if isinstance(entries, list):
            known += [str(e.get("id")) for e in entries if isinstance(e, dict)]
    from kiosk.plugins import registry

    regime = registry().regimes.get(exam.regime)
    if getattr(regime, "groups", "parts") == "subjects" and not exam.extra.get("subjects"):
        known.append("kotelezo")  # an exam file per subject: its one subject
    if target not in known:
        raise KioskError(f"--target: exam {exam_id!r} has no subject, activity or part "
                         f"{target!r} (known: {', '.join(dict.fromkeys(known))})")
    cid, seq = append_record(centre_dir, user, X.EXEMPTION, exam_id, candidate, {
        "target": _text(target, "--target"), "grounds": _text(grounds, "--grounds"),
        "granted_by": _text(granted_by, "--granted-by"),
        "document": " ".join(document.split())})
    click.echo(f"{cid}: exempt from {target} (event #{seq})")


COMMANDS = [record_group]
