"""A sitting's minutes (jegyzőkönyv) as plain text, folded from the ledger's events.

Holds what 278–280. § of the Szkr asks to be recorded: who was present and where they sat (the
seating plan), the start and the end, every intervention with its time, actor and reason, every
irregularity with the exact time of the suspension, its nature and both statements, and each
candidate's receipt code (the code of the `attempt_submitted` event's hash).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from kiosk.domain import attempts as A
from kiosk.domain import exam_records as X
from kiosk.domain import room as R
from kiosk.domain.attempts import LedgerEvent
from kiosk.domain.sittings import Sitting
from kiosk.i18n import t
from kiosk.ledger.receipts import latest_receipts, receipt_code

#: Invigilator actions listed as interventions, in ledger order.
INTERVENTIONS = (A.ADMITTED, A.STARTED, A.PAUSED, A.RESUMED, A.SUSPENDED, A.UNSUSPENDED,
                 A.LEFT_ROOM, A.RETURNED, A.EXTENDED, A.VOIDED, A.SEAT_MOVED, A.PART_SUBMITTED,
                 A.SUBMITTED, A.KIOSK_EXIT, "kiosk_exit_refused", R.SEAT_ASSIGNED,
                 R.SITTING_OPENED, R.SITTING_CLOSED)


@dataclass
class _Candidate:
    id: str
    name: str
    seat: str = ""
    login_seats: list[str] = field(default_factory=list)
    attempt: str | None = None
    first_login: str | None = None
    status: str = R.NOT_ARRIVED
    submitted: LedgerEvent | None = None
    submit_reason: str = ""


def when(ts: str, tz: tzinfo | None = None) -> str:
    """A ledger timestamp as local (or `tz`) time to the second."""
    return datetime.fromtimestamp(R.epoch(ts), tz).strftime("%Y-%m-%d %H:%M:%S")


def build_minutes(sitting: Sitting, events: Iterable[LedgerEvent], *, names: Mapping[str, str],
                  centre: str = "", exam_title: str = "", language: str = "hu",
                  tz: tzinfo | None = None, signed_head: Any = None) -> str:
    def tr(key: str, **params: Any) -> str:
        return t(f"minutes.{key}", language=language, **params)

    mine = _sitting_events(sitting, events)
    latest = latest_receipts(mine)
    room = R.RoomView(sitting.id, list(sitting.candidates), dict(names), dict(sitting.seats))
    room.apply(mine)
    people = {c: _Candidate(c, names.get(c, "")) for c in sitting.candidates}
    for c in people.values():
        c.seat = room.seat_of(c.id)
        c.attempt = room.by_candidate.get(c.id)
        c.status = room.row(c.id, 0.0).status
    by_attempt = {c.attempt: c for c in people.values() if c.attempt}
    started: str | None = None
    ended: str | None = None
    closed: str | None = None
    interventions: list[str] = []
    irregularities: list[str] = []
    records: list[str] = []
    for e in mine:
        if e.kind in X.KINDS:
            records.append(_record(e, people, tz))
            continue
        who = by_attempt.get(e.attempt) if e.attempt else None
        if e.kind == A.LOGGED_IN and who is not None:
            who.first_login = who.first_login or e.ts
            seat = str(e.body.get("seat") or "")
            if seat and seat not in who.login_seats:
                who.login_seats.append(seat)
        if e.kind == A.STARTED and started is None:
            started = e.ts
        if e.kind == A.SUBMITTED and who is not None and who.submitted is None:
            who.submitted, who.submit_reason = e, str(e.body.get("reason", ""))
            ended = e.ts
        if e.kind == R.SITTING_CLOSED:
            closed = ended = e.ts
        if e.kind == R.SITTING_OPENED:
            closed = None
        if e.kind == R.IRREGULARITY and who is not None:
            irregularities.append(_irregularity(e, who, tr, tz))
            continue
        if e.kind in INTERVENTIONS and not e.actor.startswith(("candidate:", "system")):
            interventions.append(_intervention(e, who, people, tr, tz))

    out = [tr("title", sitting=sitting.id), ""]
    out.append(f"{tr('centre')}: {centre or '–'}")
    out.append(f"{tr('exam')}: {exam_title or sitting.exam} ({sitting.exam})")
    out.append(f"{tr('room')}: {sitting.room or '–'}    {tr('date')}: {sitting.date or '–'}")
    out.append(f"{tr('created')}: {when(sitting.ts, tz) if sitting.ts else '–'}")
    out.append(f"{tr('started')}: {when(started, tz) if started else '–'}")
    out.append(f"{tr('ended')}: {when(ended, tz) if ended else '–'}"
               + ("" if closed else f"  ({tr('still_open')})"))
    present = [c for c in people.values() if c.first_login]
    absent = [c for c in people.values() if not c.first_login]
    out += ["", tr("seating", present=len(present), total=len(people))]
    ordered = R.sort_rows([room.row(c, 0.0) for c in people], "seat")
    for row in ordered:
        c = people[row.candidate]
        if not c.first_login:
            continue
        seats = c.seat or "–"
        others = [s for s in c.login_seats if s != c.seat]
        if others:
            seats += f" ({tr('also_at', seats=', '.join(others))})"
        out.append(f"  {seats:<12} {c.id:<12} {c.name:<28} {tr('arrived')} "
                   f"{when(c.first_login, tz)[11:]}")
    if absent:
        out += ["", tr("absent", count=len(absent))]
        for c in absent:
            planned = f"  ({tr('seat', seat=c.seat)})" if c.seat else ""
            out.append(f"  {c.id:<12} {c.name}{planned}")
    out += ["", tr("interventions", count=len(interventions))]
    out += interventions or [f"  {tr('none')}"]
    out += ["", tr("irregularities", count=len(irregularities))]
    out += irregularities or [f"  {tr('none')}"]
    if records:
        out += ["", tr("records", count=len(records))]
        out += records
    out += ["", tr("receipts")]
    for row in ordered:
        c = people[row.candidate]
        if c.attempt is None:
            continue
        if c.status == A.VOIDED_STATUS:
            code = tr("voided")
        elif c.submitted is not None:
            code = (f"{receipt_code(c.submitted.hash)}  {when(c.submitted.ts, tz)[11:]}  "
                    f"({tr('reason.' + c.submit_reason) if c.submit_reason else ''})")
        else:
            code = tr("not_submitted")
        if c.attempt in latest:
            code += "  " + tr("latest", code=latest[c.attempt])
        out.append(f"  {c.id:<12} {c.name:<28} {code}")
    if signed_head is not None:  # an anchor: a later rollback of the ledger is caught by it
        # The hash on a line of its own: a PDF line never breaks it.
        out += ["", tr("signed_head"), f"  #{signed_head.upto_seq} {signed_head.head_hash}",
                "  " + tr("signed_checkpoint", checkpoint=signed_head.id,
                          code=receipt_code(signed_head.head_hash))]
    out += ["", tr("signatures"), ""]
    return "\n".join(out) + "\n"


def _sitting_events(s: Sitting, events: Iterable[LedgerEvent]) -> list[LedgerEvent]:
    """The sitting's own events and its attempts', in ledger order, and the exam records
    (exemptions, absences, exclusions) of its exam and candidates."""
    sitting = s.id
    attempts: set[str] = set()
    out: list[LedgerEvent] = []
    for e in events:
        if e.kind == A.ATTEMPT_CREATED and e.body.get("sitting") == sitting:
            attempts.add(str(e.attempt))
        if (e.attempt in attempts) or (e.attempt is None and e.body.get("sitting") == sitting):
            out.append(e)
        elif (e.kind in X.KINDS and e.body.get("exam") == s.exam
              and e.body.get("candidate") in s.candidates):
            out.append(e)
    return out


def _record(e: LedgerEvent, people: Mapping[str, _Candidate], tz: tzinfo | None) -> str:
    """One exemption, absence or exclusion: who, what, on what grounds, who recorded it."""
    body = e.body
    who = _who(people.get(str(body.get("candidate", "")))) or str(body.get("candidate", ""))
    if e.kind == X.EXEMPTION:
        doc = f", {body['document']}" if body.get("document") else ""
        what = (f"exemption_granted: {body.get('target', '')} — {body.get('grounds', '')} "
                f"({body.get('granted_by', '')}{doc})")
    else:
        excused = " (excused)" if body.get("excused") else ""
        what = f"{e.kind}{excused}: {body.get('reason', '')}"
    return f"  {when(e.ts, tz)[:16]}  {who} — {what}  [{e.actor}, #{e.seq}]"


def _who(c: _Candidate | None) -> str:
    return f"{c.id} {c.name}".strip() if c else ""


def _intervention(e: LedgerEvent, who: _Candidate | None, people: Mapping[str, _Candidate],
                  tr: Any, tz: tzinfo | None) -> str:
    body = e.body
    subject = _who(who)
    if e.kind == R.SEAT_ASSIGNED:
        subject = _who(people.get(str(body.get("candidate", "")))) or str(body.get("candidate"))
    elif who is None:
        subject = tr("whole_room")
    details = []
    if e.kind == A.EXTENDED:
        details.append(tr("minutes_added", minutes=body.get("minutes"),
                          cause=tr("cause." + str(body.get("cause", "lost_time")))))
    if e.kind in (A.SEAT_MOVED, R.SEAT_ASSIGNED, A.KIOSK_EXIT, "kiosk_exit_refused"):
        details.append(tr("seat", seat=body.get("seat", "")))
    if e.kind in (A.PART_SUBMITTED, A.SUBMITTED) and body.get("reason"):
        details.append(tr("reason." + str(body["reason"])))
    for key in ("reason", "note", "document"):
        text = body.get(key)
        if text and not (key == "reason" and e.kind in (A.PART_SUBMITTED, A.SUBMITTED)):
            details.append(str(text))
    action = tr("kind." + e.kind)
    line = f"  {when(e.ts, tz)[11:]}  {action:<22} {subject}"
    if details:
        line += " — " + "; ".join(details)
    return line + f"  [{e.actor}]"


def _irregularity(e: LedgerEvent, who: _Candidate, tr: Any, tz: tzinfo | None) -> str:
    body = e.body
    at = body.get("suspended_at")
    lines = [f"  {_who(who)} ({tr('seat', seat=who.seat or '–')})",
             f"    {tr('suspended_at')}: {when(str(at), tz) if at else '–'}",
             f"    {tr('recorded_at')}: {when(e.ts, tz)}  [{e.actor}]",
             f"    {tr('nature')}: {body.get('nature', '')}",
             f"    {tr('candidate_statement')}: {body.get('candidate_statement') or '–'}",
             f"    {tr('supervisor_statement')}: {body.get('supervisor_statement') or '–'}"]
    # Szkr 280. § (3): the record says the candidate was informed, and the candidate signs it.
    informed = body.get("informed_of_procedure")
    lines.append(f"    {tr('informed')}: "
                 + (tr('yes') if informed is True else tr('informed_missing')))
    lines.append(f"    {tr('candidate_signature')}")
    return "\n".join(lines)


def minutes_text(centre: Any, sitting_id: str, *, language: str | None = None,
                 tz: tzinfo | None = None) -> str:
    """The minutes of a sitting of `centre` (a kiosk.ledger.Centre), read from its ledger."""
    from kiosk import invigilation
    from kiosk.domain.roster import roster
    from kiosk.exam_store import LOADED, latest_loads
    from kiosk.i18n import centre_language

    lang = centre_language(centre.config(), language)
    with centre.reader() as ledger:
        sitting = invigilation.sitting(ledger, sitting_id)
        names = {c.id: c.name for c in roster(ledger).values()}
        loaded = latest_loads(ledger.events(kind=LOADED)).get(sitting.exam)
        title = str(loaded.body.get("title", "")) if loaded else ""
        return build_minutes(sitting, ledger.events(), names=names, centre=centre.name,
                             exam_title=title, language=lang, tz=tz,
                             signed_head=ledger.signed_head())
