"""A sitting's minutes (jegyzőkönyv), folded from the ledger's events: as text and as a PDF.

Holds what 278–280. § of the Szkr asks to be recorded: who was present and where they sat (the
seating plan), the start and the end, every intervention with its time, actor and reason, every
irregularity with the exact time of the suspension, its nature, both statements, whether the
candidate was informed of the procedure and its consequences, and a line for the candidate's
signature (280. § (3)); the accommodations granted; every terminal interruption (a crash and
the relogin after it) with the time lost, which is not charged to the candidate; and each
candidate's receipt code (the code of the `attempt_submitted` event's hash).

The content is collected once (`collect` → `Minutes`, plain data) and rendered twice: as text
(`kiosk minutes`) and as a typeset PDF with tables (`minutes_pdf`), so the two never disagree.
Every word comes from one language's catalogue, actors included.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from kiosk.documents import FONT_DIR, SANS
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
                 R.SITTING_OPENED, R.SITTING_CLOSED, "invigilator_message", "lockout_cleared")
#: Kinds typed at a candidate's terminal, whoever the ledger names as actor (older ledgers
#: recorded a wrong exit PIN as "invigilator", though nobody knows who typed it).
AT_TERMINAL = (A.KIOSK_EXIT, "kiosk_exit_refused")



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


@dataclass(frozen=True)
class Table:
    heading: str
    columns: tuple[str, ...]
    rows: list[tuple[str, ...]]
    #: relative column widths for the PDF
    widths: tuple[float, ...]
    empty: str = ""


@dataclass(frozen=True)
class Irregularity:
    who: str
    facts: list[tuple[str, str]]
    signatures: tuple[str, ...]


@dataclass
class Minutes:
    """Everything the minutes say, already worded in one language."""

    language: str
    title: str
    facts: list[tuple[str, str]]
    tables: list[Table]
    irregularities_heading: str
    irregularities: list[Irregularity]
    none: str
    signatures: tuple[str, ...]
    signatures_heading: str
    #: the signed ledger head at printing (an anchor: `kiosk verify --anchor` catches a later
    #: rollback): a heading and lines, the hash on a line of its own so it never wraps
    signed_head: list[str] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Minutes:
        """The minutes as `dataclasses.asdict` gave them, after a trip through JSON (the centre
        service's `documents.minutes` answer), so a client typesets exactly what the service
        collected."""

        def pairs(rows: Any) -> list[tuple[str, str]]:
            return [(str(a), str(b)) for a, b in rows]

        return cls(
            language=str(data["language"]), title=str(data["title"]),
            facts=pairs(data["facts"]),
            tables=[Table(str(x["heading"]), tuple(x["columns"]),
                          [tuple(row) for row in x["rows"]], tuple(x["widths"]),
                          str(x.get("empty", ""))) for x in data["tables"]],
            irregularities_heading=str(data["irregularities_heading"]),
            irregularities=[Irregularity(str(i["who"]), pairs(i["facts"]),
                                         tuple(i["signatures"]))
                            for i in data["irregularities"]],
            none=str(data["none"]), signatures=tuple(data["signatures"]),
            signatures_heading=str(data["signatures_heading"]),
            signed_head=[str(line) for line in data.get("signed_head") or []])


def when(ts: str, tz: tzinfo | None = None) -> str:
    """A ledger timestamp as local (or `tz`) time to the second."""
    return datetime.fromtimestamp(R.epoch(ts), tz).strftime("%Y-%m-%d %H:%M:%S")


def _duration(seconds: float) -> str:
    total = max(0, int(round(seconds)))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def collect(sitting: Sitting, events: Iterable[LedgerEvent], *, names: Mapping[str, str],
            centre: str = "", exam_title: str = "", language: str = "hu",
            tz: tzinfo | None = None, accommodations: Mapping[str, Any] | None = None,
            printed: str | None = None, signed_head: Any = None) -> Minutes:
    """The minutes' content. `accommodations` maps a candidate id to its roster
    `Accommodations` (extra_minutes, aids, note)."""

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
    walk = _Walk(people, tr, tz)
    for e in mine:
        walk.event(e)

    present = [c for c in people.values() if c.first_login]
    absent = [c for c in people.values() if not c.first_login]
    ordered = [people[row.candidate]
               for row in R.sort_rows([room.row(c, 0.0) for c in people], "seat")]
    accommodated = _accommodated(people, accommodations or {}, tr)
    tables = [
        Table(tr("seating", present=len(present), total=len(people)),
              (tr("col.seat"), tr("col.id"), tr("col.name"), tr("col.arrived"),
               tr("col.other_seats")), _seating(ordered, tz), (14, 14, 36, 14, 22), tr("none")),
        Table(tr("absent", count=len(absent)),
              (tr("col.id"), tr("col.name"), tr("col.planned_seat")),
              [(c.id, c.name, c.seat or "–") for c in absent], (20, 50, 30), tr("none")),
        Table(tr("accommodations", count=len(accommodated)),
              (tr("col.id"), tr("col.name"), tr("col.extra_time"), tr("col.aids")),
              accommodated, (14, 32, 20, 34), tr("none")),
        Table(tr("interruptions", count=len(walk.interruptions)),
              (tr("col.relogin"), tr("col.candidate"), tr("col.seat"),
               tr("col.last_seen"), tr("col.lost")),
              walk.interruptions, (14, 36, 14, 16, 20), tr("none")),
        Table(tr("interventions", count=len(walk.interventions)),
              (tr("col.time"), tr("col.action"), tr("col.subject"), tr("col.details"),
               tr("col.by")),
              walk.interventions, (11, 19, 22, 34, 14), tr("none")),
        Table(tr("records", count=len(walk.records)),
              (tr("col.time"), tr("col.candidate"), tr("col.details"), tr("col.by")),
              walk.records, (14, 24, 44, 18), tr("none")),
        Table(tr("receipts"), (tr("col.id"), tr("col.name"), tr("col.receipt"),
                               tr("col.time"), tr("col.how"), tr("col.latest")),
              _receipts(ordered, latest, tr, tz), (11, 25, 19, 10, 16, 19), tr("none")),
    ]
    head_lines: list[str] = []
    if signed_head is not None:
        head_lines = [tr("signed_head"), f"#{signed_head.upto_seq} {signed_head.head_hash}",
                      tr("signed_checkpoint", checkpoint=signed_head.id,
                         code=receipt_code(signed_head.head_hash))]
    return Minutes(
        language=language,
        title=tr("title", sitting=sitting.id),
        facts=_facts(sitting, walk, centre, exam_title, printed, tr, tz),
        tables=tables,
        irregularities_heading=tr("irregularities", count=len(walk.irregularities)),
        irregularities=walk.irregularities,
        none=tr("none"),
        signatures=(tr("sign.invigilator"), tr("sign.invigilator"), tr("sign.commissioner"),
                    tr("sign.place_date")),
        signatures_heading=tr("sign.heading"),
        signed_head=head_lines,
    )


class _Walk:
    """The sitting's events in ledger order, as the minutes record them: the start and the
    end, logins and relogins, submissions, interventions, irregularities and exam records."""

    def __init__(self, people: Mapping[str, _Candidate], tr: Any, tz: tzinfo | None) -> None:
        self.people, self.tr, self.tz = people, tr, tz
        self.by_attempt = {c.attempt: c for c in people.values() if c.attempt}
        self.started: str | None = None
        self.closed: str | None = None
        self.last_submitted: str | None = None
        self.interventions: list[tuple[str, ...]] = []
        self.irregularities: list[Irregularity] = []
        self.interruptions: list[tuple[str, ...]] = []
        self.last_seen: dict[str, str] = {}  # attempt -> ts of its terminal's last event
        self.records: list[tuple[str, ...]] = []

    def event(self, e: LedgerEvent) -> None:
        if e.kind in X.KINDS:
            self.records.append(_record(e, self.people, self.tz))
            return
        who = self.by_attempt.get(e.attempt) if e.attempt else None
        if e.kind == A.LOGGED_IN and who is not None:
            self.logged_in(e, who)
        if e.attempt and e.actor.startswith("candidate:"):
            self.last_seen[str(e.attempt)] = e.ts
        if e.kind == A.STARTED and self.started is None:
            self.started = e.ts
        if e.kind == A.SUBMITTED and who is not None and who.submitted is None:
            who.submitted, who.submit_reason = e, str(e.body.get("reason", ""))
            self.last_submitted = e.ts
        if e.kind == R.SITTING_CLOSED:
            self.closed = e.ts
        if e.kind == R.SITTING_OPENED:
            self.closed = None
        if e.kind == R.IRREGULARITY and who is not None:
            self.irregularities.append(_irregularity(e, who, self.tr, self.tz))
            return
        if e.kind in INTERVENTIONS and (e.kind in AT_TERMINAL or not e.actor.startswith(
                ("candidate:", "system"))):
            self.interventions.append(_intervention(e, who, self.people, self.tr, self.tz))

    def logged_in(self, e: LedgerEvent, who: _Candidate) -> None:
        """A first login, or a relogin (an interruption: the time since the terminal was last
        heard from); the seats a candidate logged in at."""
        seat = str(e.body.get("seat") or "")
        if who.first_login is None:
            who.first_login = e.ts
        else:
            # A relogin: the terminal before it died (or was closed) mid-exam.
            tz, last_seen = self.tz, self.last_seen
            gap = R.epoch(e.ts) - R.epoch(last_seen.get(str(e.attempt), e.ts))
            self.interruptions.append((when(e.ts, tz)[11:], _who(who), seat or "–",
                                       when(last_seen[str(e.attempt)], tz)[11:]
                                       if str(e.attempt) in last_seen else "–",
                                       _duration(gap)))
        if seat and seat not in who.login_seats:
            who.login_seats.append(seat)


def _facts(sitting: Sitting, walk: _Walk, centre: str, exam_title: str, printed: str | None,
           tr: Any, tz: tzinfo | None) -> list[tuple[str, str]]:
    """The head of the minutes: centre, exam, room, dates, and the end (or that the sitting is
    still open)."""
    facts = [
        (tr("centre"), centre or "–"),
        (tr("exam"), f"{exam_title or sitting.exam} ({sitting.exam})"),
        (tr("room"), sitting.room or "–"),
        (tr("date"), sitting.date or "–"),
        (tr("created"), when(sitting.ts, tz) if sitting.ts else "–"),
        (tr("started"), when(walk.started, tz) if walk.started else "–"),
    ]
    if walk.closed:
        facts.append((tr("closed_at"), when(walk.closed, tz)))
    else:
        # An open sitting has no end yet: say so once, never "ended" beside "still open".
        facts.append((tr("status"), tr("still_open")
                      + (f" ({tr('last_submission')}: {when(walk.last_submitted, tz)})"
                         if walk.last_submitted else "")))
    if printed:
        facts.append((tr("printed"), printed))
    return facts


def _seating(ordered: list[_Candidate], tz: tzinfo | None) -> list[tuple[str, ...]]:
    """The seating plan: who arrived, in seat order, with the other seats they logged in at."""
    seating = []
    for c in ordered:
        if not c.first_login:
            continue
        others = [s for s in c.login_seats if s != c.seat]
        seating.append((c.seat or "–", c.id, c.name, when(c.first_login, tz)[11:],
                        ", ".join(others)))
    return seating


def _accommodated(people: Mapping[str, _Candidate], accommodations: Mapping[str, Any],
                  tr: Any) -> list[tuple[str, ...]]:
    """The candidates granted extra time, aids or a note, with what they were granted."""
    accommodated = []
    for c in people.values():
        acc = accommodations.get(c.id)
        if acc is None:
            continue
        extra = int(getattr(acc, "extra_minutes", 0) or 0)
        aids = [str(a) for a in getattr(acc, "aids", ()) or ()]
        note = str(getattr(acc, "note", "") or "")
        if extra or aids or note:
            accommodated.append((c.id, c.name,
                                 tr("extra_minutes", minutes=extra) if extra else "–",
                                 "; ".join([*aids, note] if note else aids) or "–"))
    return accommodated


def _receipts(ordered: list[_Candidate], latest: Mapping[str, str], tr: Any,
              tz: tzinfo | None) -> list[tuple[str, ...]]:
    """Each candidate with an attempt, in seat order: the receipt code of the submission (or
    voided / not submitted) and the code after the attempt's latest change."""
    receipts = []
    for c in ordered:
        if c.attempt is None:
            continue
        # The code after the attempt's latest mark, void or appeal decision: on paper, it
        # anchors that change too.
        after = latest.get(c.attempt, "")
        if c.status == A.VOIDED_STATUS:
            receipts.append((c.id, c.name, tr("voided"), "", "", after))
        elif c.submitted is not None:
            receipts.append((c.id, c.name, receipt_code(c.submitted.hash),
                             when(c.submitted.ts, tz)[11:],
                             tr("reason." + c.submit_reason) if c.submit_reason else "", after))
        else:
            receipts.append((c.id, c.name, tr("not_submitted"), "", "", after))
    return receipts


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


def _record(e: LedgerEvent, people: Mapping[str, _Candidate], tz: tzinfo | None
            ) -> tuple[str, ...]:
    """One exemption, absence or exclusion: when, who, what on what grounds, who recorded it
    (with the event number, so the board can find it in the ledger)."""
    body = e.body
    who = _who(people.get(str(body.get("candidate", "")))) or str(body.get("candidate", ""))
    if e.kind == X.EXEMPTION:
        doc = f", {body['document']}" if body.get("document") else ""
        what = (f"exemption_granted: {body.get('target', '')} — {body.get('grounds', '')} "
                f"({body.get('granted_by', '')}{doc})")
    else:
        excused = " (excused)" if body.get("excused") else ""
        what = f"{e.kind}{excused}: {body.get('reason', '')}"
    return (when(e.ts, tz)[:16], who, what, f"[{e.actor}, #{e.seq}]")


def _who(c: _Candidate | None) -> str:
    return f"{c.id} {c.name}".strip() if c else ""


def actor_text(e: LedgerEvent, tr: Any) -> str:
    """Who did it, in the document's language: a staff user's name, the system, or for what
    was typed at a terminal (an exit PIN) the terminal itself, never a guessed person."""
    actor = e.actor
    if e.kind == "kiosk_exit_refused" or (e.kind in AT_TERMINAL and not actor.startswith(
            "invigilator:")):
        return tr("actor.terminal", seat=e.body.get("seat") or "–")
    if actor.startswith(("invigilator:", "examiner:", "admin:")):
        return actor.split(":", 1)[1]
    if actor.startswith("candidate:"):
        return tr("actor.candidate")
    if actor == "system":
        return tr("actor.system")
    return actor


def _intervention(e: LedgerEvent, who: _Candidate | None, people: Mapping[str, _Candidate],
                  tr: Any, tz: tzinfo | None) -> tuple[str, ...]:
    body = e.body
    subject = _who(who)
    if e.kind == R.SEAT_ASSIGNED:
        subject = _who(people.get(str(body.get("candidate", "")))) or str(body.get("candidate"))
    elif who is None:
        target = body.get("candidate")
        subject = (_who(people.get(str(target))) or str(target)) if target else tr("whole_room")
    details = []
    if e.kind == A.EXTENDED:
        details.append(tr("minutes_added", minutes=body.get("minutes"),
                          cause=tr("cause." + str(body.get("cause", "lost_time")))))
    if e.kind in (A.SEAT_MOVED, R.SEAT_ASSIGNED, A.KIOSK_EXIT, "kiosk_exit_refused") or (
            e.kind == "lockout_cleared" and body.get("seat")):
        details.append(tr("seat", seat=body.get("seat", "")))
    if e.kind in (A.PART_SUBMITTED, A.SUBMITTED) and body.get("reason"):
        details.append(tr("reason." + str(body["reason"])))
    for key in ("reason", "note", "document", "text"):
        text = body.get(key)
        if text and not (key == "reason" and e.kind in (A.PART_SUBMITTED, A.SUBMITTED)):
            details.append(_note(str(text), tr))
    return (when(e.ts, tz)[11:], tr("kind." + e.kind), subject, "; ".join(details),
            actor_text(e, tr))


def _note(text: str, tr: Any) -> str:
    """A reason the software wrote itself ("irregularity") in the document's language; what a
    person typed stays as typed."""
    key = "note." + text.replace(" ", "_")
    worded = tr(key)
    return text if worded.endswith(key) else worded


def _irregularity(e: LedgerEvent, who: _Candidate, tr: Any, tz: tzinfo | None) -> Irregularity:
    body = e.body
    at = body.get("suspended_at")
    # Szkr 280. § (3): the record says whether the candidate was informed (never assumed).
    informed = body.get("informed_of_procedure", body.get("informed"))
    informed_text = (tr("informed_missing") if informed is None
                     else tr("yes") if informed else tr("no"))
    facts = [
        (tr("seat_label"), who.seat or "–"),
        (tr("suspended_at"), when(str(at), tz) if at else "–"),
        (tr("recorded_at"), when(e.ts, tz)),
        (tr("recorded_by"), actor_text(e, tr)),
        (tr("nature"), str(body.get("nature", "")) or "–"),
        (tr("candidate_statement"), str(body.get("candidate_statement") or "–")),
        (tr("supervisor_statement"), str(body.get("supervisor_statement") or "–")),
        (tr("informed"), informed_text),
    ]
    return Irregularity(_who(who), facts, (tr("sign.candidate"), tr("sign.invigilator")))


# --- text -----------------------------------------------------------------------------------


def render_text(m: Minutes) -> str:
    out = [m.title, ""]
    out += [f"{label}: {value}" for label, value in m.facts]
    for table in m.tables:
        out += ["", table.heading]
        if not table.rows:
            out.append(f"  {table.empty}")
            continue
        widths = [max(len(col), *(len(r[i]) for r in table.rows))
                  for i, col in enumerate(table.columns)]
        out.append("  " + "  ".join(c.ljust(w) for c, w in zip(table.columns, widths,
                                                                 strict=True)).rstrip())
        for row in table.rows:
            out.append("  " + "  ".join(v.ljust(w) for v, w in zip(row, widths,
                                                                     strict=True)).rstrip())
    out += ["", m.irregularities_heading]
    if not m.irregularities:
        out.append(f"  {m.none}")
    for irr in m.irregularities:
        out.append(f"  {irr.who}")
        out += [f"    {label}: {value}" for label, value in irr.facts]
        out += [f"    {label}: ____________________" for label in irr.signatures]
    if m.signed_head:
        out += ["", m.signed_head[0]] + [f"  {line}" for line in m.signed_head[1:]]
    out += ["", m.signatures_heading + ":", ""]
    out += [f"  {label}: ____________________" for label in m.signatures]
    return "\n".join(out) + "\n"


def build_minutes(sitting: Sitting, events: Iterable[LedgerEvent], *, names: Mapping[str, str],
                  centre: str = "", exam_title: str = "", language: str = "hu",
                  tz: tzinfo | None = None,
                  accommodations: Mapping[str, Any] | None = None) -> str:
    return render_text(collect(sitting, events, names=names, centre=centre,
                               exam_title=exam_title, language=language, tz=tz,
                               accommodations=accommodations))


# --- PDF ------------------------------------------------------------------------------------


def minutes_pdf(m: Minutes) -> bytes:
    """The minutes typeset on A4: a title, a facts table, one table per section (repeating
    its header row across pages, wrapping at words), the irregularities with the candidate's
    and the invigilator's signature lines, and the closing signatures."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    class Doc(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(SANS, size=7)
            self.cell(0, 5, f"{m.title}   {self.page_no()}/{{nb}}", align="C")

    pdf = Doc(format="A4")
    pdf.add_font(SANS, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(SANS, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_creator("kiosk")
    pdf.set_title(m.title)
    pdf.set_lang(m.language)
    pdf.alias_nb_pages()
    pdf.add_page()
    width = pdf.epw
    head_style = FontFace(emphasis="BOLD", fill_color=(225, 225, 225))

    pdf.set_font(SANS, "B", 14)
    pdf.multi_cell(width, 7, m.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(SANS, size=9)
    with pdf.table(col_widths=(30, 70), first_row_as_headings=False, line_height=5,
                   borders_layout="NONE", width=width, text_align="LEFT") as table:
        for label, value in m.facts:
            row = table.row()
            row.cell(label, style=FontFace(emphasis="BOLD"))
            row.cell(value)

    def heading(text: str) -> None:
        if pdf.get_y() > pdf.h - pdf.b_margin - 25:
            pdf.add_page()
        pdf.ln(4)
        pdf.set_font(SANS, "B", 11)
        pdf.multi_cell(width, 6, text.rstrip(":"), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
        pdf.set_font(SANS, size=8.5)

    for section in m.tables:
        heading(section.heading)
        if not section.rows:
            pdf.multi_cell(width, 5, section.empty, new_x="LMARGIN", new_y="NEXT")
            continue
        with pdf.table(col_widths=section.widths, headings_style=head_style, line_height=4.4,
                       repeat_headings=1, width=width, text_align="LEFT") as table:
            table.row(list(section.columns))
            for values in section.rows:
                table.row(list(values))

    heading(m.irregularities_heading)
    if not m.irregularities:
        pdf.multi_cell(width, 5, m.none, new_x="LMARGIN", new_y="NEXT")
    for irr in m.irregularities:
        if pdf.get_y() > pdf.h - pdf.b_margin - 80:
            pdf.add_page()
        pdf.set_font(SANS, "B", 9.5)
        pdf.multi_cell(width, 5.5, irr.who, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(SANS, size=8.5)
        with pdf.table(col_widths=(32, 68), first_row_as_headings=False, line_height=4.4,
                       width=width, text_align="LEFT") as table:
            for label, value in irr.facts:
                row = table.row()
                row.cell(label, style=FontFace(emphasis="BOLD"))
                row.cell(value)
        _signature_lines(pdf, irr.signatures)
        pdf.ln(3)

    if m.signed_head:
        heading(m.signed_head[0])
        pdf.set_font(SANS, size=7.5)  # the 64-digit hash fits one line: it must never wrap
        for line in m.signed_head[1:]:
            pdf.multi_cell(width, 4.4, line, new_x="LMARGIN", new_y="NEXT")
    # The heading stays with its signature lines: never alone at the foot of a page.
    if pdf.get_y() + 16 + ((len(m.signatures) + 1) // 2) * 18 + 4 > pdf.h - pdf.b_margin:
        pdf.add_page()
    heading(m.signatures_heading)
    _signature_lines(pdf, m.signatures)
    return bytes(pdf.output())


def _signature_lines(pdf: Any, labels: tuple[str, ...]) -> None:
    """A ruled line above each label, two to a row, kept on one page."""
    rows = (len(labels) + 1) // 2
    if pdf.get_y() + rows * 18 + 4 > pdf.h - pdf.b_margin:
        pdf.add_page()
    col = (pdf.epw - 12) / 2
    for r in range(rows):
        pdf.ln(12)
        y = pdf.get_y()
        for c in range(2):
            i = r * 2 + c
            if i >= len(labels):
                break
            x = pdf.l_margin + c * (col + 12)
            pdf.line(x, y, x + col, y)
            pdf.set_xy(x, y + 1)
            pdf.set_font(SANS, size=8)
            pdf.cell(col, 4, labels[i], align="C")
        pdf.set_xy(pdf.l_margin, y + 5)


# --- from a centre --------------------------------------------------------------------------


def collect_minutes(centre: Any, sitting_id: str, *, language: str | None = None,
                    tz: tzinfo | None = None, ledger: Any = None) -> Minutes:
    """The minutes of a sitting of `centre` (a kiosk.ledger.Centre), read from its ledger (or
    from `ledger`, a reader already open: the centre service's)."""
    from contextlib import nullcontext

    from kiosk import invigilation
    from kiosk.domain.roster import roster
    from kiosk.exam_store import LOADED, latest_loads
    from kiosk.i18n import centre_language

    lang = centre_language(centre.config(), language)
    with centre.reader() if ledger is None else nullcontext(ledger) as ledger:
        sitting = invigilation.sitting(ledger, sitting_id)
        registered = roster(ledger)
        names = {c.id: c.name for c in registered.values()}
        accommodations = {c.id: c.accommodations for c in registered.values()}
        loaded = latest_loads(ledger.events(kind=LOADED)).get(sitting.exam)
        title = str(loaded.body.get("title", "")) if loaded else ""
        return collect(sitting, ledger.events(), names=names, centre=centre.name,
                       exam_title=title, language=lang, tz=tz, accommodations=accommodations,
                       signed_head=ledger.signed_head())


def minutes_text(centre: Any, sitting_id: str, *, language: str | None = None,
                 tz: tzinfo | None = None) -> str:
    """The minutes as text (`kiosk minutes`)."""
    return render_text(collect_minutes(centre, sitting_id, language=language, tz=tz))
