"""journal_entry: Hungarian amounts and account numbers, per-line order-insensitive scoring."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from accounting_support import bank_items
from kiosk_accounting.amounts import format_amount, normal_account, parse_amount
from kiosk_accounting.journal_entry import JournalEntry

from kiosk.api import Item, score_item, scoring_rule

QT = JournalEntry()


def points(item: Item, response: object, rule: str = "proportional") -> float:
    return score_item(item, response, QT, scoring_rule(rule)).points


def line(debit: str, credit: str, amount: str) -> dict[str, str]:
    return {"debit": debit, "credit": credit, "amount": amount}


@pytest.fixture(scope="module")
def items() -> dict[str, Item]:
    return bank_items()


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1 250 000", Decimal(1250000)),
        ("1.250.000 Ft", Decimal(1250000)),
        ("1250000", Decimal(1250000)),
        ("1\u00a0250\u00a0000 HUF", Decimal(1250000)),
        ("1 250 000,50 Ft", Decimal("1250000.50")),
        ("12 500 forint", Decimal(12500)),
        ("1250.5", Decimal("1250.5")),
        (540000, Decimal(540000)),
        ("", None),
        ("abc", None),
        ("-5", None),
        ("1,2,3", None),
        ("12 eFt", None),
        ("1.25.000", None),
    ],
)
def test_amounts_in_hungarian_formats(text: object, value: Decimal | None) -> None:
    assert parse_amount(text) == value


def test_account_numbers() -> None:
    assert [normal_account(a) for a in ("161", " 4661 ", 384, "5", "12345")] == [
        "161", "4661", "384", "5", "12345"]
    assert [normal_account(a) for a in ("0", "061", "123456", "16a", "", True, 1.5)] == [None] * 7
    assert format_amount(Decimal("1250000.5")) == "1 250 000,50 Ft"


def test_right_answer_in_any_order_and_format(items: dict[str, Item]) -> None:
    item = items["kesz-003"]  # sale: 3 lines
    assert points(item, QT.correct_response(item)) == 4
    shuffled = [
        line("814", "261", "900.000 Ft"),
        line("311", "4671", "405 000"),  # the sub-account is accepted too
        line("311", "911", "1500000"),
    ]
    assert points(item, shuffled, "all_or_nothing") == 4


def test_partly_right_lines(items: dict[str, Item]) -> None:
    item = items["kesz-003"]  # accounts_only = 0.5
    two_right = [line("311", "911", "1 500 000"), line("814", "261", "900 000")]
    assert points(item, two_right) == pytest.approx(4 * 2 / 3)
    assert points(item, two_right, "all_or_nothing") == 0
    wrong_amount = [*two_right, line("311", "467", "400 000")]
    assert points(item, wrong_amount) == pytest.approx(4 * 2.5 / 3)
    judged = QT.judge(item, wrong_amount)
    assert [d["result"] for d in judged.detail["lines"]] == ["right", "accounts_only", "right"]


def test_swapped_sides_earn_only_what_the_item_allows(items: dict[str, Item]) -> None:
    payroll = items["ber-002"]  # swapped = 0.25
    swapped = [line("462", "471", "450 000"), line("471", "463", "555 000")]
    assert points(payroll, swapped) == pytest.approx(4 * 1.25 / 2)
    sale = items["kesz-003"]  # no swapped rule
    assert points(sale, [line("911", "311", "1 500 000")]) == 0


def test_extra_lines_cost_a_line_each(items: dict[str, Item]) -> None:
    item = items["bef-001"]
    key = QT.correct_response(item)
    guess = [*key, line("131", "454", "2 000 000")]
    judged = QT.judge(item, guess)
    assert (judged.right, judged.wrong) == (2, 1)
    assert points(item, guess) == pytest.approx(2.0)
    # Booking every plausible line earns nothing.
    scatter = [line(d, c, "2 000 000") for d in ("131", "161", "466") for c in ("454", "384")]
    scatter += [line(d, c, "540 000") for d in ("131", "161", "466") for c in ("454", "384")]
    assert points(item, scatter) == 0
    lenient = dataclasses.replace(item, spec={**item.spec, "extra_line_penalty": 0})
    assert points(lenient, guess) == 4


def test_invalid_lines_count_as_wrong(items: dict[str, Item]) -> None:
    item = items["bef-002"]
    assert points(item, [line("131", "161", "kétmillió")]) == 0
    assert points(item, [line("0131", "161", "2 000 000")]) == 0
    # a complete line that cannot be read costs a line, like a wrong amount
    assert points(item, [line("131", "161", "2 000 000"), line("x", "161", "5")]) == 0


def test_an_unfinished_line_costs_nothing_and_is_reported(items: dict[str, Item]) -> None:
    """Issue 20: one right line plus "87" typed alone on the next line scored 0."""
    from kiosk_accounting.journal_entry import incomplete_lines

    item = items["bef-002"]
    full = points(item, [line("131", "161", "2 000 000")])
    assert full > 0
    half_typed = [line("131", "161", "2 000 000"), line("87", "", "")]
    assert points(item, half_typed) == full
    assert incomplete_lines(half_typed) == [2]
    assert incomplete_lines([line("", "", ""), line("131", "161", "1")]) == []


def test_whole_forint_dash_notation(items: dict[str, Item]) -> None:
    """Issue 20: "1 995 000,-" was unreadable and scored below a wrong readable amount."""
    assert parse_amount("1 995 000,-") == Decimal(1995000)
    assert parse_amount("1 995 000,- Ft") == Decimal(1995000)
    assert parse_amount("1.995.000.-") == Decimal(1995000)
    assert parse_amount(",-") is None
    item = items["bef-002"]
    key = QT.correct_response(item)[0]
    dashed = {**key, "amount": format_amount(parse_amount(key["amount"])).replace(" Ft", ",-")}
    assert points(item, [dashed]) == points(item, [key])


def test_empty_and_malformed_responses(items: dict[str, Item]) -> None:
    item = items["bef-002"]
    assert not QT.judge(item, None).answered
    assert not QT.judge(item, []).answered
    assert not QT.judge(item, [line("", " ", "")]).answered
    assert not QT.is_answered(item, [line("", "", "")])
    assert points(item, "T 131 K 161 2 000 000") == 0
    assert points(item, [["131", "161", "2000000"]]) == 0
    assert points(item, [{"debit": 131, "credit": None, "amount": 2e6}]) == 0


def test_malicious_input_is_just_wrong(items: dict[str, Item]) -> None:
    item = items["bef-002"]
    huge = [line("1" * 10_000, "161", "9" * 10_000)] * 500
    assert points(item, huge) == 0
    assert points(item, [line("131'; DROP TABLE x;--", "161", "2 000 000")]) == 0
    assert points(item, [line("131", "161", "2 000 000\x00")]) == 0


def test_tolerance(items: dict[str, Item]) -> None:
    item = dataclasses.replace(items["bef-003"], spec={**items["bef-003"].spec, "tolerance": 1})
    assert points(item, [line("571", "139", "300 001")]) == 4
    assert points(item, [line("571", "139", "300 002")]) == 2  # accounts only


def test_render_response(items: dict[str, Item]) -> None:
    text = QT.render_response(items["bef-002"], [line("131", "161", "2 000 000")])
    assert text == "T 131 – K 161: 2 000 000"


def test_bank_errors_name_the_field(items: dict[str, Item]) -> None:
    base = items["bef-001"]
    assert QT.validate(base) == []
    broken = [
        ({"entries": []}, "entries"),
        ({"entries": [{"debit": "0", "credit": "454", "amount": 1}]}, "entries[1].debit"),
        ({"entries": [{"debit": "161", "credit": ["454", "12x"], "amount": 1}]},
         "entries[1].credit"),
        ({"entries": [{"debit": "161", "credit": "454", "amount": "sok"}]}, "entries[1].amount"),
        ({"entries": [{"debit": "161", "credit": "454", "amount": 1, "memo": "x"}]},
         "entries[1].memo"),
        ({"partial": {"half": 0.5}}, "partial.half"),
        ({"tolerance": -1}, "tolerance"),
        ({"chart": {"0": "Nyilvántartási"}}, "chart"),
    ]
    for change, field in broken:
        errors = QT.validate(dataclasses.replace(base, spec={**base.spec, **change}))
        assert [e.field for e in errors] == [field], (change, errors)
