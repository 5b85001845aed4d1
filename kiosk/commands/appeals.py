"""`kiosk review open|close` (the betekintés window) and `kiosk appeal lodge|list|decide`.
Thin: the centre's `review.*` and `appeal.*` use cases (kiosk/service/rooms/marking.py)."""

from __future__ import annotations

from pathlib import Path

import click

from kiosk.commands.common import centre_calls, centre_option, echo_json
from kiosk.commands.marking_cmd import EXAMINER_ROLE, POINTS


@click.group("review")
def review_group() -> None:
    """The review window (betekintés) of an exam that allows review."""


@review_group.command("open")
@click.option("--exam", "exam_id", required=True)
@click.option("--user", "user", required=True, help="The examiner.")
@centre_option
def review_open(exam_id: str, user: str, centre_dir: Path) -> None:
    """Open the review window: candidates may see their marked paper and object."""
    with centre_calls(centre_dir, user=user, roles=EXAMINER_ROLE) as calls:
        done = calls.call("review.open", exam=exam_id)
    click.echo(f"Review of {exam_id} open (event #{done['seq']})")


@review_group.command("close")
@click.option("--exam", "exam_id", required=True)
@click.option("--user", "user", required=True, help="The examiner.")
@centre_option
def review_close(exam_id: str, user: str, centre_dir: Path) -> None:
    """Close the review window: no more objections."""
    with centre_calls(centre_dir, user=user, roles=EXAMINER_ROLE) as calls:
        done = calls.call("review.close", exam=exam_id)
    click.echo(f"Review of {exam_id} closed (event #{done['seq']})")


@click.group("appeal")
def appeal_group() -> None:
    """Objections to marks and the board's final decisions."""


@appeal_group.command("lodge")
@click.option("--exam", "exam_id", required=True)
@click.option("--candidate", required=True, help="The candidate's id.")
@click.option("--item", required=True, help="The item objected to (item id).")
@click.option("--text", required=True, help="The objection.")
@click.option("--user", "user", default=None, help="The examiner taking it down (password: "
              "$KIOSK_PASSWORD or asked); without it, the centre's operator account.")
@centre_option
def appeal_lodge(exam_id: str, candidate: str, item: str, text: str, user: str | None,
                 centre_dir: Path) -> None:
    """Record a candidate's objection during the review window."""
    with centre_calls(centre_dir, user=user) as calls:
        done = calls.call("appeal.lodge", exam=exam_id, candidate=candidate, item=item,
                          text=text)
    click.echo(f"Objection recorded: #{done['seq']} ({done['item']})")


@appeal_group.command("list")
@click.option("--exam", "exam_id", default=None)
@click.option("--json", "as_json", is_flag=True)
@click.option("--user", "user", default=None, help="An examiner (password: $KIOSK_PASSWORD or "
              "asked); without it, the centre's operator account.")
@centre_option
def appeal_list(exam_id: str | None, as_json: bool, user: str | None, centre_dir: Path) -> None:
    """Objections and their decisions."""
    with centre_calls(centre_dir, user=user) as calls:
        rows = calls.call("appeal.list", exam=exam_id)
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo("No objections.")
    for r in rows:
        status = f"decided #{r['decision']}: {r['points']:g} points" if r["decided"] else "open"
        click.echo(f"#{r['appeal']} {r['exam']} {r['candidate']} {r['item']}: {status} — "
                   f"{r['text']}")


@appeal_group.command("decide")
@click.argument("appeal_seq", metavar="APPEAL", type=int)
@click.option("--points", required=True, type=POINTS, help="The response's final points "
              "(a decimal comma or point).")
@click.option("--user", "user", required=True, help="The examiner recording the board's "
              "decision.")
@click.option("--comment", default="")
@centre_option
def appeal_decide(appeal_seq: int, points: float, user: str, comment: str,
                  centre_dir: Path) -> None:
    """Record the board's decision on objection APPEAL (final: it cannot be decided again)."""
    with centre_calls(centre_dir, user=user, roles=EXAMINER_ROLE) as calls:
        done = calls.call("appeal.decide", appeal=appeal_seq, points=points, comment=comment)
    click.echo(f"Decided #{appeal_seq}: {points:g} points (event #{done['seq']}); final")


COMMANDS = [review_group, appeal_group]
