"""`kiosk results` as a board reads it (issues 15 and 20): pass/fail per part right, percentages
by the scale's own rule, `;` CSV with decimal commas for a Hungarian centre, grade names in the
chosen language, voided and absent candidates listed, szakvizsga subject grades and the reasons
for a FAILED result in words."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from kiosk import marking
from kiosk.domain import attempts as A
from kiosk.domain.numbers import percent_text, points_text
from kiosk.results import compute_results
from tests.support.marking_helpers import essay_answers, mark_setup, sit
from tests.unit.test_oral_results import run
from tests.unit.test_oral_rules import szakvizsga

pytestmark = pytest.mark.usefixtures("examiner_password")


def test_one_function_formats_percentages_by_the_scale_rule() -> None:
    assert percent_text(100 * 17 / 30, "truncate") == "56 %"
    assert percent_text(100 * 17 / 30, "none") == "56,66 %"
    assert percent_text(100 * 17 / 30, "none", "en") == "56.66 %"
    assert percent_text(0.57 * 100, "truncate") == "57 %"  # float noise is not a lost percent
    assert points_text(43 / 6) == "7,17" and points_text(7.0, "en") == "7"


def test_the_decimal_symbol_and_the_csv_dialect_follow_the_language() -> None:
    """Not a special case for "hu": the language's own decimal symbol (CLDR through Babel), so a
    German catalogue's centre also writes "7,17" and gets `;` spreadsheets; an unknown code or
    a region variant does not break a result sheet."""
    from kiosk.results import csv_dialect

    assert points_text(43 / 6, "de") == "7,17" and points_text(43 / 6, "hu_HU") == "7,17"
    assert points_text(43 / 6, "en_GB") == "7.17" and points_text(43 / 6, "xx") == "7.17"
    assert percent_text(100 * 17 / 30, "none", "de") == "56,66 %"
    assert csv_dialect("hu") == (";", "hu") and csv_dialect("de") == (";", "de")
    assert csv_dialect("en") == (",", "en")
    assert csv_dialect("hu", ",") == (",", "en")  # a comma separator cannot carry decimal commas


def marked(tmp_path: Path) -> tuple[object, str]:
    """C1: 4 true/false right, choice wrong, e1 4.5, e2 0 → 8.5 / 26 = 32.69 % (elégtelen)."""
    s = mark_setup(tmp_path)
    answers = dict(essay_answers())
    answers["s1"] = "y"
    attempt = sit(s, "C1", answers)
    with s.centre.ledger() as ledger:
        ctx = marking.load_context(s.centre, ledger)
        marking.record_mark(ledger, ctx, attempt, "m:e1", "anna", points=4.5)
        marking.record_mark(ledger, ctx, attempt, "m:e2", "anna", points=0)
    return s, attempt


def test_failed_part_and_percent_by_the_scale_in_text_and_csv(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    s, _ = marked(tmp_path)
    c = str(s.centre.path)  # type: ignore[attr-defined]
    [r] = compute_results(s.centre)  # type: ignore[attr-defined]
    assert r.parts[0].grade == 1 and r.parts[0].passed is False
    assert r.rounding == "truncate"
    rc, out, err = run(capsys, "results", "--lang", "en", "--centre", c)
    assert rc == 0, err
    part_line = next(line for line in out.splitlines() if line.strip().startswith("1 "))
    assert "FAILED" in part_line and "passed" not in part_line
    assert "8.5 / 26  32 %" in part_line and "32.69" not in out
    assert "reason: 1 written" not in out and "reason: Írásbeli: fail – the part is failed" in out
    # a Hungarian centre: `;`, decimal commas, Hungarian words
    rc, out, err = run(capsys, "results", "--csv", "--centre", c)
    assert rc == 0, err
    [row] = list(csv.DictReader(io.StringIO(out), delimiter=";"))
    assert row["points"] == "8,5" and row["percent"] == "32" and row["1 passed"] == "no"
    assert row["grade_name"] == "elégtelen" and "nem sikerült" in row["reasons"]
    rc, out, _ = run(capsys, "results", "--csv", "--csv-sep", ",", "--lang", "en",
                     "--centre", c)
    [row] = list(csv.DictReader(io.StringIO(out)))
    assert row["points"] == "8.5" and row["grade_name"] == "fail"


def test_voided_and_absent_candidates_are_listed(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    s, _ = marked(tmp_path)
    voided = sit(s, "C2", essay_answers())  # type: ignore[arg-type]
    with s.centre.ledger() as ledger:  # type: ignore[attr-defined]
        ledger.append(A.VOIDED, {"reason": "puska"}, actor="invigilator:x", attempt=voided)
        ledger.append("sitting_closed", {"sitting": s.sitting},  # type: ignore[attr-defined]
                      actor="invigilator:x")
    rc, out, err = run(capsys, "results", "--lang", "en", "--centre",
                       str(s.centre.path))  # type: ignore[attr-defined]
    assert rc == 0, err
    assert "C2 " in out and "VOIDED" in out
    assert "C3 " in out and "ABSENT" in out
    by = {r.candidate: r for r in compute_results(s.centre, listed=True)}  # type: ignore
    assert by["C2"].status == "voided" and by["C3"].status == "absent"
    assert not by["C2"].passed


def test_szakvizsga_subject_grades_and_reasons_everywhere(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    s = szakvizsga(tmp_path)
    attempt = sit(s, "C1", {"k1": "k", "v1": "v"})
    with s.centre.ledger() as ledger:
        ctx = marking.load_context(s.centre, ledger)
        marking.record_mark(ledger, ctx, attempt, "szv:k1", "anna", points=75)  # 3
        marking.record_mark(ledger, ctx, attempt, "szv:v1", "anna", points=50)  # 1
    c = str(s.centre.path)
    for part, grade in (("k-oral", 4), ("v-oral", 4)):
        for args in (("draw",), ("record", "--grade", str(grade))):
            rc, _, err = run(capsys, "oral", args[0], "--exam", s.exam, "--candidate", "C1",
                             "--part", part, *args[1:], "--user", "bela", "--centre", c)
            assert rc == 0, err
    rc, out, err = run(capsys, "results", "--lang", "en", "--centre", c)
    assert rc == 0, err
    assert "subject Compulsory subject: satisfactory (3)  passed" in out  # (3 + 4) // 2
    assert "FAILED" in out
    assert "reason: Választott tárgy – írásbeli: fail – the part is failed" in out
    assert "reason: no certificate: not every part is passed" in out
    assert "kotelezo:written" not in out and "valasztott:written" not in out
    rc, out, _ = run(capsys, "results", "--csv", "--centre", c)
    [row] = list(csv.DictReader(io.StringIO(out), delimiter=";"))
    assert row["kotelezo grade"] == "3" and row["valasztott grade"] == "1"
    assert "bizonyítvány nem adható ki" in row["reasons"]


def test_szkr_activities_to_retake_are_named_by_title() -> None:
    from kiosk.results import CandidateResult, PartScore, outstanding_titles

    part = PartScore(part_id="1", title="Interaktív teszt", kind="written", points=5,
                     max_points=30, percent=16.7, grade=1, grade_name="elégtelen", passed=False)
    r = CandidateResult(candidate="K1", name="", exam="x", exam_title="", regime="hu-szkr",
                        attempt="", parts=[part], outstanding=["exam", "gyak"],
                        outcome={"activities": [
                            {"activity_id": "exam", "title": "", "part_ids": ["1"]},
                            {"activity_id": "gyak", "title": "Gyakorlati feladat",
                             "part_ids": []}]})
    assert outstanding_titles(r) == ["Interaktív teszt", "Gyakorlati feladat"]
