"""`kiosk sitting create|list|seat|open|close|seats`: an exam in a room, with its access code.
Thin: the centre's `sitting.*` use cases (kiosk/service/rooms/sittings.py) decide."""

from __future__ import annotations

from pathlib import Path

import click

from kiosk.commands.common import centre_calls, centre_option, echo_errors, echo_json
from kiosk.errors import KioskError


@click.group("sitting")
def sitting_group() -> None:
    """Sittings: an exam, a room, its candidates and the access code."""


@sitting_group.command("create")
@centre_option
@click.option("--exam", "exam_id", required=True, help="The id of a loaded exam.")
@click.option("--room", default="", help="Room name, e.g. \"B204\".")
@click.option("--candidates", default="all", show_default=True,
              help="all, or registered candidate ids separated by commas.")
@click.option("--self-start", is_flag=True,
              help="Candidates may start without the invigilator (practice).")
@click.option("--date", "day", default=None, help="The exam day, YYYY-MM-DD (default today).")
@click.option("--start", default=None,
              help="Start time HH:MM: checked against the regime's day window (08–17 in "
                   "school, 08–18 for the interactive vocational exam).")
@click.option("--resit", is_flag=True,
              help="A resit / make-up exam: a new 30-day window (hu-szkr).")
@click.option("--override-time-cap", "override", multiple=True, metavar="CANDIDATE",
              help="Let this candidate's accommodation exceed the regime's cap (examiner).")
@click.option("--override-reason", default="", help="Why (required with the override).")
@click.option("--user", "user_name", default=None,
              help="The examiner giving the override (password: $KIOSK_PASSWORD or asked).")
def sitting_create(centre_dir: Path, exam_id: str, room: str, candidates: str,
                   self_start: bool, day: str | None, start: str | None, resit: bool,
                   override: tuple[str, ...], override_reason: str,
                   user_name: str | None) -> None:
    """Create a sitting and show its access code (once: only a hash is kept).

    The exam's regime rules are checked first; every broken rule is one line."""
    reason = " ".join(override_reason.split())
    if override and (not reason or not user_name):
        raise KioskError("--override-time-cap needs --override-reason TEXT and --user EXAMINER")
    with centre_calls(centre_dir, user=user_name if override else None) as calls:
        try:
            done = calls.call("sitting.create", exam=exam_id, room=room, candidates=candidates,
                              self_start=self_start, day=day, start=start, resit=resit,
                              overrides={c: reason for c in override})
        except KioskError as exc:
            echo_errors(exc)
            raise
    sitting = done["sitting"]
    for warning in done["warnings"]:
        click.echo(warning)
    click.echo(f"Sitting: {sitting['sitting']}")
    click.echo(f"Exam: {sitting['exam']}   room: {sitting['room'] or '-'}   "
               f"candidates: {len(sitting['candidates'])}"
               + ("   self-start" if sitting["self_start"] else ""))
    if done["day_window_unchecked"]:
        click.echo("Note: no --start given, so the day window of the regime was not checked.")
    click.echo(f"Access code: {done['code']}")
    click.echo("Write the code on the board; it is not shown again.")
    if done["pin"] is not None:
        click.echo(f"Invigilator exit PIN (new, shown once): {done['pin']}")


@sitting_group.command("list")
@centre_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def sitting_list(centre_dir: Path, as_json: bool) -> None:
    """List the sittings of the centre."""
    with centre_calls(centre_dir) as calls:
        found = calls.call("sitting.list")
    if as_json:
        echo_json(found)
        return
    if not found:
        click.echo("No sittings (kiosk sitting create --exam EXAM_ID).")
        return
    for s in found:
        click.echo(f"{s['sitting']}  {s['exam']}  room {s['room'] or '-'}  {s['date']}  "
                   f"{len(s['candidates'])} candidates  {'open' if s['open'] else 'closed'}"
                   + ("  self-start" if s["self_start"] else ""))


ROOM_ROLES = ("invigilator", "examiner")
user_option = click.option("--user", "user_name", default=None, required=True,
                           help="The acting invigilator (password: $KIOSK_PASSWORD or asked).")


@sitting_group.command("seat")
@click.argument("sitting_id", metavar="SITTING")
@click.argument("candidate")
@click.argument("seat")
@centre_option
@user_option
def sitting_seat(sitting_id: str, candidate: str, seat: str, centre_dir: Path,
                 user_name: str) -> None:
    """Assign CANDIDATE to SEAT in the seating plan (part of the minutes)."""
    with centre_calls(centre_dir, user=user_name, roles=ROOM_ROLES) as calls:
        done = calls.call("sitting.seat", sitting=sitting_id, candidate=candidate, seat=seat)
    click.echo(f"{done['candidate']} -> seat {done['seat']} ({sitting_id})")


@sitting_group.command("open")
@click.argument("sitting_id", metavar="SITTING")
@centre_option
@user_option
def sitting_open(sitting_id: str, centre_dir: Path, user_name: str) -> None:
    """Open a closed sitting again (candidates may log in)."""
    with centre_calls(centre_dir, user=user_name, roles=ROOM_ROLES) as calls:
        calls.call("sitting.open", sitting=sitting_id)
    click.echo(f"Sitting {sitting_id} is open")


@sitting_group.command("close")
@click.argument("sitting_id", metavar="SITTING")
@centre_option
@user_option
@click.option("--force-submit", is_flag=True,
              help="Submit every attempt still running (reason \"forced\") and close.")
def sitting_close(sitting_id: str, centre_dir: Path, user_name: str, force_submit: bool) -> None:
    """Close a sitting: no more logins. Refused while attempts run, unless --force-submit."""
    with centre_calls(centre_dir, user=user_name, roles=ROOM_ROLES) as calls:
        forced = calls.call("sitting.close", sitting=sitting_id,
                            force_submit=force_submit)["forced"]
    click.echo(f"Sitting {sitting_id} is closed"
               + (f" ({forced} attempt(s) force-submitted)" if forced else ""))


@sitting_group.command("seats")
@click.argument("sitting_id", metavar="SITTING")
@centre_option
@click.option("--urls", is_flag=True, help="Issue a new link per seat (replaces this sitting's).")
@click.option("--base-url", default=None,
              help="The kiosk's address as the lab browsers reach it (default: "
                   "https://HOST:8443, HOST from the centre's TLS certificate).")
@click.option("--seats", "seat_list", default=None, help="Seat names, separated by commas.")
@click.option("--count", type=int, default=None, help="Or: this many seats, numbered.")
@click.option("--prefix", default=None, help="Name prefix for --count (default: ROOM-).")
@click.option("--pdf", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the room's seat sheet with QR codes.")
@click.option("--seats-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where `kiosk web serve` reads the links (default: CENTRE/web-seats.json).")
@click.option("--revoke", is_flag=True, help="Withdraw every link issued for SITTING.")
def sitting_seats(sitting_id: str, centre_dir: Path, urls: bool, base_url: str | None,
                  seat_list: str | None, count: int | None, prefix: str | None,
                  pdf: Path | None, seats_file: Path | None, revoke: bool) -> None:
    """Seat links for browser delivery: each lab machine's URL (a one-per-seat token), as a
    table and, with --pdf, a sheet of QR codes. Without --urls: which seats have links."""
    from kiosk.commands.web import issue_seat_links

    issue_seat_links(centre_dir, sitting_id, urls=urls, base_url=base_url, seat_list=seat_list,
                     count=count, prefix=prefix, pdf=pdf, seats_file=seats_file, revoke=revoke)


COMMANDS = [sitting_group]
