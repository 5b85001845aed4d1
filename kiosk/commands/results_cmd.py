"""`kiosk results` (per-candidate results through the exam's regime) and `kiosk stats EXAM`
(item analysis). Thin: the service computes (`results.*` use cases, kiosk/service/rooms/
results.py, the one result path); these commands format."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kiosk.commands.common import centre_calls, centre_option, echo_json
from kiosk.errors import KioskError
from kiosk.i18n import languages

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from kiosk.results import CandidateResult


#: the catalogue's `results.label.*` strings
_LABELS = "results.label"


def _part_line(p: Any, rounding: Any, lab: Mapping[str, str], language: str) -> str:
    """One part of a result: points, percent, grade, pass/fail, and what an appeal or a
    replacement card changed."""
    from kiosk.domain.numbers import percent_text, points_text, score_text

    pts = score_text(p.points, p.max_points, language)
    pct = percent_text(p.percent, rounding, language)
    grade = f" {p.grade_name} ({p.grade})" if p.grade is not None else ""
    status = lab["exempt"] if p.exempt else lab["passed" if p.passed else "failed"]
    line = f"  {p.part_id:<10} {p.kind:<8} {pts}{'  ' + pct if pct else ''}{grade}  {status}"
    if p.original_points is not None:
        line += (f"  ({lab['appeal']}: {lab['original']} "
                 f"{points_text(p.original_points, language)} → {lab['final']} "
                 f"{points_text(p.points, language)})")
    if p.raw_points is not None:
        line += f"  ({lab['replacement'].format(raw=points_text(p.raw_points, language))})"
    return line


def result_lines(results: Sequence[CandidateResult], language: str) -> list[str]:
    """`kiosk results` as text: parts with pass/fail, subject grades, the outcome and, for a
    result that is not a pass, its reasons in words."""
    from kiosk.domain.numbers import percent_text, points_text, score_text
    from kiosk.i18n import Labels
    from kiosk.results import failure_reasons, outstanding_titles

    lab = Labels(_LABELS, language)
    if not results:
        return [lab["none"]]
    lines = []
    for r in results:
        head = f"{r.candidate} {r.name} — {r.exam} ({r.regime})"
        if r.status:
            lines.append(f"{head}  {lab[r.status]}")
            continue
        if r.provisional:
            head += f"  {lab['provisional']}"
        lines.append(head)
        if r.error:
            lines.append(f"  {lab['cannot']}: {r.error}")
            continue
        lines.extend(_part_line(p, r.rounding, lab, language) for p in r.parts)
        for sub in r.subjects:
            grade = (lab["exempt"] if sub.exempt else
                     f"{sub.grade_name} ({sub.grade})" if sub.grade is not None else "–")
            lines.append(f"  {lab['subject']} {sub.title or sub.subject_id}: {grade}  "
                         f"{lab['passed' if sub.passed else 'failed']}")
        overall = score_text(r.points, r.max_points, language)
        pct = percent_text(r.percent, r.rounding, language)
        grade = f" {r.grade_name} ({r.grade})" if r.grade is not None else ""
        lines.append(f"  {lab['overall']:<19} {overall}{'  ' + pct if pct else ''}{grade}  "
                     f"{lab['passed' if r.passed else 'failed'].upper()}")
        if r.certificate is not None:
            lines.append(f"  {lab['certificate']}: {lab['yes' if r.certificate else 'no']}")
        if r.outstanding:
            lines.append(f"  {lab['outstanding']}: {', '.join(outstanding_titles(r, language))}")
        if r.repeat_whole:
            lines.append(f"  {lab['repeat_whole']}")
        for x in r.exemptions:
            doc = f", {x['document']}" if x.get("document") else ""
            lines.append(f"  {lab['exempt']}: {x['target']} — {x['grounds']} "
                         f"({lab['granted_by']} {x['granted_by']}{doc}; {lab['event']} #{x['seq']})")
        for i in r.appealed:
            lines.append(f"  {lab['appeal']} {i.item}: {lab['original']} "
                         f"{points_text(i.original, language)} → {lab['final']} "
                         f"{points_text(i.points, language)}")
        if not r.passed:
            for reason in failure_reasons(r, language):
                lines.append(f"  {lab['reasons']}: {reason}")
    return lines


@click.command("results")
@centre_option
@click.option("--exam", "exam_id", default=None, help="Only this exam (default: every loaded "
              "exam).")
@click.option("--json", "as_json", is_flag=True, help="JSON: every field, with the regime's "
              "outcome.")
@click.option("--csv", "as_csv", is_flag=True, help="CSV with a header, UTF-8.")
@click.option("--csv-sep", "csv_sep", type=click.Choice([";", ",", "tab"]), default=None,
              help="CSV separator (default: ';' with decimal commas for a Hungarian centre, "
              "as Hungarian spreadsheets expect; ',' otherwise).")
@click.option("--lang", "language", type=click.Choice(languages()), default=None,
              help="Language of labels, grade names and reasons (default: the centre's).")
@click.option("--due", is_flag=True, help="Which sittings' results are due or overdue (Szkr "
              "290. § (6): within 5 days; szakvizsga: on the exam day).")
@click.option("--today", default=None, help="With --due: the day to judge by (YYYY-MM-DD).")
@click.option("--user", "user", default=None, help="An examiner (password: $KIOSK_PASSWORD or "
              "asked); without it, the centre's operator account.")
def results_command(centre_dir: Path, exam_id: str | None, as_json: bool, as_csv: bool,
                    csv_sep: str | None, language: str | None, due: bool,
                    today: str | None, user: str | None) -> None:
    """Per-candidate points, percent, grade and pass/fail per part and overall; voided and
    absent candidates are listed as such."""
    from kiosk.results import CandidateResult, csv_dialect, results_csv, results_json

    if as_json and as_csv:
        raise KioskError("give --json or --csv, not both")
    if due:
        _due(centre_dir, exam_id, today, as_json, user)
        return
    with centre_calls(centre_dir, user=user) as calls:
        done = calls.call("results.compute", exam=exam_id, language=language)
    lang = done["language"]
    results = [CandidateResult.from_dict(r) for r in done["results"]]
    if as_json:
        echo_json(results_json(results))
        return
    if as_csv:
        sep, numbers = csv_dialect(lang, "\t" if csv_sep == "tab" else csv_sep)
        click.echo(results_csv(results, sep=sep, language=numbers), nl=False)
        return
    click.echo("\n".join(result_lines(results, lang)))


def _due(centre_dir: Path, exam_id: str | None, today: str | None, as_json: bool,
         user: str | None) -> None:
    """`kiosk results --due`: one line per sitting of a regime with a deadline."""
    from datetime import date

    with centre_calls(centre_dir, user=user) as calls:
        rows = calls.call("results.due", exam=exam_id, today=today)
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo("No sittings of a regime with a results deadline.")
        return
    for d in rows:
        if not d["missing"]:
            state = "announced (exported, nothing provisional)"
        elif d["overdue_days"]:
            state = f"OVERDUE by {d['overdue_days']} day(s): {', '.join(d['missing'])}"
        else:
            state = f"due: {', '.join(d['missing'])}"
        click.echo(f"{d['sitting']}  {d['exam']} ({d['regime']})  exam day "
                   f"{date.fromisoformat(d['date']).isoformat()}  results due {d['due']}  "
                   f"{state}")


@click.command("stats")
@click.argument("exam_id", metavar="EXAM")
@centre_option
@click.option("--csv", "as_csv", is_flag=True, help="Per-item statistics as CSV.")
@click.option("--bins", default=10, show_default=True, type=click.IntRange(1, 50),
              help="Histogram bins.")
@click.option("--write-difficulty", "bank_file", default=None,
              type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Write the calibrated difficulties (0–1) into this bank file's items, for "
              "`difficulty_tolerance` in the exam file.")
@click.option("--user", "user", default=None, help="An examiner (password: $KIOSK_PASSWORD or "
              "asked); without it, the centre's operator account.")
def stats_command(exam_id: str, centre_dir: Path, as_csv: bool, bins: int,
                  bank_file: Path | None, user: str | None) -> None:
    """Item analysis: facility, point-biserial, 27 % discrimination, distractors, KR-20/alpha;
    Rasch calibration across random papers, model reliability, paper difficulty per sitting."""
    with centre_calls(centre_dir, user=user) as calls:
        stats = calls.call("results.stats", exam=exam_id, bins=bins)
    if bank_file is not None:
        click.echo(write_difficulties(exam_id, stats["calibration"], bank_file))
        return
    click.echo(stats["csv"] if as_csv else stats["text"], nl=False)


def write_difficulties(exam_id: str, calibration: Mapping[str, float], bank_file: Path) -> str:
    """Set the calibrated difficulties of the bank's items in `bank_file` (atomically)."""
    import tomllib

    from kiosk.domain.bank_difficulty import BankEditError, set_difficulties

    try:
        text = bank_file.read_text(encoding="utf-8")
        bank_id = str(tomllib.loads(text).get("bank", {}).get("id", ""))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise KioskError(f"{bank_file}: cannot read the bank ({exc})") from None
    values = {key.split(":", 1)[1]: d for key, d in calibration.items()
              if key.split(":", 1)[0] == bank_id}
    if not values:
        raise KioskError(f"{bank_file}: no calibrated item of bank {bank_id!r} in exam "
                         f"{exam_id!r}")
    try:
        new, missing = set_difficulties(text, values)
    except BankEditError as exc:
        raise KioskError(f"{bank_file}: {exc}") from None
    tmp = bank_file.with_name(bank_file.name + ".part")
    tmp.write_text(new, encoding="utf-8")
    tmp.replace(bank_file)
    note = f"; not in the file: {', '.join(missing)}" if missing else ""
    return (f"{bank_file}: difficulty set for {len(values) - len(missing)} items of bank "
            f"{bank_id!r}{note}")


COMMANDS = [results_command, stats_command]
