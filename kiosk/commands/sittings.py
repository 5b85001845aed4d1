"""`kiosk sitting create` and `kiosk sitting list`: an exam in a room, with its access code."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from datetime import date as Date
from pathlib import Path

import click

from kiosk.commands.common import centre_option, centre_passphrase, echo_json, writable_ledger
from kiosk.crypto import passwords
from kiosk.domain import exam_rules as R
from kiosk.domain import sittings as S
from kiosk.domain.exams import Exam
from kiosk.domain.roster import roster
from kiosk.errors import KioskError
from kiosk.exam_store import LOADED, latest_loads
from kiosk.ledger.centre import Centre
from kiosk.ledger.store import Ledger, NewEvent

ACTOR = "invigilator"


def resolve_candidates(ledger: Ledger, wanted: str | Iterable[str]) -> list[str]:
    """Registered candidate ids for "all" or a list of ids (matched case-insensitively)."""
    registered = roster(ledger)
    if isinstance(wanted, str):
        if wanted.strip().lower() == "all":
            if not registered:
                raise KioskError("no candidates registered (kiosk roster import FILE)")
            return list(registered)
        wanted = [w for w in wanted.split(",")]
    by_fold = {cid.casefold(): cid for cid in registered}
    out: list[str] = []
    unknown: list[str] = []
    for raw in wanted:
        cid = raw.strip()
        if not cid:
            continue
        match = by_fold.get(cid.casefold())
        if match is None:
            unknown.append(cid)
        elif match not in out:
            out.append(match)
    if unknown:
        raise KioskError(f"--candidates: not registered: {', '.join(unknown)} "
                         "(kiosk roster list shows who is)")
    if not out:
        raise KioskError("--candidates: no candidate given (use all or ID,ID)")
    return out


def create_sitting(ledger: Ledger, exam_id: str, *, room: str = "", candidates: str |
                   Iterable[str] = "all", self_start: bool = False, day: str | None = None,
                   actor: str = ACTOR, extra: dict[str, object] | None = None,
                   exam: Exam | None = None, start: str | None = None, resit: bool = False,
                   overrides: Mapping[str, str] | None = None, override_actor: str = ""
                   ) -> tuple[S.Sitting, str]:
    """Append `sitting_created`; returns the sitting and its access code (shown once).

    With `exam` (the loaded exam, which `kiosk sitting create` always passes) the regime's rules
    are checked first (kiosk.domain.exam_rules: special-needs time caps, the day window, written
    exams a day, 8 hours a day, the 30-day completion window) and the sitting records `regime`,
    `minutes`, `start`, `group` and `resit` so later sittings can be checked against it.
    `overrides` = candidate -> reason: an examiner (`override_actor`) lets that candidate's
    accommodation exceed the cap; each is a signed `time_cap_overridden` event."""
    if exam_id not in latest_loads(ledger.events(kind=LOADED)):
        raise KioskError(f"exam {exam_id!r} is not loaded in this centre (kiosk load "
                         "PACKAGE.kpkg)")
    ids = resolve_candidates(ledger, candidates)
    day = day or Date.today().isoformat()
    sitting_id = f"S-{day.replace('-', '')}-{secrets.token_hex(3)}"
    code = passwords.generate_code()
    body = S.sitting_body(sitting_id, exam_id, room=room, date=day, candidates=ids,
                          code_hash=passwords.hash_code(code),
                          self_start=self_start)
    body.update(extra or {})
    new_overrides: list[NewEvent] = []
    if exam is not None:
        body.update(_rule_fields(exam, start, resit))
        new_overrides = _check_rules(ledger, exam, body, ids, overrides or {}, override_actor)
    events = ledger.append_many([NewEvent(S.CREATED, body, actor), *new_overrides])
    sitting = S.sittings(events[:1])[sitting_id]
    return sitting, code


def _rule_fields(exam: Exam, start: str | None, resit: bool) -> dict[str, object]:
    fields: dict[str, object] = {"regime": exam.regime, "minutes": exam.minutes,
                                 "group": str(exam.extra.get("vocational_exam") or exam.id),
                                 "resit": resit}
    if start:
        try:
            fields["start"] = R.parse_start(start).strftime("%H:%M")
        except ValueError:
            raise KioskError(f"--start: expected HH:MM, got {start!r}") from None
    return fields


def _check_rules(ledger: Ledger, exam: Exam, body: dict[str, object], ids: list[str],
                 overrides: Mapping[str, str], override_actor: str) -> list[NewEvent]:
    people = roster(ledger)
    acc = {c: people[c].accommodations for c in ids if c in people}
    unknown = [c for c in overrides if c not in ids]
    if unknown:
        raise KioskError(f"--override-time-cap: {', '.join(unknown)} is not a candidate of this "
                         "sitting")
    errors = R.time_cap_errors(exam.regime, {c: (a.extra_minutes, a.oral_prep_minutes)
                                             for c, a in acc.items()}, overrides)
    planned = R.Planned.from_body(body)
    assert planned is not None
    existing = [p for p in (R.Planned.from_body(e.body) for e in ledger.events(kind=S.CREATED))
                if p is not None]
    errors += R.schedule_errors(planned, existing, {c: a.extra_minutes for c, a in acc.items()})
    if errors:
        raise RuleErrors(errors)
    caps = R.TIME_CAPS.get(exam.regime)
    out = []
    for cid, reason in overrides.items():
        a = acc[cid]
        if caps is None or (a.extra_minutes <= caps[0] and a.oral_prep_minutes <= caps[1]):
            continue  # within the caps: nothing to override
        out.append(NewEvent(R.OVERRIDE, {
            "sitting": body["sitting"], "exam": exam.id, "candidate": cid,
            "extra_minutes": a.extra_minutes, "oral_prep_minutes": a.oral_prep_minutes,
            "caps": list(caps), "reason": reason}, override_actor))
    return out


class RuleErrors(KioskError):
    """The sitting breaks its regime's rules: every line, then a summary."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        n = len(errors)
        super().__init__(f"{errors[0]}" + (f" (and {n - 1} more)" if n > 1 else "")
                         + "; no sitting created")


