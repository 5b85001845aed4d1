"""`kiosk bank check`, `kiosk exam check`, `kiosk paper show`: content checks for examiners."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import click

from kiosk.delivery import require_delivery
from kiosk.domain.assembly import (
    Paper,
    assemble,
    paper_max_points,
    part_max_points,
    trial_errors,
)
from kiosk.domain.banks import Bank, all_items
from kiosk.domain.exams import ExamCheck, Known, regime_errors
from kiosk.domain.items import Item
from kiosk.errors import KioskError
from kiosk.loading import (
    centre_scales,
    check_bank_files,
    check_exam,
    question_types,
    registered_names,
)


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _fail(errors: list[str], as_json: bool, extra: dict[str, Any] | None = None) -> None:
    if as_json:
        _echo_json({"ok": False, **(extra or {}), "errors": errors})
    else:
        for error in errors:
            click.echo(error)
    n = len(errors)
    raise KioskError(f"{n} problem{'s' if n != 1 else ''} found", exit_code=1)


def _num(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 4)


def bank_summary(bank: Bank) -> dict[str, Any]:
    items = list(bank.items.values())
    return {
        "id": bank.id,
        "title": bank.title,
        "language": bank.language,
        "files": bank.files,
        "items": len(items),
        "points": _num(sum(i.points for i in items)),
        "by_type": dict(sorted(Counter(i.type for i in items).items())),
        "by_topic": dict(sorted(Counter(i.topic for i in items).items())),
    }


def _print_counts(title: str, counts: dict[str, int]) -> None:
    click.echo(f"  {title}:")
    width = max((len(k) for k in counts), default=0)
    for key, n in counts.items():
        click.echo(f"    {key:<{width}}  {n}")


@click.group("bank")
def bank_group() -> None:
    """Question banks."""


@bank_group.command("check")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def bank_check(paths: tuple[Path, ...], as_json: bool) -> None:
    """Check bank files; print item counts by type and topic, or every problem as file:line."""
    result = check_bank_files(paths)
    summaries = [bank_summary(b) for b in result.banks.values()]
    if result.errors:
        _fail(result.errors, as_json)
    if as_json:
        _echo_json({"ok": True, "banks": summaries, "errors": []})
        return
    for s in summaries:
        click.echo(f"bank {s['id']} ({s['title']}): {s['items']} items, {s['points']} points, "
                   f"{len(s['files'])} file{'s' if len(s['files']) != 1 else ''}")
        _print_counts("by type", s["by_type"])
        _print_counts("by topic", s["by_topic"])


def _known(centre: Path | None) -> Known:
    extra = [s.id for s in centre_scales(centre)] if centre else []
    return registered_names(extra)


def _checked_exam(path: Path, centre: Path | None, as_json: bool, draws: bool = True
                  ) -> ExamCheck:
    result = check_exam(path, _known(centre), draws=draws)
    if result.errors or result.exam is None:
        _fail(result.errors, as_json)
    return result


@click.group("exam")
def exam_group() -> None:
    """Exam definitions."""


@exam_group.command("check")
@click.argument("exam", type=click.Path(path_type=Path))
@click.option("--centre", type=click.Path(path_type=Path), default=None,
              help="Also accept the grade scales in the centre's scales/ directory.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def exam_check(exam: Path, centre: Path | None, as_json: bool) -> None:
    """Check an exam file and that its banks can satisfy every draw rule."""
    result = _checked_exam(exam, centre, as_json)
    ex = result.exam
    assert ex is not None
    from kiosk.plugins import registry

    regime = registry().regimes.get(ex.regime)
    trials = regime_errors(ex, result.banks, regime) or trial_errors(
        ex, result.banks, question_types=question_types())
    if trials:
        _fail(trials, as_json)
    try:  # candidate code needs OS isolation here: refused in exam mode, a warning in practice
        delivery_warnings = require_delivery(ex, result.banks)
    except KioskError as exc:
        _fail([str(exc)], as_json)
    parts = []
    for part in ex.parts:
        parts.append({
            "id": part.id, "title": part.title, "minutes": _num(part.minutes),
            "rules": len(part.draw),
            "items": sum(len(r.fixed) or r.count or r.equal_share or 0 for r in part.draw),
            "total_points": part.total_points,
        })
    data = {
        "ok": True, "id": ex.id, "title": ex.title, "regime": ex.regime,
        "grade_scale": ex.grade_scale, "scoring": ex.scoring, "minutes": _num(ex.minutes),
        "parts": parts, "banks": [bank_summary(b) for b in result.banks.values()], "errors": [],
        "warnings": delivery_warnings,
    }
    if as_json:
        _echo_json(data)
        return
    click.echo(f"exam {ex.id} ({ex.title}): {len(parts)} part{'s' if len(parts) != 1 else ''}, "
               f"{data['minutes']} minutes, regime {ex.regime}, scale {ex.grade_scale or '-'}, "
               f"scoring {ex.scoring}")
    for p in parts:
        total = f", {_num(p['total_points'])} points" if p["total_points"] else ""
        click.echo(f"  part {p['id']} ({p['title']}): {p['minutes']} minutes, {p['items']} items"
                   f" from {p['rules']} rule{'s' if p['rules'] != 1 else ''}{total}")
    for b in data["banks"]:
        click.echo(f"  bank {b['id']}: {b['items']} items")
    for warning in delivery_warnings:
        click.echo(warning)
    click.echo("ok: every draw rule can be satisfied")


def _shown(value: Any) -> str:
    """A presentation value for people: lists joined, tables (cloze gaps: gap -> option order)
    as `gap 1 = a / b / c`, never a Python repr."""
    if isinstance(value, list):
        return ", ".join(_shown(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"[{k}] {' / '.join(map(str, v)) if isinstance(v, list) else _shown(v)}"
                         for k, v in value.items())
    return str(value)


def _item_line(n: int, item: Item, presentation: dict[str, Any]) -> str:
    stem = " ".join(item.stem.split())
    if len(stem) > 60:
        stem = stem[:59] + "…"
    shown = "; ".join(f"{k}: {_shown(v)}" for k, v in presentation.items()
                      if v not in ({}, [], None, ""))
    line = f"  {n:>3}. {item.key} [{item.type}, {item.topic}, {_num(item.points)} p] {stem}"
    return line + (f"\n       {shown}" if shown else "")


def paper_data(paper: Paper, items: dict[str, Item]) -> dict[str, Any]:
    data = paper.to_dict()
    data["max_points"] = _num(paper_max_points(paper, items))
    for part, raw in zip(paper.parts, data["parts"], strict=True):
        raw["max_points"] = _num(part_max_points(part, items))
        for entry in raw["items"]:
            item = items[entry["item"]]
            entry.update(type=item.type, topic=item.topic, points=_num(item.points))
    return data


@click.group("paper")
def paper_group() -> None:
    """Candidate papers."""


@paper_group.command("show")
@click.option("--exam", "exam_path", required=True, type=click.Path(path_type=Path),
              help="The exam file.")
@click.option("--seed", default=None, help="The paper's seed.")
@click.option("--centre", type=click.Path(path_type=Path), default=None,
              help="Centre directory (with --candidate: the seed recorded in its ledger).")
@click.option("--candidate", default=None, help="Candidate id (with --centre).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--pdf", "pdf_out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the paper as PDF (items with their images), for print.")
def paper_show(exam_path: Path, seed: str | None, centre: Path | None, candidate: str | None,
               as_json: bool, pdf_out: Path | None = None) -> None:
    """Show the paper a seed (or a candidate's recorded seed) gives for an exam."""
    if seed is None and candidate is None:
        raise KioskError("give --seed S, or --centre DIR --candidate ID")
    if seed is not None and candidate is not None:
        raise KioskError("give either --seed or --candidate, not both")
    if candidate is not None and centre is None:
        raise KioskError("--candidate needs --centre DIR (the ledger that recorded the seed)")
    # Draw-rule warnings (e.g. a total that varies) need not stop a look at one paper; a rule
    # that cannot be met stops assembly anyway.
    result = _checked_exam(exam_path, centre, as_json, draws=False)
    exam = result.exam
    assert exam is not None
    exclude: set[str] = set()
    recorded: list[list[str]] | None = None
    if candidate is not None:
        assert centre is not None
        seed, exclude, recorded = _recorded_seed(centre, candidate, exam.id)
    assert seed is not None
    paper = assemble(exam, result.banks, seed, exclude=exclude,
                     question_types=question_types())
    if recorded is not None and [p.item_keys for p in paper.parts] != recorded:
        raise KioskError(f"the paper regenerated for {candidate} differs from the one recorded in "
                         "the ledger: the exam or its banks changed since the sitting")
    items = all_items(result.banks.values())
    if pdf_out is not None:
        from kiosk.commands.importing import write_atomically
        from kiosk.paper_pdf import paper_pdf
        from kiosk.plugins import registry

        titles = {p.id: p.title for p in exam.parts}
        data = paper_pdf(exam.title, paper, items, registry().question_types, titles)
        write_atomically(pdf_out, data, force=True)
    if as_json:
        _echo_json(paper_data(paper, items))
        return
    click.echo(f"paper for exam {exam.id}, seed {seed}: {len(paper.item_keys)} items, "
               f"{_num(paper_max_points(paper, items))} points")
    n = 0
    for ppart in paper.parts:
        part = exam.part(ppart.part_id)
        click.echo(f"part {part.id} ({part.title}): {_num(part.minutes)} minutes, "
                   f"{len(ppart.items)} items, {_num(part_max_points(ppart, items))} points")
        for pi in ppart.items:
            n += 1
            click.echo(_item_line(n, items[pi.item_key], pi.presentation))


def _recorded_seed(centre: Path, candidate: str, exam_id: str
                   ) -> tuple[str, set[str], list[list[str]]]:
    """Seed, excluded items and item keys of the candidate's latest attempt at this exam."""
    from kiosk.domain.attempts import ATTEMPT_CREATED, seen_items
    from kiosk.ledger.centre import Centre

    with Centre.open(centre).reader() as ledger:
        created = list(ledger.events(kind=ATTEMPT_CREATED))
    mine = [i for i, e in enumerate(created)
            if e.body.get("candidate") == candidate and e.body.get("exam") == exam_id]
    if not mine:
        raise KioskError(f"{centre}: no attempt by {candidate!r} at exam {exam_id!r} in the ledger")
    latest = created[mine[-1]]
    # Items seen in the attempts before this one were excluded when it was assembled.
    exclude = seen_items(created[: mine[-1]], candidate)
    return str(latest.body["seed"]), exclude, latest.body.get("paper", [])


COMMANDS = [bank_group, exam_group, paper_group]
