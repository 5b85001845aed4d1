"""Item analysis against values worked out by hand (the working is in the comments)."""

from __future__ import annotations

import math

import pytest

from kiosk.domain.item_analysis import BLANK, ItemAnalysis, analyse, group_size

# 6 candidates × 4 dichotomous items (1 point each). Totals 3, 3, 2, 2, 1, 0: no ties across
# the upper/lower group boundaries.
#        A  B  C  D   total
MATRIX = [
    [1, 1, 1, 0],  # c1  3
    [1, 1, 1, 0],  # c2  3
    [1, 0, 0, 1],  # c3  2
    [1, 0, 1, 0],  # c4  2
    [0, 0, 0, 1],  # c5  1
    [0, 0, 0, 0],  # c6  0
]
IDS = ["A", "B", "C", "D"]
# Item D is a choice item (key "b"); c6 did not answer.
CHOICES_D = ["a", "c", "b", "a", "b", None]


@pytest.fixture(scope="module")
def stats() -> ItemAnalysis:
    return analyse(MATRIX, [1, 1, 1, 1], IDS, choices={"D": CHOICES_D},
                   options={"D": ["a", "b", "c", "d"]}, bins=4)


def test_facility(stats: ItemAnalysis) -> None:
    # A: 4 of 6 right; B: 2 of 6; C: 3 of 6; D: 2 of 6
    assert [it.facility for it in stats.items] == pytest.approx([4 / 6, 2 / 6, 0.5, 2 / 6])


def test_point_biserial_with_rest_score(stats: ItemAnalysis) -> None:
    # r = Sxy / sqrt(Sxx·Syy), Sxy = Σxy − n·x̄·ȳ, with y the rest score (total − item).
    # A: x = 1,1,1,1,0,0  y = 2,2,1,1,1,0; Σxy = 6, x̄ = 2/3, ȳ = 7/6 → Sxy = 6 − 14/3 = 4/3;
    #    Sxx = 4 − 8/3 = 4/3; Syy = 11 − 49/6 = 17/6 → r = (4/3)/sqrt(34/9) = 4/√34 = 0.685994
    # B: x = 1,1,0,0,0,0  y = 2,2,2,2,1,0; Σxy = 4, x̄ = 1/3, ȳ = 3/2 → Sxy = 1;
    #    Sxx = 4/3; Syy = 17 − 13.5 = 7/2 → r = 1/sqrt(14/3) = 0.462910
    # C: x = 1,1,0,1,0,0  y = 2,2,2,1,1,0; Σxy = 5, x̄ = 1/2, ȳ = 4/3 → Sxy = 1;
    #    Sxx = 3/2; Syy = 14 − 32/3 = 10/3 → r = 1/√5 = 0.447214
    # D: x = 0,0,1,0,1,0  y = 3,3,1,2,0,0; Σxy = 1, x̄ = 1/3, ȳ = 3/2 → Sxy = −2;
    #    Sxx = 4/3; Syy = 23 − 13.5 = 19/2 → r = −2/sqrt(38/3) = −0.561951
    got = [it.point_biserial for it in stats.items]
    assert got == pytest.approx([0.685994, 0.462910, 0.447214, -0.561951], abs=1e-6)


def test_upper_lower_27_percent(stats: ItemAnalysis) -> None:
    # 0.27 × 6 = 1.62 → 2 per group; upper = c1, c2 (3, 3), lower = c5, c6 (1, 0)
    assert stats.group_size == 2
    # A: upper 1, lower 0 → 1.0; B: 1 − 0 = 1.0; C: 1 − 0 = 1.0; D: upper 0, lower 0.5 → −0.5
    assert [it.upper_mean for it in stats.items] == [1, 1, 1, 0]
    assert [it.lower_mean for it in stats.items] == [0, 0, 0, 0.5]
    assert [it.discrimination for it in stats.items] == pytest.approx([1.0, 1.0, 1.0, -0.5])


def test_flags(stats: ItemAnalysis) -> None:
    assert [it.flagged for it in stats.items] == [False, False, False, True]
    flags = stats.items[3].flags
    assert any("negative discrimination" in f for f in flags)
    assert any("item–rest correlation" in f for f in flags)


