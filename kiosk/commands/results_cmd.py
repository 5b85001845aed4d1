"""`kiosk results` (per-candidate results through the exam's regime) and `kiosk stats EXAM`
(item analysis)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from kiosk.commands.common import centre_option, centre_passphrase, echo_json
from kiosk.errors import KioskError
from kiosk.ledger.centre import Centre

if TYPE_CHECKING:
    from kiosk.stats import ExamStats


def _yes(value: bool | None) -> str:
    return "–" if value is None else ("igen/yes" if value else "nem/no")


@click.command("results")
@centre_option
@click.option("--exam", "exam_id", default=None, help="Only this exam (default: every loaded "
              "exam).")
@click.option("--json", "as_json", is_flag=True, help="JSON: every field, with the regime's "
              "outcome.")
@click.option("--csv", "as_csv", is_flag=True, help="CSV with a header, UTF-8.")
@click.option("--lang", "language", type=click.Choice(["hu", "en"]), default="hu",
              show_default=True, help="Language of grade names.")
@click.option("--due", is_flag=True, help="Which sittings' results are due or overdue (Szkr "
              "290. § (6): within 5 days; szakvizsga: on the exam day).")
@click.option("--today", default=None, help="With --due: the day to judge by (YYYY-MM-DD).")
def results_command(centre_dir: Path, exam_id: str | None, as_json: bool, as_csv: bool,
                    language: str, due: bool, today: str | None) -> None:
    """Per-candidate points, percent, grade and pass/fail per part and overall."""
    from kiosk.results import compute_results, results_csv, results_json

    if as_json and as_csv:
        raise KioskError("give --json or --csv, not both")
    centre = Centre.open(centre_dir)
    if due:
        _due(centre, exam_id, today, as_json)
        return
    results = compute_results(centre, exam_id, passphrase=centre_passphrase(centre),
                              language=language)
    if as_json:
        echo_json(results_json(results))
        return
    if as_csv:
        click.echo(results_csv(results), nl=False)
        return
    if not results:
        click.echo("No results yet (no submitted attempts or oral marks).")
        return
    for r in results:
        head = f"{r.candidate} {r.name} — {r.exam} ({r.regime})"
        if r.provisional:
            head += "  [PROVISIONAL: marking outstanding]"
        click.echo(head)
        if r.error:
            click.echo(f"  cannot evaluate: {r.error}")
            continue
        for p in r.parts:
            pts = "" if p.points is None else f"{p.points:g}/{p.max_points:g}"
            pct = "" if p.percent is None else f" {p.percent:.2f} %"
            orig = ("" if p.original_points is None
                    else f"  (original {p.original_points:g}, after appeal {p.points:g})")
            grade = f" {p.grade_name} ({p.grade})" if p.grade is not None else ""
            click.echo(f"  {p.part_id:<10} {p.kind:<8} {pts}{pct}{grade}  "
                       f"{'passed' if p.passed else 'FAILED'}{orig}")
        overall = "" if r.points is None else f"{r.points:g}/{r.max_points:g}"
        pct = "" if r.percent is None else f" {r.percent:.2f} %"
        grade = f" {r.grade_name} ({r.grade})" if r.grade is not None else ""
        click.echo(f"  overall    {overall}{pct}{grade}  {'PASSED' if r.passed else 'FAILED'}")
        if r.certificate is not None:
            click.echo(f"  certificate: {_yes(r.certificate)}")
        if r.outstanding:
            click.echo(f"  outstanding: {', '.join(r.outstanding)}")
        if r.repeat_whole:
            click.echo("  the whole exam must be repeated (Szkr 291. § (2))")
        for x in r.exemptions:
            doc = f", {x['document']}" if x.get("document") else ""
            click.echo(f"  exempt: {x['target']} — {x['grounds']} (granted by "
                       f"{x['granted_by']}{doc}; event #{x['seq']})")
        for i in r.appealed:
            click.echo(f"  appeal {i.item}: original {i.original:g} → final {i.points:g}")


def _due(centre: Centre, exam_id: str | None, today_text: str | None, as_json: bool) -> None:
    """`kiosk results --due`: one line per sitting of a regime with a deadline."""
    from datetime import date

    from kiosk.domain import exam_rules as R
    from kiosk.domain.sittings import KINDS, sittings
    from kiosk.exam_store import LOADED, latest_loads
    from kiosk.results import compute_results, load_exams

    try:
        today = date.fromisoformat(today_text) if today_text else date.today()
    except ValueError:
        raise KioskError(f"--today: expected YYYY-MM-DD, got {today_text!r}") from None
    passphrase = centre_passphrase(centre)
    with centre.reader() as reader:
        found = sittings(reader.events(kind=KINDS))
        loaded = list(latest_loads(reader.events(kind=LOADED)))
        exported = [(e.body.get("exam"), date.fromisoformat(e.ts[:10]))
                    for e in reader.events(kind="exported")]
    wanted = [e for e in loaded if exam_id is None or e == exam_id]
    exams = load_exams(centre, wanted, passphrase)
    provisional: dict[str, int] = {}
    for r in compute_results(centre, exam_id, exams=exams):
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
    report = R.results_due(rows, exported, provisional, today)
    if as_json:
        echo_json([{"sitting": d.sitting, "exam": d.exam, "regime": d.regime,
                    "date": d.day.isoformat(), "due": d.due.isoformat(),
                    "missing": list(d.missing), "overdue_days": d.overdue_days}
                   for d in report])
        return
    if not report:
        click.echo("No sittings of a regime with a results deadline.")
        return
    for d in report:
        if not d.missing:
            state = "announced (exported, nothing provisional)"
        elif d.overdue_days:
            state = f"OVERDUE by {d.overdue_days} day(s): {', '.join(d.missing)}"
        else:
            state = f"due: {', '.join(d.missing)}"
        click.echo(f"{d.sitting}  {d.exam} ({d.regime})  exam day {d.day.isoformat()}  "
                   f"results due {d.due.isoformat()}  {state}")


@click.command("stats")
@click.argument("exam_id", metavar="EXAM")
@centre_option
@click.option("--csv", "as_csv", is_flag=True, help="Per-item statistics as CSV.")
@click.option("--bins", default=10, show_default=True, type=click.IntRange(1, 50),
              help="Histogram bins.")
def stats_command(exam_id: str, centre_dir: Path, as_csv: bool, bins: int) -> None:
    """Item analysis: facility, point-biserial, 27 % discrimination, distractors, KR-20/alpha."""
    from kiosk.stats import render_csv, render_text

    centre = Centre.open(centre_dir)
    stats = centre_stats(centre, exam_id, centre_passphrase(centre), bins)
    click.echo(render_csv(stats) if as_csv else render_text(stats), nl=False)


def centre_stats(centre: Centre, exam_id: str, passphrase: str | None = None, bins: int = 10
                 ) -> ExamStats:
    from kiosk.domain.banks import all_items
    from kiosk.results import compute_results, fold_attempts, load_exams
    from kiosk.stats import exam_stats

    # Raises "not loaded" itself.
    exams = load_exams(centre, [exam_id], passphrase)
    results = compute_results(centre, exam_id, exams=exams)
    with centre.reader() as reader:
        states = fold_attempts(reader.events(kind=("attempt_created", "answer_saved",
                                                   "part_submitted", "attempt_submitted",
                                                   "attempt_voided")))
    return exam_stats(exam_id, results, states, all_items(exams[exam_id][1].values()), bins)


COMMANDS = [results_command, stats_command]
