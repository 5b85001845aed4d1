"""`kiosk mark` (the marking app), `kiosk mark-set` / `kiosk remark` (one mark from a script)
and `kiosk mark-queue` (what is left to mark, by item, with anonymous codes only)."""

from __future__ import annotations

from pathlib import Path

import click

from kiosk.commands.common import centre_option, centre_passphrase, echo_json
from kiosk.errors import KioskError
from kiosk.i18n import languages
from kiosk.ledger.centre import Centre


class PointsParam(click.ParamType):
    """Points as a marker types them: "1,5" or "1.5"."""

    name = "points"

    def convert(self, value: object, param: click.Parameter | None,
                ctx: click.Context | None) -> float:
        from kiosk.domain.marking_view import parse_points

        if isinstance(value, int | float):
            return float(value)
        parsed = parse_points(str(value))
        if parsed is None:
            self.fail(f"{value!r} is not a number of points (e.g. 7 or 1,5)", param, ctx)
        return parsed


POINTS = PointsParam()


def parse_criteria(values: tuple[str, ...]) -> dict[str, float]:
    out: dict[str, float] = {}
    for raw in values:
        name, sep, value = raw.rpartition("=")
        if not sep or not name.strip():
            raise KioskError(f"--criterion {raw!r}: expected NAME=POINTS")
        try:
            out[name.strip()] = float(value.replace(",", "."))
        except ValueError:
            raise KioskError(f"--criterion {raw!r}: {value!r} is not a number") from None
    return out


@click.command("mark")
@centre_option
@click.option("--lang", "language", type=click.Choice(languages()), default=None,
              help="Interface language (default: the centre's).")
def mark_command(centre_dir: Path, language: str | None) -> None:
    """The marking app: log in as an examiner, mark responses item by item, anonymously."""
    centre = Centre.open(centre_dir)
    # Asked (and checked) before the full-screen app takes the terminal.
    passphrase = centre_passphrase(centre)
    centre.ledger(passphrase).close()
    from kiosk.apps.examiner.app import ExaminerApp

    ExaminerApp(centre.path, language=language, passphrase=passphrase).run()


@click.command("mark-set")
@click.argument("attempt")
@click.argument("item")
@click.argument("points", required=False, type=POINTS)
@click.option("--user", "user", required=True, help="The examiner (password: $KIOSK_PASSWORD "
              "or asked).")
@click.option("--criterion", "criteria", multiple=True, metavar="NAME=POINTS",
              help="Points for one rubric criterion (repeatable); POINTS is then their sum.")
@click.option("--comment", default="", help="The marker's comment.")
@centre_option
def mark_set_command(attempt: str, item: str, points: float | None, user: str,
                     criteria: tuple[str, ...], comment: str, centre_dir: Path) -> None:
    """Mark one response: ATTEMPT is an attempt id or a marker's code, ITEM an item id."""
    from kiosk import marking

    centre = Centre.open(centre_dir)
    passphrase = centre_passphrase(centre)
    crit = parse_criteria(criteria)
    with centre.ledger(passphrase) as ledger:
        name = marking.cli_examiner(ledger, user)
        ctx = marking.load_context(centre, ledger, passphrase)
        attempt_id = ctx.resolve_attempt(attempt)
        state = ctx.states[attempt_id]
        key = ctx.resolve_item(state.exam, item, state)
        event = marking.record_mark(ledger, ctx, attempt_id, key, name, points=points,
                                    criteria=crit, comment=comment)
    code = marking.M.anon_code(attempt_id, ctx.key)
    click.echo(f"Marked {code} {key}: {event.body['points']:g} points, round "
               f"{event.body['round']} (event #{event.seq})")


@click.command("remark")
@click.argument("seq", type=int)
@click.argument("points", required=False, type=POINTS)
@click.option("--user", "user", required=True, help="The examiner.")
@click.option("--criterion", "criteria", multiple=True, metavar="NAME=POINTS")
@click.option("--comment", default="")
@centre_option
def remark_command(seq: int, points: float | None, user: str, criteria: tuple[str, ...],
                   comment: str, centre_dir: Path) -> None:
    """Re-mark: a new mark replacing mark event SEQ (which stays in the ledger)."""
    from kiosk import marking

    centre = Centre.open(centre_dir)
    passphrase = centre_passphrase(centre)
    with centre.ledger(passphrase) as ledger:
        name = marking.cli_examiner(ledger, user)
        ctx = marking.load_context(centre, ledger, passphrase)
        event = marking.record_remark(ledger, ctx, seq, name, points=points,
                                      criteria=parse_criteria(criteria), comment=comment)
    click.echo(f"Re-marked #{seq}: {event.body['points']:g} points (event #{event.seq})")


@click.command("mark-queue")
@centre_option
@click.option("--exam", "exam_id", default=None)
@click.option("--json", "as_json", is_flag=True)
def mark_queue_command(centre_dir: Path, exam_id: str | None, as_json: bool) -> None:
    """Responses waiting for a human mark, by item (anonymous codes, never names)."""
    from kiosk import marking

    centre = Centre.open(centre_dir)
    ctx = marking.load_context(centre, passphrase=centre_passphrase(centre), exam_id=exam_id)
    groups = ctx.queue()
    if as_json:
        echo_json([{"exam": g.exam, "item": g.item, "done": g.done,
                    "waiting": [{"code": e.code, "round": e.round} for e in g.entries]}
                   for g in groups])
        return
    if not groups:
        click.echo("Nothing to mark.")
        return
    for g in groups:
        click.echo(f"{g.exam} {g.item}: {len(g.entries)} waiting, {g.done} done")
        for e in g.entries:
            click.echo(f"  {e.code}  round {e.round}")


COMMANDS = [mark_command, mark_set_command, remark_command, mark_queue_command]
