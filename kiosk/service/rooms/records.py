"""Absences, exclusions and exemptions (`kiosk record …`): signed records that change what a
result means, each under the calling examiner's name (kiosk.domain.exam_records)."""

from __future__ import annotations

from datetime import date as Date
from typing import Any

from kiosk.domain import exam_records as X
from kiosk.domain.roster import roster
from kiosk.errors import KioskError
from kiosk.ledger.store import Ledger
from kiosk.service.rooms.marking import EXAMINERS, examiner
from kiosk.service.usecases import Context, use_case

MAX_TEXT = 1000


def text(value: str, what: str) -> str:
    value = " ".join(str(value).split())
    if not value:
        raise KioskError(f"{what} is required")
    if len(value) > MAX_TEXT:
        raise KioskError(f"{what}: at most {MAX_TEXT} characters")
    return value


def day(value: str | None) -> str:
    if value is None:
        return Date.today().isoformat()
    try:
        return Date.fromisoformat(value).isoformat()
    except ValueError:
        raise KioskError(f"--date: expected YYYY-MM-DD, got {value!r}") from None


def _check(ledger: Ledger, exam_id: str, candidate: str) -> str:
    from kiosk.exam_store import LOADED, latest_loads

    if exam_id not in latest_loads(ledger.events(kind=LOADED)):
        raise KioskError(f"--exam: exam {exam_id!r} is not loaded in this centre")
    match = next((c for c in roster(ledger) if c.casefold() == candidate.casefold()), None)
    if match is None:
        raise KioskError(f"--candidate: {candidate!r} is not registered")
    return match


def _append(ctx: Context, kind: str, exam: str, candidate: str, body: dict[str, Any]
            ) -> dict[str, Any]:
    from kiosk.marking import examiner_actor

    name = examiner(ctx)
    cid = _check(ctx.ledger, exam, candidate)
    event = ctx.ledger.append(kind, {"exam": exam, "candidate": cid, **body},
                              actor=examiner_actor(name))
    return {"candidate": cid, "seq": event.seq}


@use_case("record.absence", roles=EXAMINERS)
def absence(ctx: Context, *, exam: str, candidate: str, reason: str, excused: bool = False,
            interrupted: bool = False, date: str | None = None) -> dict[str, Any]:
    return _append(ctx, X.ABSENT, exam, candidate, {
        "date": day(date), "excused": bool(excused), "interrupted": bool(interrupted),
        "reason": text(reason, "--reason")})


@use_case("record.exclusion", roles=EXAMINERS)
def exclusion(ctx: Context, *, exam: str, candidate: str, reason: str,
              irregularity_seq: int | None = None, date: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"date": day(date), "reason": text(reason, "--reason")}
    if irregularity_seq is not None:
        body["irregularity_seq"] = int(irregularity_seq)
    return _append(ctx, X.EXCLUDED, exam, candidate, body)


def exemption_targets(exam: Any) -> list[str]:
    """What an exemption may name: the exam's parts, oral parts, subjects or activities."""
    from kiosk.domain.oral import OralConfigError, oral_parts
    from kiosk.plugins import regime_rules, registry

    known = [p.id for p in exam.parts]
    try:
        known += [p.id for p in oral_parts(exam.extra, exam.regime, regime_rules())]
    except OralConfigError:
        pass
    for key in ("subjects", "activities"):
        entries = exam.extra.get(key)
        if isinstance(entries, list):
            known += [str(e.get("id")) for e in entries if isinstance(e, dict)]
    regime = registry().regimes.get(exam.regime)
    if getattr(regime, "groups", "parts") == "subjects" and not exam.extra.get("subjects"):
        known.append("kotelezo")  # an exam file per subject: its one subject
    return known


@use_case("record.exemption", roles=EXAMINERS)
def exemption(ctx: Context, *, exam: str, candidate: str, target: str, grounds: str,
              granted_by: str, document: str = "") -> dict[str, Any]:
    from kiosk.exam_store import exam_and_banks

    examiner(ctx)
    content = exam_and_banks(ctx.centre, exam, ctx.passphrase)[0]
    known = exemption_targets(content)
    if target not in known:
        raise KioskError(f"--target: exam {exam!r} has no subject, activity or part "
                         f"{target!r} (known: {', '.join(dict.fromkeys(known))})")
    return _append(ctx, X.EXEMPTION, exam, candidate, {
        "target": text(target, "--target"), "grounds": text(grounds, "--grounds"),
        "granted_by": text(granted_by, "--granted-by"),
        "document": " ".join(str(document).split())})
