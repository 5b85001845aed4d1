"""Records about a candidate's exam that are not marks: absences, exclusions and exemptions.

Each is a signed ledger event written by an examiner (`kiosk record …`), never a setting in an
exam file, so the ledger shows who decided what, when and on what grounds. Bodies:

- `candidate_absent` `{exam, candidate, date, excused: bool, interrupted: bool, reason,
  sitting?}` — the candidate did not turn up, or broke the exam off (Szkr 291. § (1) b: "a
  szakmai vizsgán igazolható ok nélkül nem jelent meg, vagy azt megszakította"; excused = a
  reason not the candidate's fault, 292. §).
- `candidate_excluded` `{exam, candidate, date, reason, attempt?, irregularity_seq?}` — barred
  from continuing because of an irregularity (291. § (1) c: "szabálytalanság miatt a szakmai
  vizsga folytatásától eltiltásra került").
- `exemption_granted` `{exam, candidate, target, grounds, granted_by, document?}` — the subject
  (hu-szakvizsga), activity (hu-szkr) or part the candidate need not sit, the legal grounds (e.g.
  "Kttv. 118. § (9), SZVR 2. § (6): tudományos fokozat, KTK határozat 12/2025") and who granted
  it (the body named in the decision; the event's actor is the examiner who recorded it).

Pure: folds events into `Records` per (exam, candidate); the regimes read `Interruption`s and
the results read exemptions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from kiosk.domain.attempts import LedgerEvent
from kiosk.domain.regimes import Interruption

ABSENT = "candidate_absent"
EXCLUDED = "candidate_excluded"
EXEMPTION = "exemption_granted"
KINDS = (ABSENT, EXCLUDED, EXEMPTION)


@dataclass(frozen=True)
class Exemption:
    target: str
    grounds: str
    granted_by: str
    seq: int
    ts: str
    actor: str
    document: str = ""

    def describe(self) -> str:
        doc = f", {self.document}" if self.document else ""
        return (f"exempt from {self.target}: {self.grounds} (granted by {self.granted_by}{doc}; "
                f"recorded by {self.actor}, event #{self.seq})")

    def as_dict(self) -> dict[str, Any]:
        return {"target": self.target, "grounds": self.grounds, "granted_by": self.granted_by,
                "document": self.document, "seq": self.seq, "recorded": self.ts,
                "actor": self.actor}


@dataclass
class Records:
    interruptions: list[Interruption] = field(default_factory=list)
    exemptions: list[Exemption] = field(default_factory=list)


def _day(text: Any) -> date | None:
    try:
        return date.fromisoformat(str(text)[:10])
    except ValueError:
        return None


def fold_records(events: Iterable[LedgerEvent]) -> dict[tuple[str, str], Records]:
    """Records by (exam id, candidate id), in ledger order."""
    out: dict[tuple[str, str], Records] = {}
    for e in events:
        if e.kind not in KINDS:
            continue
        b = e.body
        key = (str(b.get("exam", "")), str(b.get("candidate", "")))
        rec = out.setdefault(key, Records())
        if e.kind == ABSENT:
            rec.interruptions.append(Interruption(
                kind="interrupted" if b.get("interrupted") else "absent",
                excused=b.get("excused") is True, date=_day(b.get("date", e.ts)),
                reason=str(b.get("reason", "")), seq=e.seq))
        elif e.kind == EXCLUDED:
            rec.interruptions.append(Interruption(
                kind="excluded", excused=False, date=_day(b.get("date", e.ts)),
                reason=str(b.get("reason", "")), seq=e.seq))
        else:
            rec.exemptions.append(Exemption(
                target=str(b.get("target", "")), grounds=str(b.get("grounds", "")),
                granted_by=str(b.get("granted_by", "")), seq=e.seq, ts=e.ts, actor=e.actor,
                document=str(b.get("document", ""))))
    return out


def exempt_targets(records: Records | None) -> Mapping[str, Exemption]:
    return {x.target: x for x in (records.exemptions if records else [])}
