"""`kiosk review open|close` (the betekintés window) and `kiosk appeal lodge|list|decide`."""

from __future__ import annotations

from pathlib import Path

import click

from kiosk.commands.common import centre_option, centre_passphrase, echo_json
from kiosk.commands.marking_cmd import POINTS
from kiosk.ledger.centre import Centre


@click.group("review")
def review_group() -> None:
    """The review window (betekintés) of an exam that allows review."""


@review_group.command("open")
@click.option("--exam", "exam_id", required=True)
@click.option("--user", "user", required=True, help="The examiner.")
@centre_option
def review_open(exam_id: str, user: str, centre_dir: Path) -> None:
    """Open the review window: candidates may see their marked paper and object."""
    from kiosk import marking

    centre = Centre.open(centre_dir)
    passphrase = centre_passphrase(centre)
    with centre.ledger(passphrase) as ledger:
        name = marking.cli_examiner(ledger, user)
        ctx = marking.load_context(centre, ledger, passphrase, exam_id=exam_id)
        event = marking.open_review(ledger, ctx, exam_id, name)
    click.echo(f"Review of {exam_id} open (event #{event.seq})")


@review_group.command("close")
@click.option("--exam", "exam_id", required=True)
@click.option("--user", "user", required=True, help="The examiner.")
@centre_option
def review_close(exam_id: str, user: str, centre_dir: Path) -> None:
    """Close the review window: no more objections."""
    from kiosk import marking

    centre = Centre.open(centre_dir)
    with centre.ledger(centre_passphrase(centre)) as ledger:
        name = marking.cli_examiner(ledger, user)
        event = marking.close_review(ledger, exam_id, name)
    click.echo(f"Review of {exam_id} closed (event #{event.seq})")


@click.group("appeal")
def appeal_group() -> None:
    """Objections to marks and the board's final decisions."""


@appeal_group.command("lodge")
@click.option("--exam", "exam_id", required=True)
@click.option("--candidate", required=True, help="The candidate's id.")
@click.option("--item", required=True, help="The item objected to (item id).")
@click.option("--text", required=True, help="The objection.")
@centre_option
def appeal_lodge(exam_id: str, candidate: str, item: str, text: str, centre_dir: Path) -> None:
    """Record a candidate's objection during the review window."""
    from kiosk import marking

    centre = Centre.open(centre_dir)
    passphrase = centre_passphrase(centre)
    with centre.ledger(passphrase) as ledger:
        ctx = marking.load_context(centre, ledger, passphrase, exam_id=exam_id)
        state = marking.latest_attempt(ctx, candidate, exam_id)
        event = marking.lodge_appeal(ledger, ctx, state.attempt, item, text,
                                     actor=f"candidate:{state.candidate}")
    click.echo(f"Objection recorded: #{event.seq} ({event.body['item']})")


@appeal_group.command("list")
@click.option("--exam", "exam_id", default=None)
@click.option("--json", "as_json", is_flag=True)
@centre_option
def appeal_list(exam_id: str | None, as_json: bool, centre_dir: Path) -> None:
    """Objections and their decisions."""
    from kiosk.domain import marking as M
    from kiosk.results import fold_attempts

    centre = Centre.open(centre_dir)
    with centre.reader() as reader:
        events = list(reader.events())
    states = fold_attempts(events)
    state = M.fold_events(events)
    rows = []
    for a in state.appeals.values():
        exam = states[a.attempt].exam if a.attempt in states else ""
        if exam_id is not None and exam != exam_id:
            continue
        d = a.decision
        rows.append({"appeal": a.seq, "exam": exam, "candidate": a.candidate,
                     "attempt": a.attempt, "item": a.item, "text": a.text,
                     "decided": d is not None, "points": d.points if d else None,
                     "decision": d.seq if d else None})
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
    from kiosk import marking

    centre = Centre.open(centre_dir)
    passphrase = centre_passphrase(centre)
    with centre.ledger(passphrase) as ledger:
        name = marking.cli_examiner(ledger, user)
        ctx = marking.load_context(centre, ledger, passphrase)
        event = marking.decide_appeal(ledger, ctx, appeal_seq, points, name, comment)
    click.echo(f"Decided #{appeal_seq}: {points:g} points (event #{event.seq}); final")


COMMANDS = [review_group, appeal_group]
