"""Exam regimes: tables built from /work/shared/rules (szakvizsga, szakmai-vizsga, iskolai)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from kiosk.builtins.regimes.generic import GenericRegime
from kiosk.builtins.regimes.iskolai import IskolaiRegime
from kiosk.builtins.regimes.szakvizsga import SzakvizsgaRegime
from kiosk.builtins.regimes.szkr import SzkrRegime
from kiosk.domain.regimes import (
    ActivityInput,
    Outcome,
    PartMark,
    RegimeError,
    RegimeInput,
    SubjectInput,
    add_years,
    exam_config,
    halve_round_up,
    percent,
    round_half_up,
    truncate_percent,
)
from kiosk.loading import builtin_scales, load_exam
from kiosk.plugins import registry

SCALES = {s.id: s for s in builtin_scales()}
REPO = Path(__file__).resolve().parents[2]


# --- number helpers ---------------------------------------------------------------------------


@pytest.mark.parametrize(("points", "expected"),
                         [(7, 4), (8, 4), (7.5, 4), (1, 1), (0, 0), (19, 10), (0.5, 1)])
def test_halve_round_up(points: float, expected: int) -> None:
    assert halve_round_up(points) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (79.9, 79), (79.99999, 79), (80, 80), (0.57 * 100, 57), (56.99999999999999, 57),
    (39.5, 39), (0, 0), (Decimal("59.999"), 59)])
def test_truncate_percent(value: float, expected: int) -> None:
    assert truncate_percent(value) == expected


def test_percent_is_exact_for_decimal_points() -> None:
    assert percent(0.57, 1) == 57
    assert truncate_percent(percent(0.57, 1)) == 57
    assert truncate_percent(percent(29, 30)) == 96  # 96.666…


@pytest.mark.parametrize(("value", "expected"), [
    (79.5, 80), (2.5, 3), (0.5, 1), (78.49, 78), (79.49999999999999, 80), (64.5, 65)])
def test_round_half_up_is_not_bankers(value: float, expected: int) -> None:
    assert round_half_up(value) == expected
    # Python's round() would give 2 for 2.5 and 64 for 64.5: the rules mean the school rule.


def test_round_half_up_digits() -> None:
    assert round_half_up(2.675, 2) == Decimal("2.68")


def test_add_years_leap_day() -> None:
    assert add_years(date(2024, 2, 29), 2) == date(2026, 2, 28)
    assert add_years(date(2023, 3, 1), 2) == date(2025, 3, 1)


# --- registration -----------------------------------------------------------------------------


def test_regimes_registered_with_titles() -> None:
    from kiosk.i18n import translate

    regimes = registry().regimes
    assert {"generic", "hu-szakvizsga", "hu-szkr", "hu-iskolai"} <= set(regimes)
    for regime in regimes.values():
        # a title is a message of the catalogue, translated in both languages
        hu, en = translate(regime.title, "hu"), translate(regime.title, "en")
        assert hu and en and hu != en and not hu.startswith("regime.")
    # A registered regime finds its scale in the registry.
    got = regimes["hu-szkr"].evaluate(RegimeInput(marks=(PartMark("1", 79.9, 100),)))
    assert (got.activities[0].percent, got.grade) == (79, 4)


# --- generic ----------------------------------------------------------------------------------


def generic(*marks: PartMark, **config: object) -> Outcome:
    return GenericRegime(SCALES).evaluate(RegimeInput(marks=marks, config=config))


def test_generic_points_percent_grade() -> None:
    got = generic(PartMark("1", 30, 40), PartMark("2", 27, 40), grade_scale="hu-szkr",
                  pass_percent=40)
    # 57 of 80 points = 71.25 % → hu-szkr truncates to 71 → jó (4)
    assert (got.overall_points, got.overall_max_points, got.overall_percent) == (57, 80, 71.25)
    assert (got.grade, str(got.grade_name), got.passed) == (4, "jó", True)
    assert [(p.percent, p.grade) for p in got.parts] == [(75, 4), (67.5, 4)]


def test_generic_part_minimum_fails_a_high_total() -> None:
    got = generic(PartMark("1", 39, 100), PartMark("2", 100, 100), grade_scale="hu-szkr",
                  pass_percent=40, parts={"1": {"pass_percent": 40}, "2": {"pass_percent": 40}})
    # 139 / 200 = 69.5 % would be jó, but part 1 is 39 % < 40 %
    assert got.overall_percent == 69.5
    assert (got.passed, got.grade, str(got.grade_name)) == (False, 1, "elégtelen")
    assert got.outstanding == ["1"]
    assert [p.passed for p in got.parts] == [False, True]
    assert any("jó (4)" in n for n in got.notes)


def test_generic_mark_minimum_and_exact_compare() -> None:
    # 39.99 % has not reached 40 % (no rounding before comparing a threshold)
    got = generic(PartMark("1", 39.99, 100, min_percent=40))
    assert (got.passed, got.outstanding) == (False, ["1"])
    assert generic(PartMark("1", 40, 100, min_percent=40)).passed


def test_generic_pass_points_and_no_scale() -> None:
    got = generic(PartMark("1", 60, 100), pass_points=61)
    assert (got.passed, got.grade, got.outstanding) == (False, None, ["1"])
    got = generic(PartMark("1", 61, 100), pass_points=61)
    assert (got.passed, got.grade) == (True, None)


def test_generic_exempt_part_left_out() -> None:
    got = generic(PartMark("1", 20, 40), PartMark("2", 0, 60, exempt=True),
                  grade_scale="hu-szkr")
    assert (got.overall_points, got.overall_max_points, got.overall_percent) == (20, 40, 50)
    assert got.parts[1].exempt and got.parts[1].passed


def test_generic_weights() -> None:
    got = generic(PartMark("1", 10, 10, weight=1), PartMark("2", 0, 90, weight=1))
    assert got.overall_percent == 50  # mean of 100 % and 0 %, not 10 of 100 points


@pytest.mark.parametrize(("mark", "message"), [
    (PartMark("x", 101, 100), "part 'x': points 101 are outside 0–100"),
    (PartMark("x", None, 100), "part 'x': points and max_points are required"),
    (PartMark("x", 5, 0), "part 'x': max_points must be positive, got 0"),
    (PartMark("x", -1, 10), "part 'x': points -1 are outside 0–10"),
])
def test_generic_bad_marks(mark: PartMark, message: str) -> None:
    with pytest.raises(RegimeError) as exc:
        generic(mark)
    assert str(exc.value) == message


def test_generic_unknown_scale() -> None:
    with pytest.raises(RegimeError, match="unknown grade scale 'nope'"):
        generic(PartMark("1", 1, 2), grade_scale="nope")


# --- hu-szakvizsga ----------------------------------------------------------------------------

D0 = date(2024, 3, 1)


def subject(sid: str, kind: str, written: float | None, oral: int | None,
            day: date = D0, extra: tuple[PartMark, ...] = ()) -> SubjectInput:
    marks = []
    if written is not None:
        marks.append(PartMark("irasbeli", written, 100, kind="written", date=day))
    if oral is not None:
        marks.append(PartMark("szobeli", kind="oral", grade=oral, date=day))
    return SubjectInput(sid, kind=kind, marks=(*marks, *extra))


def szakvizsga(*subjects: SubjectInput, as_of: date | None = None, **config: object) -> Outcome:
    return SzakvizsgaRegime(SCALES).evaluate(
        RegimeInput(subjects=subjects, as_of=as_of, config=config))


@pytest.mark.parametrize(("points", "grade", "name"), [
    (100, 5, "jeles"), (91, 5, "jeles"), (90, 4, "jó"), (81, 4, "jó"), (80, 3, "közepes"),
    (71, 3, "közepes"), (70, 2, "elégséges"), (61, 2, "elégséges"), (60, 1, "elégtelen"),
    (60.5, 1, "elégtelen"), (0, 1, "elégtelen")])
def test_szakvizsga_written_band_edges(points: float, grade: int, name: str) -> None:
    got = szakvizsga(subject("k", "compulsory", points, 5), subject("v", "elective", 91, 5))
    written = got.parts[0]
    assert (written.kind, written.grade, str(written.grade_name)) == ("written", grade, name)
    assert written.passed is (grade > 1)


@pytest.mark.parametrize(("written", "oral", "expected"), [
    (85, 3, 3),   # 4 + 3 = 7 / 2 = 3.5 → 3 (rounded down)
    (91, 4, 4),   # 5 + 4 → 4.5 → 4
    (91, 5, 5),
    (61, 2, 2),
    (61, 5, 3),   # 2 + 5 → 3.5 → 3
    (75, 3, 3),   # 3 + 3
])
def test_szakvizsga_subject_mean_rounded_down(written: float, oral: int, expected: int) -> None:
    got = szakvizsga(subject("k", "compulsory", written, oral), subject("v", "elective", 91, 5))
    assert got.subjects[0].grade == expected
    assert got.subjects[0].passed and got.certificate and got.passed
    assert got.grade is None  # no overall grade: the subject grades are the result


def test_szakvizsga_certificate_needs_all_four_parts() -> None:
    ok = szakvizsga(subject("k", "compulsory", 61, 2), subject("v", "elective", 61, 2))
    assert (ok.certificate, ok.passed, ok.outstanding) == (True, True, [])
    failed_oral = szakvizsga(subject("k", "compulsory", 95, 5), subject("v", "elective", 95, 1))
    assert (failed_oral.certificate, failed_oral.passed) == (False, False)
    assert failed_oral.outstanding == ["v:oral"]  # only the failed part
    assert failed_oral.subjects[1].grade == 1 and not failed_oral.subjects[1].passed
    assert failed_oral.subjects[0].passed


def test_szakvizsga_failed_written_only_that_part_outstanding() -> None:
    # passing the written part is not a precondition of the oral
    got = szakvizsga(subject("k", "compulsory", 60, 5), subject("v", "elective", 91, 5))
    assert got.outstanding == ["k:written"]
    assert got.certificate is False


def test_szakvizsga_missing_elective_subject() -> None:
    got = szakvizsga(subject("k", "compulsory", 95, 5))
    assert got.certificate is False
    assert got.outstanding == ["elective subject"]


def test_szakvizsga_retake_replaces_only_the_failed_part() -> None:
    retake = PartMark("irasbeli", 75, 100, kind="written", date=date(2024, 9, 1))
    got = szakvizsga(subject("k", "compulsory", 55, 4, extra=(retake,)),
                     subject("v", "elective", 91, 5))
    written, oral = got.parts[0], got.parts[1]
    assert (written.points, written.grade, written.date) == (75, 3, date(2024, 9, 1))
    assert [(e.points, e.grade, e.counts) for e in written.earlier] == [(55, 1, True)]
    assert (oral.grade, oral.earlier, oral.date) == (4, [], D0)  # the oral is not retaken
    assert got.subjects[0].grade == 3  # (3 + 4) // 2
    assert (got.certificate, got.outstanding) == (True, [])


def test_szakvizsga_retakes_in_any_input_order() -> None:
    r1 = PartMark("szobeli", kind="oral", grade=1, date=date(2024, 6, 1))
    r2 = PartMark("szobeli", kind="oral", grade=2, date=date(2024, 9, 1))
    got = szakvizsga(subject("k", "compulsory", 91, None, extra=(r2, r1,
                                                              PartMark("szobeli", kind="oral",
                                                                       grade=1, date=D0))),
                     subject("v", "elective", 91, 5))
    oral = got.parts[1]
    assert oral.grade == 2
    assert [e.date for e in oral.earlier] == [D0, date(2024, 6, 1)]
    assert got.certificate


def two_year_case(retake_day: date) -> Outcome:
    first_fail = date(2023, 3, 1)
    retake = PartMark("irasbeli", 80, 100, kind="written", date=retake_day)
    return szakvizsga(subject("k", "compulsory", 40, 4, day=first_fail, extra=(retake,)),
                      subject("v", "elective", 91, 5, day=first_fail))


def test_szakvizsga_two_year_rule_retake_on_the_last_day_counts() -> None:
    got = two_year_case(date(2025, 3, 1))  # exactly two years after the first failed part
    assert (got.certificate, got.outstanding) == (True, [])
    assert all(p.counts for p in got.parts)


def test_szakvizsga_two_year_rule_one_day_late() -> None:
    got = two_year_case(date(2025, 3, 2))  # two years + 1 day
    assert got.certificate is False and got.passed is False
    assert got.outstanding == ["k:written", "k:oral", "v:written", "v:oral"]
    # nothing is erased: every result is still listed, but none counts
    assert len(got.parts) == 4 and not any(p.counts for p in got.parts)
    assert got.parts[0].earlier[0].points == 40 and not got.parts[0].earlier[0].counts
    assert all(s.grade is None and not s.passed for s in got.subjects)
    assert any("two-year rule" in n and "2025-03-01" in n for n in got.notes)


def test_szakvizsga_two_year_rule_as_of_without_retake() -> None:
    subjects = (subject("k", "compulsory", 91, 1, day=date(2022, 1, 10)),
                subject("v", "elective", 91, 5, day=date(2022, 1, 10)))
    within = szakvizsga(*subjects, as_of=date(2024, 1, 10))
    assert within.outstanding == ["k:oral"]
    lapsed = szakvizsga(*subjects, as_of=date(2024, 1, 11))
    assert lapsed.outstanding == ["k:written", "k:oral", "v:written", "v:oral"]
    assert not any(p.counts for p in lapsed.parts)


def test_szakvizsga_clock_restarts_after_a_pass() -> None:
    # failed 2020, passed 2021, an improvement exam failed in 2024: the clock starts in 2024
    marks = (PartMark("irasbeli", 50, 100, kind="written", date=date(2020, 1, 1)),
             PartMark("irasbeli", 70, 100, kind="written", date=date(2021, 1, 1)),
             PartMark("irasbeli", 50, 100, kind="written", date=date(2024, 1, 1)),
             PartMark("szobeli", kind="oral", grade=5, date=date(2020, 1, 1)))
    got = szakvizsga(SubjectInput("k", marks=marks), subject("v", "elective", 91, 5),
                     as_of=date(2024, 6, 1))
    assert got.outstanding == ["k:written"]  # "later" policy: the failed improvement is final
    assert all(p.counts for p in got.parts)


def test_szakvizsga_exempt_subject_counts_as_excellent() -> None:
    got = szakvizsga(subject("k", "compulsory", 71, 3),
                     SubjectInput("v", kind="elective", exempt=True))
    elective = got.subjects[1]
    assert (elective.grade, str(elective.grade_name), elective.passed, elective.exempt) == (
        5, "kiváló", True, True)
    exempt_parts = [p for p in got.parts if p.subject_id == "v"]
    assert [(p.kind, p.exempt, p.passed, p.grade) for p in exempt_parts] == [
        ("written", True, True, 5), ("oral", True, True, 5)]
    assert (got.certificate, got.outstanding) == (True, [])


def test_szakvizsga_exempt_subject_with_a_failed_other_subject() -> None:
    got = szakvizsga(subject("k", "compulsory", 50, 3),
                     SubjectInput("v", kind="elective", exempt=True))
    assert (got.certificate, got.outstanding) == (False, ["k:written"])


def test_szakvizsga_improvement_exam_later_policy() -> None:
    improvement = PartMark("irasbeli", 92, 100, kind="written", date=date(2024, 9, 1))
    got = szakvizsga(subject("k", "compulsory", 65, 4, extra=(improvement,)),
                     subject("v", "elective", 91, 5))
    written = got.parts[0]
    assert (written.grade, written.points) == (5, 92)
    assert [(e.grade, e.points) for e in written.earlier] == [(2, 65)]  # original kept visible
    assert any("improvement" in n for n in written.notes)
    assert got.subjects[0].grade == 4  # (5 + 4) // 2, was (2 + 4) // 2 = 3


def test_szakvizsga_improvement_exam_policies_on_a_worse_result() -> None:
    worse = PartMark("szobeli", kind="oral", grade=3, date=date(2024, 9, 1))
    subjects = (subject("k", "compulsory", 91, 5, extra=(worse,)),
                subject("v", "elective", 91, 5))
    later = szakvizsga(*subjects)
    assert later.parts[1].grade == 3 and later.parts[1].earlier[0].grade == 5
    better = szakvizsga(*subjects, improvement_policy="better")
    assert better.parts[1].grade == 5 and better.parts[1].earlier[0].grade == 3
    with pytest.raises(RegimeError, match="improvement_policy"):
        szakvizsga(*subjects, improvement_policy="best")


@pytest.mark.parametrize(("subjects", "message"), [
    ((SubjectInput("k", marks=(PartMark("szobeli", kind="oral"),)),),
     "subject 'k', part 'szobeli': the oral part is graded 1–5 by the board; give its grade"),
    ((SubjectInput("k", marks=(PartMark("szobeli", kind="oral", grade=6),)),),
     "subject 'k', part 'szobeli': grade must be a whole number 1–5, got 6"),
    ((SubjectInput("k", marks=(PartMark("x", 1, 100, kind="activity"),)),),
     "subject 'k', part 'x': kind must be written or oral, got 'activity'"),
    ((SubjectInput("k", marks=(PartMark("a", 50, 100), PartMark("a", 70, 100))),),
     "subject 'k': the written part has 2 attempts, so each needs a date"),
    ((SubjectInput("k"), SubjectInput("k", kind="elective")), "subject 'k' is given twice"),
])
def test_szakvizsga_bad_input(subjects: tuple[SubjectInput, ...], message: str) -> None:
    with pytest.raises(RegimeError) as exc:
        szakvizsga(*subjects)
    assert str(exc.value) == message


# --- hu-szkr ----------------------------------------------------------------------------------


def szkr(*activities: ActivityInput, marks: tuple[PartMark, ...] = (),
         **config: object) -> Outcome:
    return SzkrRegime(SCALES).evaluate(
        RegimeInput(activities=activities, marks=marks, config=config))


@pytest.mark.parametrize(("points", "pct", "grade"), [
    (100, 100, 5), (80, 80, 5), (79.9, 79, 4), (60, 60, 4), (59.9, 59, 3), (50, 50, 3),
    (49.9, 49, 2), (40, 40, 2), (39.9, 39, 1), (0, 0, 1)])
def test_szkr_activity_truncated_and_graded(points: float, pct: int, grade: int) -> None:
    got = szkr(ActivityInput("a", marks=(PartMark("1", points, 100),)))
    act = got.activities[0]
    assert (act.percent, act.grade) == (pct, grade)
    assert got.passed is (grade > 1)


def test_szkr_799_of_1000_is_79_percent_and_jo() -> None:
    got = szkr(ActivityInput("a", marks=(PartMark("1", 799, 1000),)))
    assert (got.activities[0].percent, str(got.activities[0].grade_name)) == (79, "jó")
    assert (got.overall_percent, got.grade) == (79, 4)


def test_szkr_task_set_below_40_fails_despite_high_total() -> None:
    # közszolgálati technikus: two 50-point sets, each must reach 40 %
    act = ActivityInput("interaktiv", marks=(PartMark("1", 19.5, 50), PartMark("2", 50, 50)),
                        part_min_percent=40)
    got = szkr(act)
    # set 1: 19.5 / 50 = 39 %; the activity: 69.5 / 100 → 69 % (jó on its own)
    assert [(p.part_id, p.percent, p.passed) for p in got.parts] == [
        ("1", 39, False), ("2", 100, True)]
    assert (got.activities[0].percent, got.activities[0].grade) == (69, 4)
    assert got.activities[0].passed is False
    assert (got.passed, got.grade, got.outstanding) == (False, 1, ["interaktiv"])
    assert any("39 % is below the minimum of 40 %" in n for n in got.notes)


def test_szkr_part_minimum_from_the_exam_file() -> None:
    exam = load_exam(REPO / "question_banks" / "kozszolgalati_technikus.exam.toml")
    config = exam_config(exam)
    regime = SzkrRegime(SCALES)
    low = regime.evaluate(RegimeInput(
        marks=(PartMark("1", 19.9, 50), PartMark("2", 48, 50)), config=config))
    assert (low.passed, low.outstanding) == (False, ["exam"])  # 39.8 % → 39 % in set 1
    ok = regime.evaluate(RegimeInput(
        marks=(PartMark("1", 20, 50), PartMark("2", 48, 50)), config=config))
    assert (ok.passed, ok.overall_percent, ok.grade) == (True, 68, 4)


def test_szkr_any_elegtelen_activity_fails_the_exam() -> None:
    got = szkr(ActivityInput("projekt", weight=90, marks=(PartMark("p", 100, 100),)),
               ActivityInput("interaktiv", weight=10, marks=(PartMark("i", 39, 100),)))
    # 0.9 × 100 + 0.1 × 39 = 93.9 → 94 %, jeles on its own, but one activity is elégtelen
    assert got.overall_percent == 94
    assert (got.passed, got.grade, str(got.grade_name)) == (False, 1, "elégtelen")
    assert got.outstanding == ["interaktiv"]  # a resit repeats only the failed activity
    assert [a.passed for a in got.activities] == [True, False]


@pytest.mark.parametrize(("a", "b", "wa", "wb", "overall", "grade"), [
    (79, 80, 1, 1, 80, 5),      # 79.5 → 80
    (59, 60, 1, 1, 60, 4),      # 59.5 → 60
    (49, 50, 1, 1, 50, 3),      # 49.5 → 50
    (64, 65, 1, 1, 65, 4),      # 64.5 → 65, where Python's round(64.5) is 64
    (79, 80, 3, 1, 79, 4),      # 79.25 → 79
    (70, 91, 85, 15, 73, 4),    # 59.5 + 13.65 = 73.15 → 73
])
def test_szkr_weighted_overall_rounded_half_up(a: int, b: int, wa: float, wb: float,
                                                overall: int, grade: int) -> None:
    got = szkr(ActivityInput("a", weight=wa, marks=(PartMark("a", a, 100),)),
               ActivityInput("b", weight=wb, marks=(PartMark("b", b, 100),)))
    assert (got.overall_percent, got.grade, got.passed) == (overall, grade, True)


def test_szkr_weights_use_truncated_activity_percents() -> None:
    # 79.9 % → 79 and 80.9 % → 80 before weighting: (79 + 80) / 2 = 79.5 → 80
    got = szkr(ActivityInput("a", weight=1, marks=(PartMark("a", 79.9, 100),)),
               ActivityInput("b", weight=1, marks=(PartMark("b", 80.9, 100),)))
    assert [x.percent for x in got.activities] == [79, 80]
    assert got.overall_percent == 80


def test_szkr_activities_from_config_and_exempt() -> None:
    marks = (PartMark("1", 40, 50), PartMark("2", 45, 50), PartMark("3", 10, 10))
    config = {"activities": [
        {"id": "interaktiv", "weight": 25, "parts": ["1", "2"], "part_min_percent": 40},
        {"id": "gyakorlat", "weight": 75, "parts": ["3"]},
        {"id": "projekt", "weight": 50, "parts": [], "exempt": True},
    ]}
    got = szkr(marks=marks, **config)
    # interaktiv 85 %, gyakorlat 100 %: (25 × 85 + 75 × 100) / 100 = 96.25 → 96
    assert [(a.activity_id, a.percent, a.exempt) for a in got.activities] == [
        ("interaktiv", 85, False), ("gyakorlat", 100, False), ("projekt", None, True)]
    assert (got.overall_percent, got.grade, got.passed) == (96, 5, True)


def test_szkr_stray_part_is_an_error() -> None:
    with pytest.raises(RegimeError, match="part '9' belongs to none of the exam's activities"):
        szkr(marks=(PartMark("9", 1, 2),), activities=[{"id": "a", "parts": ["1"]}])


# --- hu-iskolai -------------------------------------------------------------------------------


def iskolai(*marks: PartMark, **config: object) -> Outcome:
    return IskolaiRegime(SCALES).evaluate(RegimeInput(marks=marks, config=config))


def test_iskolai_maths_two_thirds_written() -> None:
    got = iskolai(PartMark("i", 60, 100), PartMark("sz", 27, 30, kind="oral"),
                  grade_scale="hu-iskola-matek-vizsga")
    # 2/3 × 60 % + 1/3 × 90 % = 40 + 30 = 70 % → matek vizsga: 70 → jó
    assert got.overall_percent == pytest.approx(70)
    assert (got.grade, got.passed) == (4, True)


def test_iskolai_default_is_half_and_half() -> None:
    marks = (PartMark("i", 50, 100), PartMark("sz", 20, 20, kind="oral"))
    half = iskolai(*marks, grade_scale="hu-iskola-magyar-osztalyozo")
    # (50 + 100) / 2 = 75 % → magyar osztályozó 85/70/55/40: jó
    assert (half.overall_percent, half.grade) == (75, 4)
    weighted = iskolai(*marks, grade_scale="hu-iskola-magyar-osztalyozo",
                       written_weight=2, oral_weight=1)
    # (2 × 50 + 100) / 3 = 66.67 % → közepes
    assert (round(weighted.overall_percent, 2), weighted.grade) == (66.67, 3)


def test_iskolai_combined_percent_truncated_by_the_scale() -> None:
    # (84.98 + 85) / 2 = 84.99 % has not reached 85 %
    got = iskolai(PartMark("i", 84.98, 100), PartMark("sz", 85, 100, kind="oral"),
                  grade_scale="hu-iskola-magyar-osztalyozo")
    assert got.grade == 4


def test_iskolai_pottetel_halves_the_oral_points() -> None:
    got = iskolai(PartMark("i", 10, 10), PartMark("sz", 7, 10, kind="oral",
                                                 replacement_card=True),
                  grade_scale="hu-iskola-idegen-nyelv-osztalyozo")
    oral = got.parts[1]
    # 7 points halved and rounded up: 4 → 40 %
    assert (oral.raw_points, oral.points, oral.percent, oral.grade) == (7, 4, 40, 2)
    assert got.overall_percent == 70  # (100 + 40) / 2


def test_iskolai_maths_written_below_24_percent() -> None:
    marks = (PartMark("i", 23, 100), PartMark("sz", 30, 30, kind="oral"))
    # The maths exam scale carries the rule (issue 17): without it 2/3 × 23 + 1/3 × 100 =
    # 48.67 % would be elégséges.
    rule = iskolai(*marks, grade_scale="hu-iskola-matek-vizsga")
    assert (rule.grade, rule.passed) == (1, False)
    assert rule.parts[1].counts is False
    assert rule.outstanding == ["i", "sz"]
    at_24 = iskolai(PartMark("i", 24, 100), PartMark("sz", 0, 30, kind="oral"),
                    grade_scale="hu-iskola-matek-vizsga")
    assert at_24.parts[1].counts is True  # 24 % is not below 24 %
    other = iskolai(*marks, grade_scale="hu-iskola-matek-temazaro", written_min_percent=24)
    assert (other.grade, other.passed) == (1, False)  # an exam file may set it for any scale


def test_iskolai_any_school_scale_and_errors() -> None:
    got = iskolai(PartMark("i", 81, 100), grade_scale="hu-iskola-honvedelem")
    assert (got.grade, got.overall_percent) == (5, 81)  # written only
    with pytest.raises(RegimeError, match="grade_scale is required"):
        iskolai(PartMark("i", 81, 100))
    with pytest.raises(RegimeError, match="give points, not a grade"):
        iskolai(PartMark("sz", kind="oral", grade=4), grade_scale="hu-iskola-honvedelem")
    with pytest.raises(RegimeError, match="written_weight: must be a number"):
        iskolai(PartMark("i", 81, 100), grade_scale="hu-iskola-honvedelem",
                written_weight="sok")


def test_outcome_to_dict_is_json_ready() -> None:
    import json

    retake = PartMark("irasbeli", 75, 100, kind="written", date=date(2024, 9, 1))
    got = szakvizsga(subject("k", "compulsory", 55, 4, extra=(retake,)),
                     subject("v", "elective", 91, 5))
    data = json.loads(json.dumps(got.to_dict()))
    assert data["parts"][0]["date"] == "2024-09-01"
    assert data["parts"][0]["earlier"][0]["points"] == 55
    assert data["certificate"] is True


def test_a_regime_knows_only_the_scales_it_is_given() -> None:
    """The domain reads no scale files: a regime built without scales knows none (it used to
    read the built-in folder itself); the registry's or a mapping are passed in."""
    with pytest.raises(RegimeError, match="unknown grade scale 'hu-szkr'"):
        GenericRegime().lookup("hu-szkr")
    scales = {s.id: s for s in builtin_scales()}
    assert GenericRegime(scales).lookup("hu-szkr") is scales["hu-szkr"]
    assert GenericRegime(registry().grade_scales.__getitem__).lookup("hu-szkr").id == "hu-szkr"


def test_the_domains_builtin_rules_are_the_regimes_own() -> None:
    """The domain may not import kiosk/builtins/regimes/, so its `rules=None` default repeats the
    built-in regimes' rules by name (kiosk/domain/regime_rules.py); this keeps the two equal."""
    from kiosk.domain.exam_rules import builtin_rules

    regimes = (GenericRegime, IskolaiRegime, SzakvizsgaRegime, SzkrRegime)
    assert builtin_rules() == {cls.name: cls.rules for cls in regimes}
    assert {name: r.rules for name, r in registry().regimes.items()
            if type(r) in regimes} == builtin_rules()