def test_distractors(stats: ItemAnalysis) -> None:
    # chosen: c1 a, c2 c, c3 b, c4 a, c5 b, c6 nothing; upper = c1, c2; lower = c5, c6
    got = [(o.option, o.count, o.upper, o.lower) for o in stats.items[3].options]
    assert got == [("a", 2, 1, 0), ("b", 2, 0, 1), ("c", 1, 1, 0), ("d", 0, 0, 0),
                   (BLANK, 1, 0, 1)]
    assert [o.proportion for o in stats.items[3].options] == pytest.approx(
        [2 / 6, 2 / 6, 1 / 6, 0, 1 / 6])
    assert stats.items[0].options == []  # not a choice item


def test_test_statistics(stats: ItemAnalysis) -> None:
    # totals 3,3,2,2,1,0: mean 11/6; Σx² = 27 → variance 27/6 − (11/6)² = 41/36 (population)
    assert stats.mean == pytest.approx(11 / 6)
    assert stats.sd == pytest.approx(math.sqrt(41) / 6)  # 1.067187
    assert (stats.minimum, stats.maximum, stats.max_total) == (0, 3, 4)
    # Σpq = 2/9 + 2/9 + 1/4 + 2/9 = 11/12; KR-20 = 4/3 × (1 − (11/12)/(41/36)) = 4/3 × 8/41
    #     = 32/123 = 0.260163; alpha equals it for 0/1 items
    assert stats.kr20 == pytest.approx(32 / 123)
    assert stats.alpha == pytest.approx(32 / 123)


def test_histogram(stats: ItemAnalysis) -> None:
    # four bins of width 1 over 0–4: [0,1) holds 0; [1,2) holds 1; [2,3) 2, 2; [3,4] 3, 3
    assert [(b.low, b.high, b.count) for b in stats.histogram] == [
        (0, 1, 1), (1, 2, 1), (2, 3, 2), (3, 4, 2)]


def test_polytomous_alpha_and_no_kr20() -> None:
    # item 1 (max 2): 2,1,0,1 mean 1, variance (1+0+1+0)/4 = 0.5
    # item 2 (max 3): 3,1,2,0 mean 1.5, variance (2.25+0.25+0.25+2.25)/4 = 1.25
    # totals 5,2,2,1 mean 2.5, variance (6.25+0.25+0.25+2.25)/4 = 2.25
    # alpha = 2/1 × (1 − 1.75/2.25) = 4/9
    got = analyse([[2, 3], [1, 1], [0, 2], [1, 0]], [2, 3])
    assert got.alpha == pytest.approx(4 / 9)
    assert got.kr20 is None
    assert [it.facility for it in got.items] == pytest.approx([0.5, 0.5])
    assert [it.item_id for it in got.items] == ["1", "2"]


def test_unanswered_counts_as_zero() -> None:
    got = analyse([[1, None], [0, 1]], [1, 1])
    assert [it.mean for it in got.items] == [0.5, 0.5]


def test_one_candidate_gives_none_not_errors() -> None:
    got = analyse([[1, 0, 1]], [1, 1, 1])
    assert (got.mean, got.sd, got.kr20, got.alpha, got.group_size) == (2, 0, None, None, 0)
    item = got.items[0]
    assert (item.facility, item.point_biserial, item.discrimination) == (1, None, None)


def test_no_candidates() -> None:
    got = analyse([], [1, 1], choices={"1": []})
    assert (got.mean, got.sd, got.kr20, got.alpha) == (None, None, None, None)
    assert got.items[0].facility is None
    assert [b.count for b in got.histogram] == [0] * 10


def test_zero_variance_items_and_test() -> None:
    got = analyse([[1, 1], [1, 1], [1, 1]], [1, 1])
    assert got.alpha is None and got.kr20 is None  # total variance 0
    item = got.items[0]
    assert item.point_biserial is None and item.discrimination == 0
    assert item.flagged and any("no variance" in f for f in item.flags)


def test_multiple_response_choices() -> None:
    got = analyse([[1], [0], [0]], [1], ["q"], choices={"q": [["a", "b"], ["a"], []]})
    assert [(o.option, o.count) for o in got.items[0].options] == [
        ("a", 2), ("b", 1), (BLANK, 1)]


@pytest.mark.parametrize(("n", "size"), [(0, 0), (1, 0), (2, 1), (4, 1), (6, 2), (10, 3),
                                          (100, 27), (370, 100)])
def test_group_size(n: int, size: int) -> None:
    # round half up of 0.27 n, at least 1 and at most n // 2: 0.27 × 370 = 99.9 → 100
    assert group_size(n) == size
