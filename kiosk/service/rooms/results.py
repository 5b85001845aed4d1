"""Results and item statistics for display (`kiosk results`, `kiosk stats`, the marking app's
statistics): computed here, by the one result path (kiosk.results.compute_results), with the
exams' content decrypted by the service; the commands only format what comes back."""

from __future__ import annotations

from datetime import date
from typing import Any

from kiosk.errors import KioskError
from kiosk.service.usecases import OPERATOR, Context, use_case

#: Who sees every candidate's result: the office and the examiners (not the room's staff).
READERS = (OPERATOR, "examiner", "admin")


@use_case("results.compute", roles=READERS, writes=False, needs_key=True)
def compute(ctx: Context, *, exam: str | None = None, language: str | None = None
            ) -> dict[str, Any]:
    """Every candidate's result (voided and absent ones listed as such), in the centre's
    language unless one is asked for; `CandidateResult.from_dict` rebuilds each."""
    from kiosk.i18n import centre_language
    from kiosk.results import compute_results

    lang = centre_language(ctx.centre.config(), language)
    results = compute_results(ctx.centre, exam, passphrase=ctx.passphrase, language=lang,
                              listed=True, events=_events(ctx))
    return {"language": lang, "results": [r.to_dict() for r in results]}


def _events(ctx: Context) -> list[Any]:
    from kiosk.exam_store import LOADED
    from kiosk.results import RESULT_KINDS

    return list(ctx.ledger.events(kind=RESULT_KINDS | {LOADED}))


@use_case("results.due", roles=READERS, writes=False, needs_key=True)
def due(ctx: Context, *, exam: str | None = None, today: str | None = None
        ) -> list[dict[str, Any]]:
    """Which sittings' results are due or overdue (Szkr 290. § (6); szakvizsga: the day)."""
    from kiosk.domain import exam_rules as R
    from kiosk.domain.sittings import KINDS, sittings
    from kiosk.exam_store import LOADED, latest_loads
    from kiosk.plugins import regime_rules
    from kiosk.results import compute_results, load_exams

    try:
        day = date.fromisoformat(today) if today else date.today()
    except ValueError:
        raise KioskError(f"--today: expected YYYY-MM-DD, got {today!r}") from None
    found = sittings(ctx.ledger.events(kind=KINDS))
    loaded = list(latest_loads(ctx.ledger.events(kind=LOADED)))
    exported = [(e.body.get("exam"), date.fromisoformat(e.ts[:10]))
                for e in ctx.ledger.events(kind="exported")]
    wanted = [e for e in loaded if exam is None or e == exam]
    exams = load_exams(ctx.centre, wanted, ctx.passphrase)
    provisional: dict[str, int] = {}
    for r in compute_results(ctx.centre, exam, exams=exams, events=_events(ctx)):
        if r.provisional:
            provisional[r.exam] = provisional.get(r.exam, 0) + 1
    rows = []
    for s in found.values():
        if s.exam not in exams:
            continue
        try:
            rows.append((s.id, s.exam, exams[s.exam][0].regime, date.fromisoformat(s.date)))
        except ValueError:
            continue
    return [{"sitting": d.sitting, "exam": d.exam, "regime": d.regime,
             "date": d.day.isoformat(), "due": d.due.isoformat(),
             "missing": list(d.missing), "overdue_days": d.overdue_days}
            for d in R.results_due(rows, exported, provisional, day, regime_rules())]


def centre_stats(centre: Any, exam_id: str, passphrase: str | None = None, bins: int = 10,
                 events: list[Any] | None = None) -> Any:
    """Item analysis of one exam (kiosk.stats.ExamStats) from the centre's ledger."""
    from kiosk.domain.banks import all_items
    from kiosk.results import compute_results, fold_attempts, load_exams
    from kiosk.stats import exam_stats

    # Raises "not loaded" itself.
    exams = load_exams(centre, [exam_id], passphrase)
    results = compute_results(centre, exam_id, exams=exams, events=events)
    kinds = ("attempt_created", "answer_saved", "part_submitted", "attempt_submitted",
             "attempt_voided")
    if events is not None:
        states = fold_attempts(e for e in events if e.kind in kinds)
    else:
        with centre.reader() as reader:
            states = fold_attempts(reader.events(kind=kinds))
    return exam_stats(exam_id, results, states, all_items(exams[exam_id][1].values()), bins)


@use_case("results.stats", roles=READERS, writes=False, needs_key=True)
def stats(ctx: Context, *, exam: str, bins: int = 10) -> dict[str, Any]:
    """Item statistics as the report's text and CSV, the histogram's bars, and the calibrated
    difficulties (item key → 0–1) for `kiosk stats --write-difficulty`."""
    from kiosk.stats import render_csv, render_text

    if not isinstance(bins, int) or not 1 <= bins <= 50:
        raise KioskError("--bins: 1–50")
    found = centre_stats(ctx.centre, exam, ctx.passphrase, bins, list(ctx.ledger.events()))
    return {"exam": exam, "text": render_text(found), "csv": render_csv(found),
            "histogram": [[b.low, b.count] for b in found.histogram],
            "calibration": {key: c.difficulty for key, c in found.calibration.items()}}