def _delivery(centre: Centre, exam_id: str, passphrase: str | None, self_start: bool
              ) -> list[str]:
    """Refuse (KioskError) an exam this machine cannot deliver in exam mode; practice warnings."""
    from kiosk.delivery import require_delivery
    from kiosk.exam_store import exam_and_banks

    with centre.reader() as reader:
        if exam_id not in latest_loads(reader.events(kind=LOADED)):
            return []  # create_sitting names the problem
    exam, banks = exam_and_banks(centre, exam_id, passphrase)
    return require_delivery(exam, banks, practice=self_start or exam.self_start)


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
    from kiosk.exam_store import exam_and_banks
    from kiosk.exit_pin import ensure_pin

    if day is not None:
        try:
            day = Date.fromisoformat(day).isoformat()
        except ValueError:
            raise KioskError(f"--date: expected YYYY-MM-DD, got {day!r}") from None
    reason = " ".join(override_reason.split())
    if override and (not reason or not user_name):
        raise KioskError("--override-time-cap needs --override-reason TEXT and --user EXAMINER")
    centre = Centre.open(centre_dir)
    passphrase = centre_passphrase(centre)
    warnings = _delivery(centre, exam_id, passphrase, self_start)
    with centre.ledger(passphrase) as ledger:
        exam = (exam_and_banks(centre, exam_id, passphrase)[0]
                if exam_id in latest_loads(ledger.events(kind=LOADED)) else None)
        actor = ""
        if override:
            from kiosk import marking

            actor = marking.examiner_actor(marking.cli_examiner(ledger, user_name))
        wanted = {c.casefold(): c for c in roster(ledger)}
        overrides = {wanted.get(c.casefold(), c): reason for c in override}
        try:
            sitting, code = create_sitting(ledger, exam_id, room=room, candidates=candidates,
                                           self_start=self_start, day=day, exam=exam,
                                           start=start, resit=resit, overrides=overrides,
                                           override_actor=actor)
        except RuleErrors as exc:
            for line in exc.errors:
                click.echo(line, err=True)
            raise
    for warning in warnings:
        click.echo(warning)
    click.echo(f"Sitting: {sitting.id}")
    click.echo(f"Exam: {sitting.exam}   room: {sitting.room or '-'}   "
               f"candidates: {len(sitting.candidates)}"
               + ("   self-start" if sitting.self_start else ""))
    if exam is not None and exam.regime in R.DAY_WINDOWS and not start:
        click.echo("Note: no --start given, so the day window of the regime was not checked.")
    click.echo(f"Access code: {code}")
    click.echo("Write the code on the board; it is not shown again.")
    pin = ensure_pin(centre)
    if pin is not None:
        click.echo(f"Invigilator exit PIN (new, shown once): {pin}")


