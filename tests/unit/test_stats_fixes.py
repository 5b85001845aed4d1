"""`kiosk stats` as an examiner reads it (issues 15 and 20): the stem, the keyed option marked,
a warning for tiny samples, a negative KR-20 explained, exam-level figures in the CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from kiosk.domain import item_analysis as IA
from kiosk.stats import ExamStats, reliability_lines
from tests.support.marking_helpers import exam_text, mark_setup, sit
from tests.unit.test_stats_cli import ANSWERS, ITEMS, ROSTER, run


def test_stats_show_stem_keyed_option_small_n_and_exam_figures_in_csv(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    s = mark_setup(tmp_path, exam=exam_text("fixed", items=ITEMS), roster=ROSTER)
    for cid, answers in ANSWERS.items():
        sit(s, cid, answers)
    c = str(s.centre.path)
    rc, out, err = run(capsys, "stats", "fixed", "--centre", c)
    assert rc == 0, err
    assert "Melyik a helyes?" in out  # the stem under the item's row
    assert "*x: 2" in out and "*y" not in out  # the keyed option of s1 is marked
    assert "(* the keyed option" in out
    assert "WARNING: 5 of 5 items have fewer than 30 responses" in out
    assert "small n (6 < 30)" in out
    assert "Model-based reliability" in out
    # one fixed paper for everyone: no spread of paper difficulty in the sitting
    assert f"Paper difficulty, sitting {s.sitting}: 6 papers" in out and "spread 0.0%" in out
    rc, out, err = run(capsys, "stats", "fixed", "--csv", "--centre", c)
    assert rc == 0, err
    rows = {r["item"]: r for r in csv.DictReader(io.StringIO(out))}
    s1 = rows["m:s1"]
    assert s1["keyed"] == "x" and s1["stem"] == "Melyik a helyes?" and s1["small_n"] == "yes"
    assert rows["m:q1"]["keyed"] == "true" and rows["m:q2"]["keyed"] == "false"
    for row in rows.values():
        assert row["exam_candidates"] == "6" and row["exam_kr20"] != ""
        assert row["exam_mean_percent"] != ""
        assert row["exam_paper_difficulty_spread"] == "0.0000"
        assert row["exam_model_reliability"] != ""


def test_a_negative_kr20_is_explained() -> None:
    analysis = IA.analyse([[1, 0], [0, 1], [1, 0], [0, 1], [1, 1], [0, 0]], [1, 1], ["a", "b"])
    assert analysis.kr20 is not None and analysis.kr20 < 0
    stats = ExamStats(exam="x", n_candidates=6, provisional=0, common=analysis)
    text = "\n".join(reliability_lines(stats))
    assert "is negative" in text and "no reliability" in text


def test_calibrated_difficulties_are_written_into_the_bank(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from kiosk.domain.bank_difficulty import set_difficulties
    from kiosk.loading import load_banks

    s = mark_setup(tmp_path, exam=exam_text("fixed", items=ITEMS), roster=ROSTER)
    for cid, answers in ANSWERS.items():
        sit(s, cid, answers)
    bank = tmp_path / "content" / "bank.toml"
    before = bank.read_text(encoding="utf-8")
    rc, out, err = run(capsys, "stats", "fixed", "--write-difficulty", str(bank), "--centre",
                       str(s.centre.path))
    assert rc == 0, err
    assert "difficulty set for 5 items of bank 'm'" in out
    items = load_banks([bank])["m"].items
    assert all(items[k].difficulty is not None for k in ITEMS)
    assert items["e1"].difficulty is None  # not on this exam: untouched
    # the hardest item (s1, 2 of 6 right) is the most difficult
    assert items["s1"].difficulty == max(items[k].difficulty for k in ITEMS)
    # everything else of the file is as it was
    assert [ln for ln in bank.read_text(encoding="utf-8").splitlines()
            if not ln.startswith("difficulty = ")] == before.splitlines()
    new, missing = set_difficulties(before, {"zz": 0.5})
    assert new == before and missing == ["zz"]
