"""`kiosk oral draw|record|timer|cards`: the oral part before the board (kiosk.domain.oral).
Thin: the `oral.*` use cases of kiosk/service/rooms/oral.py decide and append."""

from __future__ import annotations

import time
from datetime import date as Date
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import click

from kiosk.commands.common import centre_calls, centre_option
from kiosk.errors import KioskError

EXAMINER_ROLE = ("examiner",)


def _part(centre_dir: Path, exam_id: str, part_id: str | None, user: str | None
          ) -> dict[str, Any]:
    with centre_calls(centre_dir, user=user) as calls:
        return dict(calls.call("oral.part", exam=exam_id, part=part_id))


@click.group("oral")
def oral_group() -> None:
    """Oral parts: draw a topic card, time the preparation, record the grade or points."""


@oral_group.command("cards")
@click.option("--exam", "exam_id", required=True)
@click.option("--part", "part_id", default=None)
@click.option("--user", "user", default=None, help="An examiner (password: $KIOSK_PASSWORD or "
              "asked); without it, the centre's operator account.")
@centre_option
def oral_cards(exam_id: str, part_id: str | None, user: str | None, centre_dir: Path) -> None:
    """List the exam's topic cards."""
    for c in _part(centre_dir, exam_id, part_id, user)["cards"]:
        click.echo(f"{c['id']}: {c['title']}")


@oral_group.command("draw")
@click.option("--exam", "exam_id", required=True)
@click.option("--candidate", default=None, help="One candidate.")
@click.option("--sitting", default=None, help="Every candidate of this sitting, in order.")
@click.option("--part", "part_id", default=None, help="The oral part (when there are several).")
@click.option("--replacement", is_flag=True, help="A replacement card (póttétel): the points "
              "are halved, rounded up.")
@click.option("--user", "user", required=True, help="The examiner recording for the board.")
@centre_option
def oral_draw(exam_id: str, candidate: str | None, sitting: str | None, part_id: str | None,
              replacement: bool, user: str, centre_dir: Path) -> None:
    """Draw a topic card at random; the draw is recorded in the ledger."""
    with centre_calls(centre_dir, user=user, roles=EXAMINER_ROLE) as calls:
        drawn = calls.call("oral.draw", exam=exam_id, candidate=candidate, sitting=sitting,
                           part=part_id, replacement=replacement)
    refused = 0
    for d in drawn:
        if "skipped" in d:
            refused += 1
            click.echo(f"skipped {d['skipped']}")
            continue
        card, extra = d["card"], d["extra_minutes"]
        prep = d["prep_minutes"] + extra
        until = (datetime.now() + timedelta(minutes=prep)).strftime("%H:%M")
        kind = "replacement card (póttétel)" if replacement else "card"
        click.echo(f"{d['candidate']}: {kind} {card['id']} – {card['title']} "
                   f"(event #{d['seq']})")
        for label, text in (("a)", card["a"]), ("b)", card["b"])):
            if text:
                click.echo(f"    {label} {text}")
        more = f" + {extra} (special needs)" if extra else ""
        click.echo(f"    preparation: {d['prep_minutes']}{more} minutes, the answer may "
                   f"start at {until}")
    if refused:
        click.echo(f"{refused} candidate(s) skipped (see above)")


@oral_group.command("record")
@click.option("--exam", "exam_id", required=True)
@click.option("--candidate", required=True)
@click.option("--part", "part_id", default=None)
@click.option("--grade", type=click.IntRange(1, 5), default=None, help="The board's grade 1–5.")
@click.option("--points", type=float, default=None, help="Points (for points-based orals), as "
              "given: a póttétel is halved when results are computed.")
@click.option("--date", "day", default=None, help="The exam day (default today), YYYY-MM-DD.")
@click.option("--user", "user", required=True, help="The examiner recording for the board.")
@centre_option
def oral_record(exam_id: str, candidate: str, part_id: str | None, grade: int | None,
                points: float | None, day: str | None, user: str, centre_dir: Path) -> None:
    """Record the oral part's grade or points."""
    if (grade is None) == (points is None):
        raise KioskError("give --grade N or --points P (one of them)")
    if day is not None:
        try:
            day = Date.fromisoformat(day).isoformat()
        except ValueError:
            raise KioskError(f"--date: {day!r} is not a date (YYYY-MM-DD)") from None
    with centre_calls(centre_dir, user=user, roles=EXAMINER_ROLE) as calls:
        done = calls.call("oral.record", exam=exam_id, candidate=candidate, part=part_id,
                          grade=grade, points=points, date=day)
    top = done["max_points"]
    what = f"grade {grade}" if grade is not None else f"{points:g}/{top:g} points"
    note = ""
    if done["replacement"] and points is not None:
        from kiosk.domain.regimes import halve_round_up

        note = f" — replacement card: counts as {halve_round_up(points)} points"
    click.echo(f"{done['candidate']}: oral {done['part']} {what}{note} (event #{done['seq']})")


@oral_group.command("timer")
@click.option("--exam", "exam_id", required=True)
@click.option("--part", "part_id", default=None)
@click.option("--minutes", type=int, default=None, help="Longer than the exam's preparation "
              "time if the board wishes; never shorter.")
@click.option("--user", "user", default=None, help="An examiner (password: $KIOSK_PASSWORD or "
              "asked); without it, the centre's operator account.")
@centre_option
def oral_timer(exam_id: str, part_id: str | None, minutes: int | None, user: str | None,
               centre_dir: Path) -> None:
    """A preparation countdown in the terminal (Ctrl-C stops it)."""
    prep_minutes = int(_part(centre_dir, exam_id, part_id, user)["prep_minutes"])
    total = minutes if minutes is not None else prep_minutes
    if total < prep_minutes:
        raise KioskError(f"--minutes: the preparation is at least {prep_minutes} minutes "
                         f"for this exam, got {total}")
    end = time.monotonic() + total * 60
    click.echo(f"Preparation: {total} minutes, until "
               f"{(datetime.now() + timedelta(minutes=total)).strftime('%H:%M')}")
    try:
        while (left := end - time.monotonic()) > 0:
            click.echo(f"\r{int(left // 60):02d}:{int(left % 60):02d} left ", nl=False)
            time.sleep(min(1.0, left))
    except KeyboardInterrupt:
        click.echo("\nstopped")
        return
    click.echo("\rPreparation time is over: the answer may start.")


COMMANDS = [oral_group]
