"""`kiosk oral draw|record|timer|cards`: the oral part before the board (kiosk.domain.oral)."""

from __future__ import annotations

import secrets
import time
from datetime import date as Date
from datetime import datetime, timedelta
from pathlib import Path

import click

from kiosk.commands.common import centre_option, centre_passphrase
from kiosk.domain import oral as O
from kiosk.domain.exams import Exam
from kiosk.errors import KioskError
from kiosk.ledger.centre import Centre
from kiosk.ledger.store import Ledger


def _exam(centre: Centre, exam_id: str, passphrase: str | None) -> Exam:
    from kiosk.exam_store import exam_and_banks

    return exam_and_banks(centre, exam_id, passphrase)[0]


def oral_part(exam: Exam, part_id: str | None) -> O.OralPart:
    try:
        from kiosk.plugins import regime_rules

        parts = O.oral_parts(exam.extra, exam.regime, regime_rules())
    except O.OralConfigError as exc:
        raise KioskError(f"exam {exam.id!r}: {exc}") from None
    if not parts:
        raise KioskError(f"exam {exam.id!r} has no oral part ([exam.oral] with its cards)")
    if part_id is None:
        if len(parts) > 1:
            raise KioskError(f"exam {exam.id!r} has {len(parts)} oral parts: give --part "
                             f"({', '.join(p.id for p in parts)})")
        return parts[0]
    for p in parts:
        if p.id == part_id:
            return p
    raise KioskError(f"exam {exam.id!r}: no oral part {part_id!r} "
                     f"(known: {', '.join(p.id for p in parts)})")


def _candidates(ledger: Ledger, exam_id: str, candidate: str | None, sitting: str | None
                ) -> list[str]:
    from kiosk.domain.roster import roster
    from kiosk.domain.sittings import KINDS, sittings

    registered = roster(ledger)
    if candidate:
        match = next((c for c in registered if c.casefold() == candidate.casefold()), None)
        if match is None:
            raise KioskError(f"--candidate: {candidate!r} is not registered")
        return [match]
    if sitting:
        found = sittings(ledger.events(kind=KINDS)).get(sitting)
        if found is None:
            raise KioskError(f"--sitting: no sitting {sitting!r}")
        if found.exam != exam_id:
            raise KioskError(f"--sitting: sitting {sitting} is for exam {found.exam!r}, not "
                             f"{exam_id!r}")
        return list(found.candidates)
    raise KioskError("give --candidate ID or --sitting ID")


class DrawRefused(KioskError):
    """This candidate may not draw now (nothing was written)."""


def draw_card(ledger: Ledger, exam: Exam, part: O.OralPart, candidate: str, day: str,
              replacement: bool, actor: str, prep_minutes: int | None = None
              ) -> tuple[O.Card, int]:
    """Draw at random and record the draw; (card, event seq)."""
    state = O.fold_events(ledger.events(kind=O.KINDS))
    from kiosk.plugins import registry

    regime = registry().regimes.get(exam.regime)
    refusal = O.draw_refusal(part, state, exam.id, candidate, day, replacement,
                             getattr(regime, "replacement_card", True))
    if refusal:
        raise DrawRefused(f"{candidate}: {refusal}")
    cards = O.available_cards(part, state, exam.id, candidate, day, replacement)
    if not cards:
        raise KioskError(f"exam {exam.id!r}, oral part {part.id!r}: no card left to draw")
    card = secrets.SystemRandom().choice(cards)
    event = ledger.append(O.CARD_DRAWN, {
        "exam": exam.id, "part": part.id, "candidate": candidate, "card": card.id,
        "replacement": replacement, "date": day, "from_cards": len(cards),
        **({"prep_minutes": prep_minutes} if prep_minutes is not None else {}),
    }, actor=actor)
    return card, event.seq


@click.group("oral")
def oral_group() -> None:
    """Oral parts: draw a topic card, time the preparation, record the grade or points."""


