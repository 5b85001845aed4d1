"""Judging and scoring contain each item's failure: a question type or scoring rule that raises
on hostile data leaves that item for a marker ("scoring error: …"), never an exception."""

from __future__ import annotations

import sys

import pytest

from kiosk.domain.items import Item
from kiosk.domain.scoring import SCORING_ERROR, Judgement, NeedsMarking, score_item
from kiosk.plugins import registry


def numeric_item() -> Item:
    return Item(id="n1", type="numeric", topic="N", points=2, stem="5/2?",
                spec={"answers": [{"value": 2.5}]})


class Raising:
    def __init__(self, exc: BaseException | None = None, returns: object = None) -> None:
        self.exc, self.returns = exc, returns

    def judge(self, item: Item, response: object) -> Judgement | NeedsMarking:
        if self.exc is not None:
            raise self.exc
        return self.returns  # type: ignore[return-value]


def rule(judgement: Judgement, item: Item) -> float:
    return float(item.points) * judgement.right / max(1, judgement.keys)


@pytest.mark.parametrize("exc", [RecursionError("deep"), OverflowError("int too large"),
                                 ValueError("Exceeds the limit (4300 digits)"), KeyError("x"),
                                 TypeError("bad")])
def test_a_judge_that_raises_leaves_the_item_for_a_marker(exc: BaseException) -> None:
    score = score_item(numeric_item(), "1", Raising(exc), rule)
    assert score.needs_marking and score.points == 0 and score.max_points == 2
    assert score.detail["needs_marking"].startswith(f"{SCORING_ERROR}: {type(exc).__name__}")


def test_a_judge_returning_garbage_or_a_rule_that_fails_is_contained() -> None:
    assert score_item(numeric_item(), "1", Raising(returns=42), rule).needs_marking

    def broken(judgement: Judgement, item: Item) -> float:
        raise OverflowError("int too large to convert to float")

    qtype = registry().question_types["numeric"]
    score = score_item(numeric_item(), "2,5", qtype, broken)
    assert score.needs_marking and SCORING_ERROR in score.detail["needs_marking"]
    nan = score_item(numeric_item(), "2,5", qtype, lambda j, i: float("nan"))
    assert nan.points == 0 and not nan.needs_marking


@pytest.mark.parametrize("response", [
    10**400, -(10**400), float("inf"), float("nan"), "1e999", "NaN", "inf",
    "9" * 5000, [[[[[[[[[[1]]]]]]]]]], {"a": {"b": [1, 2]}},
])
def test_hostile_numbers_to_a_numeric_item_never_raise(response: object) -> None:
    qtype = registry().question_types["numeric"]
    score = score_item(numeric_item(), response, qtype, registry().scoring_rules["proportional"])
    assert score.points == 0


def test_an_int_too_long_to_print_is_contained() -> None:
    big = 10 ** (sys.get_int_max_str_digits() + 10)
    qtype = registry().question_types["numeric"]
    score = score_item(numeric_item(), big, qtype, registry().scoring_rules["proportional"])
    assert score.points == 0
