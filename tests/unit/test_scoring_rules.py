"""The built-in scoring rules and score_item, on hand-computed examples."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.builtins.qtypes import Essay, MultipleResponse, ShortText, SingleChoice
from kiosk.builtins.scoring_rules import (
    RULES,
    all_or_nothing,
    mapped,
    negative,
    proportional,
    szkr,
)
from kiosk.domain.items import Item
from kiosk.domain.scoring import Judgement, floor_to_step, score_item
from kiosk.plugins import registry


def make(
    qtype: str = "multiple_response", points: float = 2, step: float | None = None, **spec: Any
) -> Item:
    return Item(id="q", type=qtype, topic="T", points=points, stem="?", spec=spec, step=step)


# 2-point item, 3 correct options (a, b, c) and 2 wrong ones (x, y).
MR = make(
    options=[
        {"id": "a", "text": "A", "correct": True},
        {"id": "b", "text": "B", "correct": True},
        {"id": "c", "text": "C", "correct": True},
        {"id": "x", "text": "X"},
        {"id": "y", "text": "Y"},
    ]
)
MRT = MultipleResponse()


def points(rule: str, response: Any, item: Item = MR) -> float:
    return score_item(item, response, MRT, RULES[rule]).points


def test_default_plugin_registers_the_rules() -> None:
    assert set(registry().scoring_rules) == {
        "all_or_nothing",
        "proportional",
        "szkr",
        "negative",
        "mapped",
    }
    assert registry().scoring_rules["szkr"] is szkr


def test_szkr_never_full_marks_with_a_wrong_choice() -> None:
    assert points("szkr", ["a", "b", "c"]) == 2
    # all three correct plus one wrong: 2 × (3 − 1) / 3, not 2
    assert points("szkr", ["a", "b", "c", "x"]) == pytest.approx(4 / 3)
    assert points("szkr", ["a", "b", "c", "x", "y"]) == pytest.approx(2 / 3)
    assert points("szkr", ["a", "x"]) == 0
    assert points("szkr", ["a", "b"]) == pytest.approx(4 / 3)
    assert points("szkr", ["a", "b", "c", "x", "y"], make(points=2, step=0.5, **MR.spec)) == 0.5


def test_all_or_nothing() -> None:
    assert points("all_or_nothing", ["c", "a", "b"]) == 2
    assert points("all_or_nothing", ["a", "b"]) == 0
    assert points("all_or_nothing", ["a", "b", "c", "x"]) == 0
    assert points("all_or_nothing", None) == 0


def test_proportional_ignores_wrong_choices() -> None:
    assert points("proportional", ["a", "b"]) == pytest.approx(4 / 3)
    assert points("proportional", ["a", "b", "x", "y"]) == pytest.approx(4 / 3)
    assert points("proportional", ["a", "b", "c"]) == 2


def test_negative_floored_at_zero() -> None:
    item = make(points=3, **MR.spec)
    # 1 point per right, default penalty 1 per wrong
    assert points("negative", ["a", "b", "x"], item) == 1
    assert points("negative", ["a", "x", "y"], item) == 0  # 1 − 2, floored
    assert points("negative", ["x"], item) == 0
    with_penalty = make(points=3, penalty=0.5, **MR.spec)
    assert points("negative", ["a", "b", "x"], with_penalty) == 1.5
    assert points("negative", ["a", "x", "y"], with_penalty) == 0


def test_mapped_with_bounds_and_fallback() -> None:
    item = make(
        points=2,
        mapping={
            "entries": {"a": 1.0, "b": 1.0, "c": 0.5, "x": -1.5},
            "lower_bound": 0.5,
            "upper_bound": 1.5,
        },
        **MR.spec,
    )
    assert MRT.validate(item) == []
    assert points("mapped", ["a"], item) == 1.0
    assert points("mapped", ["a", "b"], item) == 1.5  # upper bound
    assert points("mapped", ["a", "x"], item) == 0.5  # −0.5 raised to lower bound
    unbounded = make(points=2, mapping={"entries": {"a": 3, "x": -4}}, **MR.spec)
    assert points("mapped", ["a"], unbounded) == 2  # clamped to item points
    assert points("mapped", ["x"], unbounded) == 0  # never below zero
    # no mapping: all_or_nothing
    assert points("mapped", ["a", "b", "c"]) == 2
    assert points("mapped", ["a", "b"]) == 0


def test_rules_on_raw_judgements() -> None:
    item = make(points=4)
    j = Judgement(keys=4, right=3, wrong=1)
    assert all_or_nothing(j, item) == 0
    assert proportional(j, item) == 3
    assert szkr(j, item) == 2
    assert negative(j, item) == 2
    assert mapped(j, item) == 0
    unanswered = Judgement(keys=4, right=0, answered=False)
    assert {name: rule(unanswered, item) for name, rule in RULES.items()} == dict.fromkeys(RULES, 0)


def test_fraction_drives_weighted_answers() -> None:
    item = make(points=4)
    half = Judgement(keys=1, right=0, wrong=0, fraction=0.5)
    assert proportional(half, item) == 2
    assert szkr(half, item) == 2
    assert negative(half, item) == 2
    assert all_or_nothing(half, item) == 0
    full = Judgement(keys=1, right=1, fraction=1.0)
    assert all_or_nothing(full, item) == 4
    # a zero-weight wrong option keeps the weights at 1, but szkr still withholds full marks
    sneaky = Judgement(keys=2, right=2, wrong=1, fraction=1.0)
    assert szkr(sneaky, item) == 2
    assert all_or_nothing(sneaky, item) == 0


def test_single_choice_weight_is_scored() -> None:
    item = make(
        "single_choice",
        points=3,
        options=[
            {"text": "a", "weight": 1},
            {"text": "b", "weight": 0.5},
            {"text": "c", "weight": -0.5},
        ],
    )
    qtype = SingleChoice()
    assert score_item(item, "2", qtype, proportional).points == 1.5
    assert score_item(item, "2", qtype, all_or_nothing).points == 0
    assert score_item(item, "3", qtype, szkr).points == 0
    assert score_item(item, "1", qtype, szkr).correct is True


def test_step_flooring() -> None:
    item = make(points=2, step=0.5, **MR.spec)
    assert points("proportional", ["a", "b"], item) == 1.0  # 1.333 floored
    assert points("proportional", ["a"], item) == 0.5  # 0.667 floored
    odd = make(points=2.2, step=0.5, **MR.spec)
    assert points("proportional", ["a", "b", "c"], odd) == 2.2  # full marks are never floored
    assert floor_to_step(1.9999999999, 0.5) == 2.0
    text = make(
        "short_text", points=3, step=1, answers=[{"text": "x"}, {"text": "y", "weight": 0.6}]
    )
    assert score_item(text, "y", ShortText(), proportional).points == 1  # 1.8 floored


def test_score_item_fields() -> None:
    full = score_item(MR, ["a", "b", "c"], MRT, szkr)
    assert full.points == 2 and full.max_points == 2 and full.correct is True
    assert full.detail["keys"] == 3 and full.detail["right"] == 3
    assert full.detail["selected"] == ["a", "b", "c"]
    part = score_item(MR, ["a"], MRT, proportional)
    assert part.correct is False and part.needs_marking is False
    essay = make("essay", points=10)
    marked = score_item(essay, "Hosszú válasz.", Essay(), proportional)
    assert marked.needs_marking is True and marked.points == 0 and marked.correct is None
    assert marked.max_points == 10
    blank = score_item(essay, "", Essay(), proportional)
    assert blank.needs_marking is False and blank.points == 0


@pytest.mark.parametrize("bad", [99.0, -5.0, float("nan"), float("inf")])
def test_score_item_clamps_a_misbehaving_rule(bad: float) -> None:
    score = score_item(MR, ["a"], MRT, lambda j, item: bad)
    assert 0 <= score.points <= 2


@settings(max_examples=300, deadline=None)
@given(
    keys=st.integers(0, 6),
    right=st.integers(0, 6),
    wrong=st.integers(0, 6),
    fraction=st.none() | st.floats(-2, 2),
    mapped_value=st.none() | st.floats(-10, 10),
    item_points=st.sampled_from([1, 2, 2.5, 10]),
    step=st.none() | st.sampled_from([0.25, 0.5, 1]),
    penalty=st.none() | st.floats(0, 5),
)
def test_rules_stay_within_item_points(
    keys: int,
    right: int,
    wrong: int,
    fraction: float | None,
    mapped_value: float | None,
    item_points: float,
    step: float | None,
    penalty: float | None,
) -> None:
    spec = {} if penalty is None else {"penalty": penalty}
    item = make(points=item_points, step=step, **spec)
    j = Judgement(
        keys=keys, right=min(right, keys), wrong=wrong, fraction=fraction, mapped=mapped_value
    )
    for rule in RULES.values():
        assert 0 <= rule(j, item) <= item_points
    if wrong:
        assert szkr(j, item) < item_points  # the Szkr rule: no full marks with a wrong choice
