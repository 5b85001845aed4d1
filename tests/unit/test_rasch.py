"""Fair random papers (issue 20): Rasch calibration across randomised papers recovers the
generating difficulties of `kiosk simulate`'s response model; model-based reliability with its
standard error; assembly that keeps papers within `difficulty_tolerance`; the spread of paper
difficulty per sitting."""

from __future__ import annotations

import math
import random
import statistics
from pathlib import Path

import pytest

from kiosk.domain import rasch as R
from kiosk.domain.assembly import assemble, paper_difficulty, target_difficulty
from kiosk.domain.banks import all_items
from kiosk.domain.exams import ExamError, slots_for
from kiosk.domain.scoring import score_item
from kiosk.loading import load_banks, load_exam
from kiosk.plugins import registry
from kiosk.simulation import model_response, true_ability, true_difficulty

QTYPES = registry().question_types

N_ITEMS = 60


def bank_text(difficulties: dict[int, float] | None = None) -> str:
    out = ['[bank]\nid = "r"\ntitle = "Rasch"\n']
    for i in range(N_ITEMS):
        diff = f"difficulty = {difficulties[i]:.4f}\n" if difficulties else ""
        out.append(f'''
[[items]]
id = "i{i:02d}"
type = "single_choice"
topic = "T{i % 3}"
points = 1
stem = "Kérdés {i}"
{diff}options = [{{ id = "a", text = "jó", correct = true }}, {{ id = "b", text = "rossz" }},
           {{ id = "c", text = "nagyon rossz" }}]
''')
    return "".join(out)


EXAM = """
[exam]
id = "rasch"
title = "Random papers"
banks = ["bank.toml"]
regime = "generic"
shuffle_questions = true
shuffle_options = true
{extra}
[[parts]]
id = "1"
title = "Written"
minutes = 30
[[parts.draw]]
count = 20
"""


def content(tmp: Path, extra: str = "", difficulties: dict[int, float] | None = None):  # noqa: ANN201
    (tmp / "bank.toml").write_text(bank_text(difficulties), encoding="utf-8")
    (tmp / "exam.toml").write_text(EXAM.format(extra=extra), encoding="utf-8")
    return load_exam(tmp / "exam.toml"), load_banks([tmp / "bank.toml"])


def test_simulated_difficulties_are_recovered_at_300_candidates(tmp_path: Path) -> None:
    """The same response model as `kiosk simulate`, on real assembled papers scored by the
    real question type: the estimated difficulties correlate ≥ 0.9 with the true ones."""
    exam, banks = content(tmp_path)
    items = all_items(banks.values())
    reg = registry()
    qtype, rule = reg.question_types["single_choice"], reg.scoring_rules[exam.scoring]
    seed = 7
    responses = []
    papers: list[set[str]] = []
    for c in range(300):
        candidate = f"SIM{c:04d}"
        paper = assemble(exam, banks, seed=c, question_types=QTYPES)
        papers.append(set(paper.item_keys))
        rng = random.Random(c)
        theta = true_ability(seed, candidate)
        for part in paper.parts:
            for pi in part.items:
                item = items[pi.item_key]
                answer = model_response(item, pi.presentation, rng, qtype.correct_response(item),
                                        theta, true_difficulty(seed, pi.item_key))
                got = score_item(item, answer, qtype, rule)
                responses.append((candidate, pi.item_key, got.points / got.max_points))
    shared = set.intersection(*papers)
    assert not shared  # no item common to every paper: classical KR-20 has nothing to work on
    cal = R.calibrate(responses)
    keys = sorted(cal.difficulty)
    assert len(keys) == N_ITEMS and cal.converged
    r = R.pearson([true_difficulty(seed, k) for k in keys], [cal.difficulty[k] for k in keys])
    assert r >= 0.9, r
    assert cal.reliability is not None and 0.5 < cal.reliability < 1
    assert cal.reliability_se is not None and 0 < cal.reliability_se < 0.1


def test_calibration_orders_items_and_is_symmetric() -> None:
    patterns = {"p1": (1, 1, 0), "p2": (1, 0, 0), "p3": (1, 0, 1), "p4": (0, 1, 0),
                "p5": (1, 1, 1), "p6": (0, 0, 0)}
    responses = [(p, item, x) for p, xs in patterns.items() for item, x in zip("abc", xs, strict=True)]
    cal = R.calibrate(responses, boot=0)
    d = cal.difficulty
    assert d["a"] < d["b"] < d["c"] and abs(sum(d.values())) < 1e-9
    # right and wrong swapped: every difficulty changes sign
    mirror = R.calibrate([(p, i, 1 - x) for p, i, x in responses], boot=0).difficulty
    for item in "abc":
        assert mirror[item] == pytest.approx(-d[item], abs=1e-6)
    # p5 (all right) and p6 (all wrong) have no finite estimate: left out, then scored
    assert cal.dropped_persons == 2
    assert cal.ability["p5"] > cal.ability["p1"] > cal.ability["p6"]


def test_extreme_and_empty_data_do_not_break() -> None:
    assert R.calibrate([]).reliability is None
    cal = R.calibrate([("p", "a", 1), ("q", "a", 1)])
    assert cal.difficulty == {} and cal.notes
    assert R.reliability([0.0, 0.0], [0.5, 0.5]) is None


def test_assembly_keeps_papers_within_the_difficulty_tolerance(tmp_path: Path) -> None:
    rng = random.Random(3)
    diffs = {i: min(0.95, max(0.05, rng.betavariate(2, 2))) for i in range(N_ITEMS)}
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    free_exam, banks = content(tmp_path / "a", difficulties=diffs)
    fair_exam, _ = content(tmp_path / "b", "difficulty_tolerance = 0.01", diffs)
    items = all_items(banks.values())
    slots, _ = slots_for(fair_exam, items)
    target = target_difficulty(items, {}, slots)
    assert target == pytest.approx(statistics.fmean(diffs.values()))
    free = [paper_difficulty(assemble(free_exam, banks, s, question_types=QTYPES), items) for s in range(40)]
    fair = [paper_difficulty(assemble(fair_exam, banks, s, question_types=QTYPES), items) for s in range(40)]
    assert max(abs(d - target) for d in fair) <= 0.01 + 1e-9
    assert max(free) - min(free) > 2 * (max(fair) - min(fair))
    # the same seed gives the same paper (the balance is deterministic too)
    assert assemble(fair_exam, banks, 5, question_types=QTYPES).item_keys == assemble(fair_exam, banks, 5, question_types=registry().question_types).item_keys


def test_a_bad_tolerance_is_refused_with_its_line(tmp_path: Path) -> None:
    with pytest.raises(ExamError, match="difficulty_tolerance"):
        content(tmp_path, "difficulty_tolerance = 2")


def test_paper_difficulty_needs_every_item_calibrated(tmp_path: Path) -> None:
    exam, banks = content(tmp_path)
    items = all_items(banks.values())
    assert math.isnan(paper_difficulty(assemble(exam, banks, 1, question_types=QTYPES), items))


def test_exam_check_names_items_without_a_difficulty(tmp_path: Path) -> None:
    from kiosk.domain.assembly import trial_errors

    exam, banks = content(tmp_path, "difficulty_tolerance = 0.02")
    [problem] = trial_errors(exam, banks, question_types=QTYPES)
    assert "difficulty_tolerance needs a `difficulty` on every item" in problem
    (tmp_path / "ok").mkdir()
    exam, banks = content(tmp_path / "ok", "difficulty_tolerance = 0.02",
                          {i: 0.5 for i in range(N_ITEMS)})
    assert trial_errors(exam, banks, question_types=QTYPES) == []