@sitting_group.command("list")
@centre_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def sitting_list(centre_dir: Path, as_json: bool) -> None:
    """List the sittings of the centre."""
    centre = Centre.open(centre_dir)
    with centre.reader() as reader:
        found = S.sittings(reader.events(kind=S.KINDS))
    if as_json:
        echo_json([{"sitting": s.id, "exam": s.exam, "room": s.room, "date": s.date,
                    "candidates": list(s.candidates), "self_start": s.self_start,
                    "open": s.open, "seq": s.seq} for s in found.values()])
        return
    if not found:
        click.echo("No sittings (kiosk sitting create --exam EXAM_ID).")
        return
    for s in found.values():
        click.echo(f"{s.id}  {s.exam}  room {s.room or '-'}  {s.date}  "
                   f"{len(s.candidates)} candidates  {'open' if s.open else 'closed'}"
                   + ("  self-start" if s.self_start else ""))


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
    from kiosk import invigilation
    from kiosk.commands.invigilate import acting_user

    centre = Centre.open(centre_dir)
    with writable_ledger(centre) as ledger:
        user = acting_user(ledger, user_name)
        event = invigilation.assign_seat(ledger, user, sitting_id, candidate, seat)
    click.echo(f"{event.body['candidate']} -> seat {event.body['seat']} ({sitting_id})")


@sitting_group.command("open")
@click.argument("sitting_id", metavar="SITTING")
@centre_option
@user_option
def sitting_open(sitting_id: str, centre_dir: Path, user_name: str) -> None:
    """Open a closed sitting again (candidates may log in)."""
    from kiosk import invigilation
    from kiosk.commands.invigilate import acting_user

    centre = Centre.open(centre_dir)
    with writable_ledger(centre) as ledger:
        user = acting_user(ledger, user_name)
        invigilation.open_sitting(ledger, user, sitting_id)
    click.echo(f"Sitting {sitting_id} is open")


@sitting_group.command("close")
@click.argument("sitting_id", metavar="SITTING")
@centre_option
@user_option
@click.option("--force-submit", is_flag=True,
              help="Submit every attempt still running (reason \"forced\") and close.")
def sitting_close(sitting_id: str, centre_dir: Path, user_name: str, force_submit: bool) -> None:
    """Close a sitting: no more logins. Refused while attempts run, unless --force-submit."""
    from kiosk import invigilation
    from kiosk.commands.invigilate import acting_user

    centre = Centre.open(centre_dir)
    with writable_ledger(centre) as ledger:
        user = acting_user(ledger, user_name)
        events = invigilation.close_sitting(ledger, user, sitting_id,
                                            force_submit_running=force_submit)
    forced = sum(1 for e in events if e.kind == "attempt_submitted")
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
