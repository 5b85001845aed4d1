"""case_study: human-marked with automatic checks for the marker; deadlines as the Ákr. counts."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from kiosk_public_admin.case_study import CaseStudy, CheckedMarking, auto_checks, fold
from kiosk_public_admin.deadlines import deadline, easter, is_working_day, parse_date
from public_admin_support import bank_items

from kiosk.api import Item, NeedsMarking, score_item, scoring_rule

QT = CaseStudy()


@pytest.fixture(scope="module")
def items() -> dict[str, Item]:
    return bank_items()


def checks_by_field(item: Item, response: object) -> dict[str, bool | None]:
    return {c["field"]: c["ok"] for c in auto_checks(item, response)}


def test_easter_and_holidays() -> None:
    assert [easter(y) for y in (2024, 2025, 2026)] == [
        date(2024, 3, 31), date(2025, 4, 20), date(2026, 4, 5)]
    assert not is_working_day(date(2025, 4, 18))  # Good Friday
    assert not is_working_day(date(2025, 6, 9))  # Whit Monday
    assert not is_working_day(date(2025, 8, 20))
    assert is_working_day(date(2025, 8, 21))
    assert not is_working_day(date(2025, 3, 22))  # Saturday
    assert is_working_day(date(2025, 5, 17), working=[date(2025, 5, 17)])  # a moved workday
    assert not is_working_day(date(2025, 10, 24), non_working=[date(2025, 10, 24)])


@pytest.mark.parametrize(
    ("start", "days", "kwargs", "last"),
    [
        (date(2025, 3, 3), 8, {}, date(2025, 3, 11)),  # first day not counted
        (date(2025, 8, 12), 8, {}, date(2025, 8, 21)),  # ends on a holiday: next working day
        (date(2025, 2, 20), 30, {}, date(2025, 3, 24)),  # ends on a Saturday
        (date(2025, 4, 16), 3, {"working_days": True}, date(2025, 4, 23)),  # over Easter
        (date(2025, 10, 16), 8, {"non_working": [date(2025, 10, 24)]}, date(2025, 10, 27)),
    ],
)
def test_deadlines(start: date, days: int, kwargs: dict, last: date) -> None:
    assert deadline(start, days, **kwargs) == last


def test_dates_as_typed() -> None:
    want = date(2025, 3, 11)
    for typed in ("2025.03.11.", "2025. 03. 11.", "2025-03-11", "2025.3.11", "2025. március 11.",
                  " 2025. Március 11 "):
        assert parse_date(typed) == want, typed
    for bad in ("2025.02.30.", "március 11", "holnap", "", "11.03.2025", None, 20250311):
        assert parse_date(bad) is None, bad


def test_fold_ignores_case_accents_and_dots() -> None:
    assert fold("Kp. 39. §") == fold("kp 39 §")
    assert fold("Közvetlen  Hatály") == fold("kozvetlen hataly")


def test_right_answer_needs_marking_with_every_check_passing(items: dict[str, Item]) -> None:
    item = items["jog-003"]
    answer = {"jogorvoslat": "közigazgatási per", "hol": "a határozatot hozó szervnél",
              "hatarido": "2025. március 24.", "jogalap": "Kp. 39. § (1)"}
    judged = QT.judge(item, answer)
    assert isinstance(judged, CheckedMarking) and isinstance(judged, NeedsMarking)
    assert [c["ok"] for c in judged.detail["auto_checks"]] == [True, True, True, True]
    assert "2025. 03. 24." in judged.reason and "eltér" not in judged.reason
    score = score_item(item, answer, QT, scoring_rule("proportional"))
    assert score.needs_marking and score.points == 0  # no points until a marker gives them
    assert "automatikus ellenőrzés" in score.detail["needs_marking"]


def test_partly_right_and_wrong_answers_are_reported_for_the_marker(
    items: dict[str, Item]
) -> None:
    item = items["jog-002"]
    # The deadline counted over the holiday, the wrong forum.
    partly = {"jogorvoslat": "fellebbezés", "hol": "a másodfokú hatóságnál",
              "hatarido": "2025.08.20.", "indokolas": "nyolc nap"}
    assert checks_by_field(item, partly) == {"jogorvoslat": True, "hol": False, "hatarido": False}
    judged = QT.judge(item, partly)
    assert "2025.08.20. (eltér; helyes: 2025. 08. 21.)" in judged.reason
    wrong = {"jogorvoslat": "közigazgatási per", "hatarido": "augusztus vége"}
    assert checks_by_field(item, wrong) == {"jogorvoslat": False, "hol": False, "hatarido": None}
    assert "nem értelmezhető" in QT.judge(item, wrong).reason


def test_text_fields_with_accepted_answers(items: dict[str, Item]) -> None:
    item = items["jog-007"]
    assert checks_by_field(item, {"elv": "Vertikális közvetlen hatály."})["elv"] is True
    assert checks_by_field(item, {"elv": "elsőbbség"})["elv"] is False


def test_empty_and_malformed_answers(items: dict[str, Item]) -> None:
    item = items["jog-001"]
    for empty in (None, {}, {"jogalap": "  "}, "", []):
        judged = QT.judge(item, empty)
        assert not isinstance(judged, NeedsMarking) and not judged.answered, empty
    # A free text (e.g. from an import) is still something to mark.
    assert isinstance(QT.judge(item, "A hatóság sommás eljárásban dönt."), NeedsMarking)
    assert not QT.is_answered(item, {"x": 5})
    assert QT.render_response(item, ["x"]).startswith("<malformed")


def test_malicious_answers_are_only_text(items: dict[str, Item]) -> None:
    item = items["jog-001"]
    hostile = {"eljaras": "sommás eljárás'; DROP TABLE events;--", "hatarido": "9" * 10_000,
               "jogalap": "[b]markup[/b] {__import__('os')}", "unknown": "x" * 100_000}
    judged = QT.judge(item, hostile)
    assert isinstance(judged, CheckedMarking)
    assert checks_by_field(item, hostile) == {"eljaras": False, "hatarido": None}
    rendered = QT.render_response(item, hostile)
    assert "unknown" not in rendered and "{__import__('os')}" in rendered


def test_correct_response_is_the_key_for_markers(items: dict[str, Item]) -> None:
    key = QT.correct_response(items["jog-001"])
    assert key["eljaras"] == "sommás eljárás" and key["hatarido"] == "2025. 03. 11."
    assert key["jogalap"].startswith("Ákr.")
    assert all(c["ok"] for c in auto_checks(items["jog-001"], key))


def test_bank_errors_name_the_field(items: dict[str, Item]) -> None:
    base = items["jog-001"]
    assert QT.validate(base) == []
    fields = base.spec["fields"]
    broken = [
        ({"case": ""}, "case"),
        ({"fields": []}, "fields"),
        ({"fields": [*fields, {"id": "eljaras", "label": "x"}]}, "fields[5].id"),
        ({"fields": [{"id": "a", "label": "A", "kind": "radio"}]}, "fields[1].kind"),
        ({"fields": [{"id": "a", "label": "A", "kind": "choice", "options": ["x", "y"],
                      "answer": "z"}]}, "fields[1].answer"),
        ({"fields": [{"id": "a", "label": "A", "kind": "date",
                      "deadline": {"from": "tegnap", "days": 8}}]}, "fields[1].deadline.from"),
        ({"fields": [{"id": "a", "label": "A", "kind": "date",
                      "deadline": {"from": "2025-01-01", "days": "8"}}]}, "fields[1].deadline.days"),
        ({"fields": [{"id": "a", "label": "A", "lines": 0}]}, "fields[1].lines"),
        ({"rubric": [{"criterion": "x", "points": 3}]}, "rubric"),
        ({"model_answer": "szöveg"}, "model_answer"),
        ({"colour": "red"}, "colour"),
    ]
    for change, field in broken:
        errors = QT.validate(dataclasses.replace(base, spec={**base.spec, **change}))
        assert [e.field for e in errors] == [field], (change, errors)
