"""The oktatási azonosító check (shared/rules/azonositok-es-nyilvantartas.md)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kiosk.domain.identity import check_digit, education_id_error, is_education_id


def remainder(first_ten: str) -> int:
    # Written out independently of the module: position 1 weighs 1, position 10 weighs 10.
    total = 0
    for position in range(1, 11):
        total += int(first_ten[position - 1]) * position
    return total % 11


def issued(middle: str) -> str | None:
    """The education id for nine middle digits, or None when that number is never issued."""
    first_ten = "7" + middle
    r = remainder(first_ten)
    return None if r == 10 else first_ten + str(r)


def test_worked_example_is_valid() -> None:
    # 7 1234 5678 9: 7*1 + 1*2 + 2*3 + 3*4 + 4*5 + 5*6 + 6*7 + 7*8 + 8*9 + 9*10 = 337 = 30*11 + 7
    assert remainder("7123456789") == 7
    assert education_id_error("71234567897") is None
    assert is_education_id("71234567897")


@given(st.text("0123456789", min_size=9, max_size=9))
def test_issued_numbers_are_valid_and_any_other_last_digit_is_not(middle: str) -> None:
    number = issued(middle)
    if number is None:
        assert check_digit("7" + middle) is None
        for last in "0123456789":
            assert education_id_error("7" + middle + last) == (
                "is never issued (its check remainder would be 10)")
        return
    assert education_id_error(number) is None
    for last in "0123456789":
        if last != number[-1]:
            assert education_id_error(number[:-1] + last) == (
                f"wrong check digit {last} (expected {number[-1]}): mistyped?")


def test_never_issued_remainder_ten() -> None:
    middle = next(f"{n:09d}" for n in range(1000) if issued(f"{n:09d}") is None)
    assert remainder("7" + middle) == 10
    assert not is_education_id("7" + middle + "0")
    assert "never issued" in str(education_id_error("7" + middle + "0"))


def test_each_failure_kind_has_its_reason() -> None:
    assert education_id_error("") == "is empty"
    assert education_id_error("7123456789") == "must be 11 digits, got 10"
    assert education_id_error("712345678970") == "must be 11 digits, got 12"
    assert education_id_error("7123456789a") == "must contain only the digits 0-9"
    assert education_id_error("7 1234567897") == "must contain only the digits 0-9"
    # Arabic-Indic digits pass str.isdigit but are not what the registry issues.
    assert education_id_error("٧1234567897") == "must contain only the digits 0-9"
    valid_shape = issued("123456789")
    assert valid_shape is not None
    assert education_id_error("6" + valid_shape[1:]) == "must start with 7, got 6"
    assert education_id_error("71234567890") == "wrong check digit 0 (expected 7): mistyped?"