@oral_group.command("cards")
@click.option("--exam", "exam_id", required=True)
@click.option("--part", "part_id", default=None)
@centre_option
def oral_cards(exam_id: str, part_id: str | None, centre_dir: Path) -> None:
    """List the exam's topic cards."""
    centre = Centre.open(centre_dir)
    part = oral_part(_exam(centre, exam_id, centre_passphrase(centre)), part_id)
    for c in part.cards:
        click.echo(f"{c.id}: {c.title}")


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
    from kiosk import marking

    centre = Centre.open(centre_dir)
    passphrase = centre_passphrase(centre)
    exam = _exam(centre, exam_id, passphrase)
    part = oral_part(exam, part_id)
    if not part.cards:
        raise KioskError(f"exam {exam_id!r}, oral part {part.id!r} lists no cards")
    day = Date.today().isoformat()
    with centre.ledger(passphrase) as ledger:
        from kiosk.domain.roster import roster

        name = marking.cli_examiner(ledger, user)
        people = roster(ledger)
        refused = 0
        for cid in _candidates(ledger, exam_id, candidate, sitting):
            # The candidate's special-needs preparation extension (roster oral_prep_minutes,
            # capped per regime when the sitting was created).
            extra = people[cid].accommodations.oral_prep_minutes if cid in people else 0
            prep = part.prep_minutes + extra
            try:
                card, seq = draw_card(ledger, exam, part, cid, day, replacement,
                                      marking.examiner_actor(name), prep)
            except DrawRefused as exc:
                # A whole sitting goes on past a candidate who already drew (a restart after
                # an interruption must not stop at the first of them).
                if sitting is None:
                    raise
                refused += 1
                click.echo(f"skipped {exc}")
                continue
            until = (datetime.now() + timedelta(minutes=prep)).strftime("%H:%M")
            kind = "replacement card (póttétel)" if replacement else "card"
            click.echo(f"{cid}: {kind} {card.id} – {card.title} (event #{seq})")
            for label, text in (("a)", card.a), ("b)", card.b)):
                if text:
                    click.echo(f"    {label} {text}")
            more = f" + {extra} (special needs)" if extra else ""
            click.echo(f"    preparation: {part.prep_minutes}{more} minutes, the answer may "
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
    from kiosk import marking

    if (grade is None) == (points is None):
        raise KioskError("give --grade N or --points P (one of them)")
    if day is not None:
        try:
            day = Date.fromisoformat(day).isoformat()
        except ValueError:
            raise KioskError(f"--date: {day!r} is not a date (YYYY-MM-DD)") from None
    day = day or Date.today().isoformat()
    centre = Centre.open(centre_dir)
    passphrase = centre_passphrase(centre)
    exam = _exam(centre, exam_id, passphrase)
    part = oral_part(exam, part_id)
    if grade is not None and part.max_points is not None:
        raise KioskError(f"oral part {part.id!r} is marked in points (0–{part.max_points:g}): "
                         "use --points")
    if points is not None:
        if part.max_points is None:
            raise KioskError(f"oral part {part.id!r} is graded 1–5 (no max_points): use --grade")
        if not 0 <= points <= part.max_points:
            raise KioskError(f"--points: must be 0–{part.max_points:g}, got {points:g}")
    with centre.ledger(passphrase) as ledger:
        name = marking.cli_examiner(ledger, user)
        cid = _candidates(ledger, exam_id, candidate, None)[0]
        oral_state = O.fold_events(ledger.events(kind=O.KINDS))
        refusal = O.record_refusal(part, oral_state, exam_id, cid, day)
        if refusal:
            raise KioskError(f"{cid}: {refusal}")
        draws = oral_state.draws_for(exam_id, cid, part.id, day)
        replacement = any(d.replacement for d in draws)
        body: dict[str, object] = {"exam": exam_id, "part": part.id, "candidate": cid,
                                   "date": day, "replacement": replacement,
                                   "card": draws[-1].card if draws else ""}
        if grade is not None:
            body["grade"] = grade
        else:
            body["points"] = points
            body["max_points"] = part.max_points
        event = ledger.append(O.MARKED, body, actor=marking.examiner_actor(name))
    what = f"grade {grade}" if grade is not None else f"{points:g}/{part.max_points:g} points"
    note = ""
    if replacement and points is not None:
        from kiosk.domain.regimes import halve_round_up

        note = f" — replacement card: counts as {halve_round_up(points)} points"
    click.echo(f"{cid}: oral {part.id} {what}{note} (event #{event.seq})")


@oral_group.command("timer")
@click.option("--exam", "exam_id", required=True)
@click.option("--part", "part_id", default=None)
@click.option("--minutes", type=int, default=None, help="Longer than the exam's preparation "
              "time if the board wishes; never shorter.")
@centre_option
def oral_timer(exam_id: str, part_id: str | None, minutes: int | None, centre_dir: Path) -> None:
    """A preparation countdown in the terminal (Ctrl-C stops it)."""
    centre = Centre.open(centre_dir)
    exam = _exam(centre, exam_id, centre_passphrase(centre))
    part = oral_part(exam, part_id)
    total = minutes if minutes is not None else part.prep_minutes
    if total < part.prep_minutes:
        raise KioskError(f"--minutes: the preparation is at least {part.prep_minutes} minutes "
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
