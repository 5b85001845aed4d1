"""`kiosk record absence|exclusion|exemption`: signed records that change what a result means.

Each appends one event of kiosk.domain.exam_records, with the examiner's name as its actor
(password from $KIOSK_PASSWORD or asked; the `record.*` use cases of
kiosk/service/rooms/records.py decide and append): an exemption is never a line in an exam file but a
decision someone granted on stated grounds, visible in results and in the minutes.
"""

from __future__ import annotations

from pathlib import Path

import click

from kiosk.commands.common import centre_calls, centre_option

EXAMINER_ROLE = ("examiner",)


def append_record(centre_dir: Path, user: str, use_case: str, **args: object
                  ) -> tuple[str, int]:
    """One `record.*` use case under the examiner's name; (candidate id, event seq)."""
    with centre_calls(centre_dir, user=user, roles=EXAMINER_ROLE) as calls:
        done = calls.call(use_case, **args)
    return str(done["candidate"]), int(done["seq"])


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
    cid, seq = append_record(centre_dir, user, "record.absence", exam=exam_id,
                             candidate=candidate, date=day, excused=excused,
                             interrupted=interrupted, reason=reason)
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
    cid, seq = append_record(centre_dir, user, "record.exclusion", exam=exam_id,
                             candidate=candidate, date=day, reason=reason,
                             irregularity_seq=irregularity_seq)
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
    cid, seq = append_record(centre_dir, user, "record.exemption", exam=exam_id,
                             candidate=candidate, target=target, grounds=grounds,
                             granted_by=granted_by, document=document)
    click.echo(f"{cid}: exempt from {target} (event #{seq})")


COMMANDS = [record_group]
