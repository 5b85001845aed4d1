"""`kiosk stats` on real attempts, checked against values worked out independently here."""

from __future__ import annotations

import csv
import io
import re
import statistics
from pathlib import Path

import pytest

from kiosk.cli import main
from tests.support.marking_helpers import exam_text, mark_setup, sit

ROSTER = "id;name\n" + "".join(f"C{i};Vizsgázó {i}\n" for i in range(1, 7))
ITEMS = ["q1", "q2", "q3", "q4", "s1"]
ANSWERS = {
    "C1": {"q1": True, "q2": False, "q3": True, "q4": False, "s1": "x"},
    "C2": {"q1": True, "q2": False, "q3": True, "q4": True, "s1": "x"},
    "C3": {"q1": True, "q2": False, "q3": False, "q4": True, "s1": "y"},
    "C4": {"q1": False, "q2": False, "q3": True, "q4": False, "s1": "z"},
    "C5": {"q1": True, "q2": True, "q3": False, "q4": True, "s1": "y"},
    "C6": {"q1": False, "q2": True, "q3": False, "q4": False},
}
KEY = {"q1": True, "q2": False, "q3": True, "q4": False, "s1": "x"}
POINTS = {"q1": 1, "q2": 1, "q3": 1, "q4": 1, "s1": 2}


def scores(cid: str) -> list[float]:
    return [POINTS[i] if ANSWERS[cid].get(i) == KEY[i] else 0 for i in ITEMS]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def test_stats_match_values_worked_out_by_hand(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    s = mark_setup(tmp_path, exam=exam_text("fixed", items=ITEMS), roster=ROSTER)
    for cid, answers in ANSWERS.items():
        sit(s, cid, answers)
    c = str(s.centre.path)
    rc, out, err = run(capsys, "stats", "fixed", "--csv", "--centre", c)
    assert rc == 0, err
    rows = {r["item"]: r for r in csv.DictReader(io.StringIO(out))}
    assert list(rows) == [f"m:{i}" for i in ITEMS]

    matrix = [scores(cid) for cid in ANSWERS]  # C1…C6: totals 6, 5, 2, 3, 1, 1
    totals = [sum(r) for r in matrix]
    assert totals == [6, 5, 2, 3, 1, 1]
    # 27 % of 6 → 2 per group; ordered by total: upper C1, C2; lower C5, C6
    upper, lower = [0, 1], [4, 5]
    for j, item in enumerate(ITEMS):
        col = [r[j] for r in matrix]
        rest = [t - x for t, x in zip(totals, col, strict=True)]
        row = rows[f"m:{item}"]
        assert float(row["facility"]) == pytest.approx(sum(col) / 6 / POINTS[item], abs=1e-4)
        assert float(row["point_biserial"]) == pytest.approx(
            statistics.correlation(col, rest), abs=1e-4)
        d = (sum(col[i] for i in upper) / 2 - sum(col[i] for i in lower) / 2) / POINTS[item]
        assert float(row["discrimination"]) == pytest.approx(d, abs=1e-4)
    assert float(rows["m:q1"]["facility"]) == pytest.approx(4 / 6, abs=1e-4)
    assert float(rows["m:q1"]["discrimination"]) == pytest.approx(0.5, abs=1e-4)
    assert rows["m:q4"]["flagged"] == "yes"  # D = (0.5 − 0.5) = 0
    assert rows["m:s1"]["options"] == "x=2;y=2;z=1;(blank)=1"

    # KR-20 on the 0/1 scale, by the textbook formula
    binary = [[x / POINTS[i] for x, i in zip(r, ITEMS, strict=True)] for r in matrix]
    p = [sum(r[j] for r in binary) / 6 for j in range(5)]
    kr20 = 5 / 4 * (1 - sum(q * (1 - q) for q in p) / statistics.pvariance(
        [sum(r) for r in binary]))
    rc, out, err = run(capsys, "stats", "fixed", "--centre", c)
    assert rc == 0, err
    assert f"KR-20 {kr20:.3f}" in out
    assert "Exam fixed: 6 candidates" in out
    flagged = next(line for line in out.splitlines() if line.startswith("Flagged for review"))
    assert "m:q4" in flagged and "m:q1" not in flagged
    hist = [line for line in out.splitlines() if line.startswith("[")]
    assert len(hist) == 10
    # percents 100, 83.3, 33.3, 50, 16.7, 16.7 → bins 10–20 holds two
    counts = [int(re.search(r"[)\]]\s+(\d+)", line).group(1)) for line in hist]  # type: ignore[union-attr]
    assert counts == [0, 2, 0, 1, 0, 1, 0, 0, 1, 1]


def test_stats_of_an_unknown_exam_is_one_clear_line(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    s = mark_setup(tmp_path)
    rc, _, err = run(capsys, "stats", "nope", "--centre", str(s.centre.path))
    assert rc == 2 and "not loaded" in err and "Traceback" not in err
