"""Rosters: the candidates of a centre, read from CSV and kept in the ledger as events.

A roster file is UTF-8 CSV (with or without the BOM Excel writes), comma- or semicolon-separated
as Hungarian spreadsheets export it, with a header row in English or Hungarian. Every problem is
collected as `file:line: reason`, so a clerk fixes the file in one pass.

In the ledger each candidate is one `candidate_registered` event; an import is one transaction
(all of its candidates or none) closed by a `roster_imported` event. Following the KIR registry
principle every person is registered exactly once: a candidate id or education id that is
already registered is rejected naming the existing registration, never merged silently.

Corrections (a changed name, e-mail or accommodation) will be new events that supersede the
registration without rewriting it; they are not implemented yet, so a roster can only add people.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from kiosk.domain.identity import education_id_error

ID_RE = re.compile(r"^[A-Za-z0-9._-]+$")
# Loose on purpose: the kiosk does not send mail, it only catches obvious typos.
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_ID = 64
MAX_TEXT = 200
MAX_NOTE = 1000
MAX_EXTRA_MINUTES = 600

REGISTERED = "candidate_registered"
IMPORTED = "roster_imported"

#: column -> header spellings, compared after `_header_key` (case, accents, spacing, "(perc)")
COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "candidate", "candidate id", "azonosito", "vizsgazo azonosito",
           "vizsgazo", "jelolt azonosito"),
    "name": ("name", "full name", "nev", "teljes nev", "vizsgazo neve"),
    "education_id": ("education id", "oktatasi azonosito", "om azonosito"),
    "email": ("email", "e mail", "email cim", "e mail cim"),
    "extra_minutes": ("extra minutes", "extra time", "tobbletido", "hosszabbitas"),
    "oral_prep_minutes": ("oral prep minutes", "oral preparation minutes",
                          "szobeli felkeszulesi tobbletido", "felkeszulesi tobbletido"),
    "aids": ("aids", "allowed aids", "segedeszkozok", "segedeszkoz", "engedelyezett segedeszkozok"),
    "note": ("note", "notes", "megjegyzes"),
}
REQUIRED = ("id", "name")
_ALIASES = {alias: column for column, aliases in COLUMNS.items() for alias in aliases}


@dataclass(frozen=True)
class Accommodations:
    """Special-needs arrangements: `extra_minutes` for the written part, `oral_prep_minutes`
    more preparation time for the oral. Each regime caps them (kiosk.domain.exam_rules), checked
    when a sitting is created."""

    extra_minutes: int = 0
    aids: tuple[str, ...] = ()
    note: str = ""
    oral_prep_minutes: int = 0

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"extra_minutes": self.extra_minutes, "aids": list(self.aids),
                               "note": self.note}
        if self.oral_prep_minutes:
            out["oral_prep_minutes"] = self.oral_prep_minutes
        return out


@dataclass(frozen=True)
class Candidate:
    id: str
    name: str
    education_id: str | None = None
    email: str | None = None
    accommodations: Accommodations = field(default_factory=Accommodations)

    def as_dict(self) -> dict[str, Any]:
        return {
            "candidate": self.id,
            "name": self.name,
            "education_id": self.education_id,
            "email": self.email,
            "accommodations": self.accommodations.as_dict(),
        }

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> Candidate:
        acc = body.get("accommodations") or {}
        return cls(
            id=str(body["candidate"]),
            name=str(body["name"]),
            education_id=body.get("education_id"),
            email=body.get("email"),
            accommodations=Accommodations(
                extra_minutes=int(acc.get("extra_minutes", 0)),
                aids=tuple(acc.get("aids", ())),
                note=str(acc.get("note", "")),
                oral_prep_minutes=int(acc.get("oral_prep_minutes", 0)),
            ),
        )


@dataclass(frozen=True)
class Row:
    line: int
    candidate: Candidate


@dataclass
class RosterFile:
    name: str
    rows: list[Row] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def candidates(self) -> list[Candidate]:
        return [r.candidate for r in self.rows]


# --- parsing --------------------------------------------------------------------------------


def _header_key(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = re.sub(r"\((perc|minutes?|min)\)", " ", plain)
    return " ".join(re.sub(r"[_\-.:]", " ", plain).split())


def _control_char(text: str) -> str | None:
    for ch in text:
        # Cf holds the bidi overrides that can make a name display as someone else's.
        if unicodedata.category(ch) in ("Cc", "Cf"):
            return f"U+{ord(ch):04X}"
    return None


def _delimiter(header_line: str) -> str:
    """Semicolon when the header has more of them than commas (outside quotes), else comma."""
    outside = re.sub(r'"[^"]*"', "", header_line)
    return ";" if outside.count(";") > outside.count(",") else ","


def _decode(data: bytes, name: str) -> tuple[str | None, str | None]:
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, (f"{name}:{line}: not UTF-8 text (in Excel save as \"CSV UTF-8\"; "
                      "LibreOffice: character set Unicode UTF-8)")


def parse_roster(data: bytes | str, name: str = "roster.csv") -> RosterFile:
    """Candidates of one roster file, or every problem as `name:line: reason`."""
    result = RosterFile(name)
    if isinstance(data, bytes):
        text, error = _decode(data, name)
        if text is None:
            result.errors.append(str(error))
            return result
    else:
        text = data.removeprefix("\ufeff")
    if not text.strip():
        result.errors.append(f"{name}:1: empty file (expected a header row such as "
                             "\"id;name;education_id;email;extra_minutes;aids;note\")")
        return result

    first_line = text.splitlines()[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    records: list[tuple[int, list[str]]] = []
    try:
        start = 1
        for record in reader:
            records.append((start, record))
            start = reader.line_num + 1
    except csv.Error as exc:
        result.errors.append(f"{name}:{reader.line_num}: not valid CSV ({exc})")
        return result
    records = [(n, r) for n, r in records if any(cell.strip() for cell in r)]
    if not records:
        result.errors.append(f"{name}:1: empty file")
        return result

    header_line, header = records[0]
    columns = _columns(header, header_line, name, result.errors)
    if columns is None:
        return result

    seen_ids: dict[str, tuple[int, str]] = {}
    seen_edu: dict[str, int] = {}
    for line, record in records[1:]:
        row = _row(record, columns, len(header), f"{name}:{line}", result.errors)
        if row is None:
            continue
        key = row.id.casefold()
        if key in seen_ids:
            first, spelled = seen_ids[key]
            same = "" if spelled == row.id else f" (as {spelled})"
            result.errors.append(f"{name}:{line}: candidate id {row.id} already on line "
                                 f"{first}{same}")
            continue
        if row.education_id and row.education_id in seen_edu:
            result.errors.append(f"{name}:{line}: education id {row.education_id} already on "
                                 f"line {seen_edu[row.education_id]}")
            continue
        seen_ids[key] = (line, row.id)
        if row.education_id:
            seen_edu[row.education_id] = line
        result.rows.append(Row(line, row))
    if not result.rows and not result.errors:
        result.errors.append(f"{name}:{header_line}: no candidates below the header")
    return result


def _columns(header: list[str], line: int, name: str, errors: list[str]) -> dict[str, int] | None:
    columns: dict[str, int] = {}
    before = len(errors)
    for i, raw in enumerate(header):
        if not raw.strip():
            continue
        column = _ALIASES.get(_header_key(raw))
        if column is None:
            known = ", ".join(COLUMNS)
            errors.append(f"{name}:{line}: unknown column {raw.strip()!r} (known: {known}, "
                          "or their Hungarian names)")
        elif column in columns:
            errors.append(f"{name}:{line}: column {raw.strip()!r} repeats column "
                          f"{header[columns[column]].strip()!r}")
        else:
            columns[column] = i
    for column in REQUIRED:
        if column not in columns:
            errors.append(f"{name}:{line}: the header has no {column!r} column "
                          f"(first line must name the columns, e.g. \"id;name\")")
    return None if len(errors) > before else columns


def _row(record: list[str], columns: dict[str, int], width: int, at: str, errors: list[str]
         ) -> Candidate | None:
    if len(record) > width and any(cell.strip() for cell in record[width:]):
        errors.append(f"{at}: {len(record)} fields but the header has {width} "
                      "(a name with the separator in it must be in double quotes)")
        return None
    before = len(errors)

    def cell(column: str, limit: int = MAX_TEXT) -> str:
        i = columns.get(column)
        value = record[i].strip() if i is not None and i < len(record) else ""
        bad = _control_char(value)
        if bad:
            errors.append(f"{at}: {column}: contains a control character ({bad})")
            return ""
        if len(value) > limit:
            errors.append(f"{at}: {column}: too long ({len(value)} characters, at most {limit})")
            return ""
        return value

    cid = cell("id", MAX_ID)
    name = " ".join(cell("name").split())
    edu = cell("education_id")
    email = cell("email")
    extra = cell("extra_minutes")
    oral_prep = cell("oral_prep_minutes")
    aids = cell("aids")
    note = cell("note", MAX_NOTE)
    if len(errors) > before:
        return None

    if not cid:
        errors.append(f"{at}: candidate id is missing")
    elif not ID_RE.match(cid):
        errors.append(f"{at}: candidate id {cid!r} may only hold letters A-Z, digits and . _ -")
    if not name:
        errors.append(f"{at}: name is missing")
    if edu:
        reason = education_id_error(edu)
        if reason:
            errors.append(f"{at}: education id {edu} {reason}")
    if email and not EMAIL_RE.match(email):
        errors.append(f"{at}: email {email!r} does not look like an address (name@example.hu)")
    minutes = _minutes(extra, "extra minutes", at, errors)
    prep = _minutes(oral_prep, "oral preparation minutes", at, errors)
    if len(errors) > before:
        return None
    return Candidate(
        id=cid,
        name=name,
        education_id=edu or None,
        email=email or None,
        accommodations=Accommodations(minutes, _aids(aids), note, prep),
    )


def _minutes(text: str, what: str, at: str, errors: list[str]) -> int:
    if not text:
        return 0
    if not text.isascii() or not text.isdigit():
        errors.append(f"{at}: {what} must be a whole number of minutes ≥ 0, got {text!r}")
        return 0
    minutes = int(text)
    if minutes > MAX_EXTRA_MINUTES:
        errors.append(f"{at}: {what} {minutes} is more than {MAX_EXTRA_MINUTES}: mistyped?")
    return minutes


def _aids(text: str) -> tuple[str, ...]:
    return tuple(a.strip() for a in re.split(r"[,;|]", text) if a.strip())


# --- the roster in the ledger --------------------------------------------------------------


class _Event(Protocol):
    seq: int
    ts: str
    kind: str
    body: dict[str, Any]


@dataclass(frozen=True)
class Registration:
    candidate: Candidate
    seq: int
    ts: str
    source: str = ""

    def describe(self) -> str:
        where = f", from {self.source}" if self.source else ""
        return f"event #{self.seq} of {self.ts}{where}"


def fold_registration(state: dict[str, Registration], event: _Event) -> dict[str, Registration]:
    """Reducer: registrations by candidate id (the state is extended in place and returned)."""
    if event.kind == REGISTERED:
        candidate = Candidate.from_body(event.body)
        state[candidate.id] = Registration(candidate, event.seq, event.ts,
                                           str(event.body.get("source", "")))
    return state


def registrations(events: Iterable[_Event]) -> dict[str, Registration]:
    state: dict[str, Registration] = {}
    for event in events:
        fold_registration(state, event)
    return state


class _Ledger(Protocol):
    def events(self, *, kind: str | Iterable[str] | None = None) -> Iterable[Any]: ...


def roster_registrations(ledger: _Ledger) -> dict[str, Registration]:
    return registrations(ledger.events(kind=REGISTERED))


def roster(ledger: _Ledger) -> dict[str, Candidate]:
    """The registered candidates by id, in registration order."""
    return {cid: reg.candidate for cid, reg in roster_registrations(ledger).items()}


def conflicts(parsed: RosterFile, existing: Mapping[str, Registration]) -> list[str]:
    """Rows naming a person the ledger already holds (by candidate id or education id)."""
    by_id = {cid.casefold(): reg for cid, reg in existing.items()}
    by_edu = {reg.candidate.education_id: reg for reg in existing.values()
              if reg.candidate.education_id}
    errors = []
    for row in parsed.rows:
        c = row.candidate
        at = f"{parsed.name}:{row.line}"
        reg = by_id.get(c.id.casefold())
        if reg is not None:
            spelled = "" if reg.candidate.id == c.id else f" as {reg.candidate.id}"
            errors.append(f"{at}: candidate id {c.id} is already registered{spelled} "
                          f"({reg.candidate.name}, {reg.describe()})")
            continue
        reg = by_edu.get(c.education_id) if c.education_id else None
        if reg is not None:
            errors.append(f"{at}: education id {c.education_id} is already registered to "
                          f"{reg.candidate.id} ({reg.candidate.name}, {reg.describe()})")
    return errors


def import_bodies(parsed: RosterFile, file_name: str, sha256: str
                  ) -> list[tuple[str, dict[str, Any]]]:
    """(kind, body) of the events one import appends, in order."""
    out: list[tuple[str, dict[str, Any]]] = [
        (REGISTERED, {**row.candidate.as_dict(), "source": f"{file_name}:{row.line}"})
        for row in parsed.rows
    ]
    out.append((IMPORTED, {"file": file_name, "sha256": sha256, "count": len(parsed.rows)}))
    return out
