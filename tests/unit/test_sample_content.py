"""The sample banks and exams in question_banks/: they load, their blueprints have room to
randomise, papers assemble, and every item's key really earns full marks."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from kiosk.domain.assembly import assemble, paper_max_points, part_max_points
from kiosk.domain.banks import Bank, all_items
from kiosk.domain.exams import Exam, slots_for
from kiosk.domain.items import Item
from kiosk.domain.scoring import score_item
from kiosk.loading import check_bank_files, check_exam
from kiosk.plugins import registry

CONTENT = Path(__file__).resolve().parents[2] / "question_banks"
EXAM_FILES = sorted(CONTENT.glob("*.exam.toml"))
BANK_FILES = sorted(p for p in CONTENT.glob("*.toml") if not p.name.endswith(".exam.toml"))
SEEDS = range(20)

# What each sample exam models (from /work/shared/rules/): id -> facts the file must keep.
EXPECTED = {
    "informatika-sql-python": {
        "minutes": 60, "points": 30, "items": 6, "pass_percent": 40, "scoring": "proportional",
        "grade_scale": "hu-szkr",
    },
    "szamvitel-konyveles": {
        "minutes": 30, "points": 20, "items": 5, "pass_percent": 40, "scoring": "proportional",
        "grade_scale": "hu-szkr",
    },
    "szakvizsga-jogesetek": {
        "minutes": 60, "points": 40, "items": 7, "pass_percent": 61, "show_score": False,
        "grade_scale": "hu-szakvizsga",
    },
    "szakvizsga-kotelezo-irasbeli": {
        "minutes": 120, "points": 100, "items": 12, "pass_points": 61, "show_score": False,
        "grade_scale": "hu-szakvizsga", "regime": "hu-szakvizsga",
    },
    "gazdasag-alapvizsga": {
        "minutes": 60, "points": 40, "items": 20, "pass_percent": 40, "scoring": "all_or_nothing",
        "grade_scale": "hu-szkr",
    },
    "it-alapok-2026": {
        "minutes": 30, "points": 30, "items": 15, "pass_percent": 40, "scoring": "szkr",
        "grade_scale": "hu-szkr",
    },
    "practice-en": {
        "minutes": 10, "points": 14, "items": 7, "self_start": True, "show_score": True,
        "scoring": "proportional", "language": "en",
    },
    "kozszolgalati-technikus": {
        "minutes": 90, "points": 100, "items": 22, "pass_percent": 40,
        "grade_scale": "hu-szkr",
    },
}


def _load(path: Path) -> tuple[Exam, dict[str, Bank]]:
    result = check_exam(path)
    assert result.errors == [], "\n".join(result.errors)
    assert result.exam is not None
    return result.exam, result.banks


def _exam_id(path: Path) -> str:
    return path.name.removesuffix(".exam.toml")


def test_every_sample_is_present() -> None:
    assert {_exam_id(p) for p in EXAM_FILES} >= {
        "szakvizsga_kotelezo", "gazdasag_alapvizsga", "it_alapok", "practice_en",
        "kozszolgalati_technikus",
    }


@pytest.mark.parametrize("path", BANK_FILES, ids=lambda p: p.name)
def test_bank_loads_without_errors(path: Path) -> None:
    result = check_bank_files([path])
    assert result.errors == [], "\n".join(result.errors)
    (bank,) = result.banks.values()
    assert len(bank.items) >= 12


def test_every_bank_is_used_by_an_exam() -> None:
    used = {p.resolve() for path in EXAM_FILES for p in _load(path)[0].banks}
    assert {p.resolve() for p in BANK_FILES} <= used


@pytest.mark.parametrize("path", EXAM_FILES, ids=_exam_id)
def test_exam_models_its_rules(path: Path) -> None:
    exam, _ = _load(path)
    want = EXPECTED[exam.id]
    assert exam.minutes == want["minutes"]
    total = sum(p.total_points or 0 for p in exam.parts)
    assert total == want["points"]
    for key in ("pass_points", "pass_percent", "show_score", "self_start", "scoring",
                "grade_scale", "regime", "language"):
        if key in want:
            assert getattr(exam, key) == want[key], key


@pytest.mark.parametrize("path", EXAM_FILES, ids=_exam_id)
def test_bank_holds_twice_what_each_draw_rule_draws(path: Path) -> None:
    exam, banks = _load(path)
    items = all_items(banks.values())
    slots, errors = slots_for(exam, items)
    assert errors == []
    assert slots, "the exam draws nothing at random"
    for slot in slots:
        available = sum(1 for it in items.values() if slot.matches(it))
        assert available >= 2 * slot.count, (
            f"{slot.label}: {available} items in the bank for {slot.count} drawn")


@pytest.mark.parametrize("path", EXAM_FILES, ids=_exam_id)
def test_papers_assemble_with_the_exam_total(path: Path) -> None:
    exam, banks = _load(path)
    items = all_items(banks.values())
    want = EXPECTED[exam.id]
    drawn: set[tuple[str, ...]] = set()
    for seed in SEEDS:
        paper = assemble(exam, banks, seed, question_types=registry().question_types)
        keys = paper.item_keys
        assert len(keys) == len(set(keys)) == want["items"]
        assert paper_max_points(paper, items) == want["points"]
        for part in exam.parts:
            assert part_max_points(paper.part(part.id), items) == part.total_points
        for slot in slots_for(exam, items)[0]:
            part_keys = paper.part(slot.part.id).item_keys
            got = sum(1 for k in part_keys if slot.matches(items[k]))
            assert got >= slot.count, f"seed {seed}: {slot.label} got {got}"
        drawn.add(tuple(sorted(keys)))
    assert len(drawn) > 1, "20 seeds gave the same paper: nothing is randomised"


def _all_sample_items() -> list[tuple[Exam, Item]]:
    out = []
    for path in EXAM_FILES:
        exam, banks = _load(path)
        out.extend((exam, item) for item in all_items(banks.values()).values())
    return out


def test_every_key_earns_full_marks_and_no_answer_earns_none() -> None:
    reg = registry()
    checked = 0
    for exam, item in _all_sample_items():
        qtype = reg.question_types[item.type]
        rule = reg.scoring_rules[item.scoring or exam.scoring]
        if qtype.human_marked:
            rubric = item.spec.get("rubric", [])
            assert rubric, f"{item.key}: an essay needs a rubric for the markers"
            assert sum(r["points"] for r in rubric) == pytest.approx(item.points), item.key
            assert score_item(item, "válasz", qtype, rule).needs_marking
            continue
        key = qtype.correct_response(item)
        assert key is not None, item.key
        full = score_item(item, key, qtype, rule)
        assert full.points == pytest.approx(item.points), f"{item.key}: key scores {full.points}"
        assert score_item(item, None, qtype, rule).points == 0, item.key
        checked += 1
    assert checked > 100


def test_single_choice_items_have_exactly_one_right_option() -> None:
    for _exam, item in _all_sample_items():
        if item.type == "single_choice":
            right = [o for o in item.spec["options"] if o.get("correct")]
            assert len(right) == 1, item.key


def test_szakvizsga_draws_every_module_equally() -> None:
    exam, banks = _load(CONTENT / "szakvizsga_kotelezo.exam.toml")
    items = all_items(banks.values())
    for seed in SEEDS:
        paper = assemble(exam, banks, seed, question_types=registry().question_types)
        points = Counter[str]()
        for key in paper.item_keys:
            points[items[key].topic] += items[key].points
        assert len(points) == 5
        assert set(points.values()) == {20}


def test_practice_bank_has_every_builtin_type() -> None:
    result = check_bank_files([CONTENT / "practice_en.toml"])
    types = {it.type for bank in result.banks.values() for it in bank.items.values()}
    assert types >= {"single_choice", "multiple_response", "true_false", "short_text", "numeric",
                     "matching", "ordering", "cloze", "essay"}


def test_technikus_parts_are_two_45_minute_sets_with_own_minimum() -> None:
    exam, _ = _load(CONTENT / "kozszolgalati_technikus.exam.toml")
    assert [(p.id, p.minutes, p.pass_percent, p.total_points) for p in exam.parts] == [
        ("1", 45, 40, 50), ("2", 45, 40, 50)]


def test_readme_lists_every_file() -> None:
    readme = (CONTENT / "README.md").read_text(encoding="utf-8")
    for path in [*EXAM_FILES, *BANK_FILES]:
        assert path.name in readme, path.name
