"""`kiosk mark` (the marking app), `kiosk mark-set` / `kiosk remark` (one mark from a script)
and `kiosk mark-queue` (what is left to mark, by item, with anonymous codes only)."""

from __future__ import annotations

from pathlib import Path

import click

from kiosk.commands.common import centre_calls, centre_option, echo_json
from kiosk.errors import KioskError


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


EXAMINER_ROLE = ("examiner",)


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
    crit = parse_criteria(criteria)
    with centre_calls(centre_dir, user=user, roles=EXAMINER_ROLE) as calls:
        done = calls.call("marking.mark", attempt=attempt, item=item, points=points,
                          criteria=crit, comment=comment)
    click.echo(f"Marked {done['code']} {done['item']}: {done['points']:g} points, round "
               f"{done['round']} (event #{done['seq']})")


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
    crit = parse_criteria(criteria)
    with centre_calls(centre_dir, user=user, roles=EXAMINER_ROLE) as calls:
        done = calls.call("marking.remark", seq=seq, points=points, criteria=crit,
                          comment=comment)
    click.echo(f"Re-marked #{seq}: {done['points']:g} points (event #{done['seq']})")


@click.command("mark-queue")
@centre_option
@click.option("--exam", "exam_id", default=None)
@click.option("--json", "as_json", is_flag=True)
@click.option("--user", "user", default=None, help="An examiner: their own queue (password: "
              "$KIOSK_PASSWORD or asked); without it, the centre's operator sees all.")
def mark_queue_command(centre_dir: Path, exam_id: str | None, as_json: bool,
                       user: str | None) -> None:
    """Responses waiting for a human mark, by item (anonymous codes, never names)."""
    with centre_calls(centre_dir, user=user) as calls:
        groups = calls.call("marking.queue", exam=exam_id)
    if as_json:
        echo_json(groups)
        return
    if not groups:
        click.echo("Nothing to mark.")
        return
    for g in groups:
        click.echo(f"{g['exam']} {g['item']}: {len(g['waiting'])} waiting, {g['done']} done")
        for e in g["waiting"]:
            click.echo(f"  {e['code']}  round {e['round']}")


COMMANDS = [mark_set_command, remark_command, mark_queue_command]
