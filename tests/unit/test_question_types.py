"""The built-in question types: validation, normalisation, judging, presentation and rendering."""

from __future__ import annotations

import random
import unicodedata
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.builtins.qtypes import ALL
from kiosk.builtins.scoring_rules import RULES
from kiosk.domain.items import Item
from kiosk.domain.scoring import Judgement, NeedsMarking, score_item
from kiosk.plugins import registry

TYPES = {cls.name: cls() for cls in ALL}


def make(qtype: str, stem: str = "Kérdés?", points: float = 2, **spec: Any) -> Item:
    return Item(id="q1", type=qtype, topic="T", points=points, stem=stem, spec=spec)


def judge(item: Item, response: Any) -> Judgement:
    result = TYPES[item.type].judge(item, response)
    assert isinstance(result, Judgement)
    return result


def errors(item: Item) -> dict[str, str]:
    return {e.field: e.reason for e in TYPES[item.type].validate(item)}


SAMPLES: dict[str, Item] = {
    "single_choice": make(
        "single_choice",
        options=[
            {"text": "Linux", "correct": True},
            {"text": "Word"},
            {"text": "Excel"},
            {"text": "Egyik sem", "fixed": True},
        ],
    ),
    "multiple_response": make(
        "multiple_response",
        options=[
            {"id": "a", "text": "TCP", "correct": True},
            {"id": "b", "text": "UDP", "correct": True},
            {"id": "c", "text": "HTML"},
            {"id": "d", "text": "ICMP", "correct": True},
            {"id": "e", "text": "CSS"},
        ],
    ),
    "true_false": make("true_false", answer=False),
    "short_text": make("short_text", answers=["kernel", {"text": "rendszermag", "weight": 1.0}]),
    "numeric": make("numeric", answers=[{"value": 3.14, "tolerance": 0.01}]),
    "matching": make(
        "matching",
        pairs=[
            {"left": "HTTP", "right": "80"},
            {"left": "SSH", "right": "22"},
            {"left": "DNS", "right": "53"},
        ],
        distractors=["21"],
    ),
    "ordering": make("ordering", sequence=["alfa", "béta", "gamma", "delta"]),
    "cloze": make(
        "cloze",
        stem="A [[proto]] a [[layer]] rétegben működik.",
        gaps=[
            {"id": "proto", "answers": ["TCP"]},
            {"id": "layer", "options": ["szállítási", "hálózati"], "correct": "szállítási"},
        ],
    ),
    "essay": make(
        "essay",
        points=10,
        word_limit=300,
        min_words=3,
        rubric=[{"criterion": "tartalom", "points": 6}, {"criterion": "nyelv", "points": 4}],
    ),
}


def test_default_plugin_registers_every_type() -> None:
    # Installed subject plugins add their own types; the built-in plugin registers exactly these.
    reg = registry()
    assert set(reg.provided["kiosk.builtins.question_types"]["question_types"]) == set(TYPES)
    assert set(TYPES) <= set(reg.question_types)
    assert len(TYPES) == 10  # nine answerable types and the unscored description


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_samples_are_valid(name: str) -> None:
    assert TYPES[name].validate(SAMPLES[name]) == []


@pytest.mark.parametrize("name", sorted(set(SAMPLES) - {"essay"}))
def test_correct_response_is_fully_right(name: str) -> None:
    item = TYPES[name].normalise(SAMPLES[name])
    response = TYPES[name].correct_response(item)
    j = judge(item, response)
    assert j.answered
    assert j.right == j.keys and j.wrong == 0
    assert j.fraction in (None, 1.0)


EMPTY_CASES = [
    (name, empty)
    for name in sorted(SAMPLES)
    for empty in (None, "", [], {})
    # for true_false only null is empty; "" or [] is a malformed (wrong) answer
    if name != "true_false" or empty is None
]


@pytest.mark.parametrize(("name", "empty"), EMPTY_CASES)
def test_empty_response_is_unanswered(name: str, empty: Any) -> None:
    qtype = TYPES[name]
    item = SAMPLES[name]
    j = qtype.judge(item, empty)
    assert isinstance(j, Judgement)
    assert j.answered is False and j.right == 0
    assert qtype.is_answered(item, empty) is False


def test_normalise_fills_ids_and_returns_new_item() -> None:
    item = SAMPLES["single_choice"]
    out = TYPES["single_choice"].normalise(item)
    assert [o["id"] for o in out.spec["options"]] == ["1", "2", "3", "4"]
    assert "id" not in item.spec["options"][0]  # the original is untouched
    assert out is not item and out.id == item.id


def test_normalise_short_text_answers_to_tables() -> None:
    out = TYPES["short_text"].normalise(SAMPLES["short_text"])
    assert out.spec["answers"] == [
        {"text": "kernel", "weight": 1.0},
        {"text": "rendszermag", "weight": 1.0},
    ]


# --- single_choice -------------------------------------------------------------------------


def test_single_choice_right_wrong_malformed() -> None:
    item = SAMPLES["single_choice"]
    right = judge(item, "1")
    assert (right.keys, right.right, right.wrong) == (1, 1, 0)
    wrong = judge(item, "2")
    assert (wrong.right, wrong.wrong, wrong.answered) == (0, 1, True)
    for bad in ("9", 1, ["1"], {"1": True}, True):
        j = judge(item, bad)
        assert j.answered and j.right == 0, bad


def test_single_choice_weights_give_fraction() -> None:
    item = make(
        "single_choice",
        options=[
            {"text": "a", "weight": 1.0},
            {"text": "b", "weight": 0.5},
            {"text": "c", "weight": -0.5},
        ],
    )
    assert errors(item) == {}
    assert judge(item, "1").fraction == 1.0
    half = judge(item, "2")
    assert half.fraction == 0.5 and half.right == 0 and half.wrong == 0
    assert judge(item, "3").fraction == 0.0  # negative weights clamp at 0


def test_single_choice_validation() -> None:
    two = make(
        "single_choice", options=[{"text": "a", "correct": True}, {"text": "b", "correct": True}]
    )
    assert errors(two)["options"] == "single_choice needs exactly one correct option, found 2"
    none = make("single_choice", options=[{"text": "a"}, {"text": "b"}])
    assert "found 0" in errors(none)["options"]
    bad = make(
        "single_choice",
        options=[{"text": "a", "correct": True}, {"text": " "}, {"text": "c", "corect": True}],
    )
    found = errors(bad)
    assert "options[2].text" in found
    assert "options[3].corect" in found and "unknown field" in found["options[3].corect"]
    dup = make(
        "single_choice",
        options=[{"id": "x", "text": "a", "correct": True}, {"id": "x", "text": "b"}],
    )
    assert "duplicate id" in errors(dup)["options[2].id"]
    weak = make("single_choice", options=[{"text": "a", "weight": 0.5}, {"text": "b", "weight": 0}])
    assert "full marks" in errors(weak)["options"]
    assert "options" in errors(make("single_choice"))
    assert "options[1]" in errors(make("single_choice", options=["a", "b"]))
    assert "penalty" in errors(
        make("single_choice", options=SAMPLES["single_choice"].spec["options"], penalty=-1)
    )
    assert "options[1].weight" in errors(
        make(
            "single_choice", options=[{"text": "a", "weight": True}, {"text": "b", "correct": True}]
        )
    )


def test_unknown_top_level_field_is_reported() -> None:
    item = make("true_false", anwser=True)
    found = errors(item)
    assert "anwser" in found and "answer" in found


# --- multiple_response ---------------------------------------------------------------------


def test_multiple_response_counts() -> None:
    item = SAMPLES["multiple_response"]
    assert (judge(item, ["a", "b", "d"]).right, judge(item, ["a", "b", "d"]).keys) == (3, 3)
    partly = judge(item, ["a", "d"])
    assert (partly.right, partly.wrong) == (2, 0)
    mixed = judge(item, ["a", "b", "d", "c"])
    assert (mixed.right, mixed.wrong) == (3, 1)
    dupes = judge(item, ["a", "a", "c", "c"])
    assert (dupes.right, dupes.wrong) == (1, 1)
    unknown = judge(item, ["a", "zz", 5])
    assert (unknown.right, unknown.wrong) == (1, 2)
    for bad in ("a", {"a": 1}, 7, True):
        j = judge(item, bad)
        assert j.answered and j.right == 0, bad


def test_multiple_response_weights() -> None:
    item = make(
        "multiple_response",
        options=[
            {"id": "a", "text": "a", "weight": 0.5},
            {"id": "b", "text": "b", "weight": 0.5},
            {"id": "c", "text": "c", "weight": -1.0},
        ],
    )
    assert errors(item) == {}
    assert judge(item, ["a", "b"]).fraction == 1.0
    assert judge(item, ["a"]).fraction == 0.5
    assert judge(item, ["a", "c"]).fraction == 0.0
    assert judge(item, ["a", "b", "c"]).keys == 2


def test_multiple_response_validation() -> None:
    none = make("multiple_response", options=[{"text": "a"}, {"text": "b"}])
    assert errors(none)["options"] == "multiple_response needs at least one correct option, found 0"
    short = make(
        "multiple_response", options=[{"text": "a", "weight": 0.4}, {"text": "b", "weight": 0.4}]
    )
    assert "add up to 0.8" in errors(short)["options"]
    bad_map = make(
        "multiple_response",
        options=SAMPLES["multiple_response"].spec["options"],
        mapping={"entries": {"a": 1, "q": 2}, "lower_bound": 3, "upper_bound": 1},
    )
    found = errors(bad_map)
    assert "mapping.entries.q" in found and "mapping.lower_bound" in found


def test_mapping_sets_mapped_with_bounds() -> None:
    item = make(
        "multiple_response",
        options=SAMPLES["multiple_response"].spec["options"],
        mapping={"entries": {"a": 1.0, "b": 1.0, "c": -0.5}, "default": 0.25, "upper_bound": 2.0},
    )
    assert errors(item) == {}
    assert judge(item, ["a", "c"]).mapped == 0.5
    assert judge(item, ["a", "d"]).mapped == 1.25  # d has no entry: default
    assert judge(item, ["a", "b", "d"]).mapped == 2.0  # 2.25 bounded
    assert judge(item, None).mapped == 0.0
    assert judge(SAMPLES["multiple_response"], ["a"]).mapped is None
    tf = make("true_false", answer=True, mapping={"entries": {"true": 1, "false": -1}})
    assert judge(tf, False).mapped == -1


# --- true_false ----------------------------------------------------------------------------


def test_true_false() -> None:
    item = SAMPLES["true_false"]
    assert judge(item, False).right == 1
    assert (judge(item, True).right, judge(item, True).wrong) == (0, 1)
    for bad in ("false", 0, "", [], {"x": 1}):
        j = judge(item, bad)
        assert j.answered and j.right == 0, bad
    assert errors(make("true_false"))["answer"].startswith("missing")
    assert "answer" in errors(make("true_false", answer="yes"))


# --- short_text ----------------------------------------------------------------------------


def test_short_text_default_normalisation() -> None:
    item = SAMPLES["short_text"]
    for typed in ("kernel", "KERNEL", "  Kernel  ", "rendszermag"):
        assert judge(item, typed).right == 1, typed
    assert judge(item, "ker nel").right == 0
    assert judge(item, "kernelx").wrong == 1


def test_short_text_whitespace_collapse_and_off() -> None:
    item = make("short_text", answers=["hálózati réteg"])
    assert judge(item, "hálózati \t  réteg ").right == 1
    strict = make("short_text", answers=["a b"], normalise_whitespace=False)
    assert judge(strict, "a  b").right == 0
    assert judge(strict, "a b").right == 1


def test_short_text_case_sensitive() -> None:
    item = make("short_text", answers=["NaCl"], case_sensitive=True)
    assert judge(item, "NaCl").right == 1
    assert judge(item, "nacl").right == 0


def test_short_text_accents() -> None:
    item = make("short_text", answers=["kör"])
    assert judge(item, "kör").right == 1
    assert judge(item, "kor").right == 0  # different words in Hungarian
    loose = make("short_text", answers=["őrültű"], ignore_accents=True)
    assert judge(loose, "orultu").right == 1
    assert judge(loose, "ÖRÜLTŰ").right == 1


def test_short_text_nfc_always() -> None:
    item = make("short_text", answers=["kör"], case_sensitive=True, normalise_whitespace=False)
    decomposed = unicodedata.normalize("NFD", "kör")
    assert decomposed != "kör"
    assert judge(item, decomposed).right == 1


def test_short_text_wildcard_and_weights() -> None:
    item = make(
        "short_text",
        answers=[{"text": "Neumann*"}, {"text": "Turing", "weight": 0.5}, {"text": "a\\*b"}],
    )
    assert judge(item, "Neumann János").right == 1
    assert judge(item, "neumann").right == 1
    assert judge(item, "Von Neumann").right == 0
    half = judge(item, "turing")
    assert half.fraction == 0.5 and half.right == 0 and half.wrong == 0
    assert judge(item, "a*b").right == 1
    assert judge(item, "axb").right == 0  # escaped star is literal
    assert judge(item, "Babbage").fraction == 0.0


def test_short_text_malformed() -> None:
    item = SAMPLES["short_text"]
    for bad in (42, ["kernel"], {"a": "kernel"}, True):
        j = judge(item, bad)
        assert j.answered and j.right == 0 and j.fraction == 0.0, bad


def test_short_text_validation() -> None:
    assert errors(make("short_text"))["answers"].startswith("missing")
    found = errors(make("short_text", answers=["", {"text": "x", "weight": 2}, 5]))
    assert "answers[1]" in found and "answers[2].weight" in found and "answers[3]" in found
    weak = errors(make("short_text", answers=[{"text": "x", "weight": 0.5}]))
    assert "full marks" in weak["answers"]
    assert "ignore_accents" in errors(make("short_text", answers=["x"], ignore_accents="yes"))


# --- numeric -------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["3,14", "3.14", " 3,14 ", "3,145", "3.13"])
def test_numeric_accepts_decimal_comma_and_point(typed: str) -> None:
    assert judge(SAMPLES["numeric"], typed).right == 1


@pytest.mark.parametrize("typed", ["3,2", "abc", "3,14,15", "3.14 cm", "--3", "1e999", "nan", "∞"])
def test_numeric_wrong_or_unparseable_is_answered_wrong(typed: str) -> None:
    j = judge(SAMPLES["numeric"], typed)
    assert j.answered and j.right == 0 and j.wrong == 1 and j.fraction == 0.0


def test_numeric_thousands_and_sign() -> None:
    assert judge(make("numeric", answers=[{"value": 1250}]), "1 250").right == 1
    assert judge(make("numeric", answers=[{"value": 1250}]), "1\u00a0250").right == 1
    assert judge(make("numeric", answers=[{"value": -2}]), "-2").right == 1
    assert judge(make("numeric", answers=[{"value": -2}]), "2").right == 0
    assert judge(make("numeric", answers=[{"value": 0.3}]), "0,3").right == 1


def test_numeric_units() -> None:
    item = make("numeric", answers=[{"value": 12}], unit="cm")
    assert judge(item, "12 cm").right == 1
    assert judge(item, "12cm").right == 1
    assert judge(item, "12").right == 1  # unit optional
    wrong_unit = judge(item, "12 mm")
    assert wrong_unit.right == 0 and wrong_unit.detail["reason"] == "wrong unit"
    required = make("numeric", answers=[{"value": 12}], unit="cm", unit_required=True)
    assert judge(required, "12").right == 0
    assert judge(required, "12 cm").right == 1


def test_numeric_tolerances_ranges_weights() -> None:
    relative = make("numeric", answers=[{"value": 200, "tolerance": 0.05, "relative": True}])
    assert judge(relative, "209").right == 1
    assert judge(relative, "211").right == 0
    ranged = make("numeric", answers=[{"min": 10, "max": 20}])
    assert judge(ranged, "10").right == 1 and judge(ranged, "20,0").right == 1
    assert judge(ranged, "20,5").right == 0
    weighted = make(
        "numeric",
        answers=[
            {"value": 100, "tolerance": 1},
            {"value": 100, "tolerance": 10, "weight": 0.5},
            {"min": 0, "max": 1000, "weight": 0.1},
        ],
    )
    assert judge(weighted, "100,5").fraction == 1.0
    assert judge(weighted, "95").fraction == 0.5
    assert judge(weighted, "500").fraction == 0.1
    assert judge(weighted, "5000").fraction == 0.0


def test_numeric_malformed() -> None:
    for bad in (3.14, 3, ["3,14"], {"v": 3}, True):
        j = judge(SAMPLES["numeric"], bad)
        assert j.answered and j.right == 0, bad


def test_numeric_validation() -> None:
    found = errors(
        make(
            "numeric",
            answers=[
                {"value": "3"},
                {"value": 1, "tolerance": -1},
                {"min": 5, "max": 1},
                {"value": 1, "min": 0, "max": 2},
                {"weight": 1},
            ],
            unit_required=True,
        )
    )
    for field in (
        "answers[1].value",
        "answers[2].tolerance",
        "answers[3].min",
        "answers[4]",
        "answers[5]",
        "unit_required",
    ):
        assert field in found, field
    weak = errors(make("numeric", answers=[{"value": 1, "weight": 0.5}]))
    assert "full marks" in weak["answers"]


# --- matching ------------------------------------------------------------------------------


def test_matching_right_partly_wrong() -> None:
    item = TYPES["matching"].normalise(SAMPLES["matching"])
    full = judge(item, {"1": "80", "2": "22", "3": "53"})
    assert (full.keys, full.right, full.wrong) == (3, 3, 0)
    partly = judge(item, {"1": "80", "2": "53", "3": "21"})
    assert (partly.right, partly.wrong) == (1, 0)
    assert partly.detail["pairs"] == {"1": True, "2": False, "3": False}
    assert judge(item, {"1": "80", "9": "22"}).right == 1
    for bad in (["80"], "80", 5, {"1": 80, "2": ["22"]}):
        j = judge(item, bad)
        assert j.answered and j.right == 0, bad
    assert judge(item, {"1": "", "2": None}).answered is False


def test_matching_presentation_includes_distractors() -> None:
    item = SAMPLES["matching"]
    pres = TYPES["matching"].presentation(item, random.Random(3), True)
    assert sorted(pres["right"]) == ["21", "22", "53", "80"]
    assert pres["left"] == ["1", "2", "3"]
    assert pres == TYPES["matching"].presentation(item, random.Random(3), True)
    unshuffled = TYPES["matching"].presentation(item, random.Random(3), False)
    assert unshuffled["right"] == ["21", "22", "53", "80"]


def test_matching_validation() -> None:
    dup = make(
        "matching",
        pairs=[{"left": "a", "right": "x"}, {"left": "b", "right": "x"}],
        distractors=["y", "x"],
    )
    found = errors(dup)
    assert "same text" in found["pairs[2].right"]
    assert "distractors[2]" in found
    assert "pairs[2].left" in errors(
        make("matching", pairs=[{"left": "a", "right": "x"}, {"right": "y"}])
    )
    assert "pairs" in errors(make("matching", pairs=[]))


# --- ordering ------------------------------------------------------------------------------


def test_ordering_positions() -> None:
    item = SAMPLES["ordering"]
    assert judge(item, ["alfa", "béta", "gamma", "delta"]).right == 4
    swapped = judge(item, ["alfa", "béta", "delta", "gamma"])
    assert (swapped.right, swapped.wrong) == (2, 0)
    rotated = judge(item, ["delta", "alfa", "béta", "gamma"])
    assert rotated.right == 0  # positions, not neighbours
    short = judge(item, ["alfa"])
    assert short.right == 1 and short.keys == 4
    for bad in ("alfa", {"0": "alfa"}, 3, [1, 2, 3, 4]):
        j = judge(item, bad)
        assert j.answered and j.right == 0, bad


def test_ordering_presentation_never_the_answer() -> None:
    item = SAMPLES["ordering"]
    qtype = TYPES["ordering"]
    for seed in range(50):
        pres = qtype.presentation(item, random.Random(seed), True)
        assert sorted(pres["order"]) == sorted(item.spec["sequence"])
        assert pres["order"] != item.spec["sequence"]
    assert qtype.presentation(item, random.Random(7), True) == qtype.presentation(
        item, random.Random(7), True
    )


def test_ordering_validation() -> None:
    assert "sequence[3]" in errors(make("ordering", sequence=["a", "b", "a"]))
    assert "sequence" in errors(make("ordering", sequence=["a"]))
    assert "sequence[2]" in errors(make("ordering", sequence=["a", 2]))


# --- cloze ---------------------------------------------------------------------------------


def test_cloze_right_partly_wrong() -> None:
    item = SAMPLES["cloze"]
    full = judge(item, {"proto": " tcp ", "layer": "szállítási"})
    assert (full.keys, full.right) == (2, 2)
    assert full.fraction is None
    partly = judge(item, {"proto": "UDP", "layer": "szállítási"})
    assert partly.right == 1 and partly.detail["gaps"] == {"proto": False, "layer": True}
    assert judge(item, {"proto": "UDP", "layer": "hálózati"}).right == 0
    assert judge(item, {"proto": "", "layer": None}).answered is False
    for bad in ("TCP", ["TCP"], 1, {"proto": 5, "layer": ["x"]}):
        j = judge(item, bad)
        assert j.answered and j.right == 0, bad


def test_cloze_gap_points_give_fraction() -> None:
    item = make(
        "cloze",
        points=4,
        stem="[[a]] [[b]] [[c]]",
        gaps=[
            {"id": "a", "answers": ["x"], "points": 2},
            {"id": "b", "answers": ["y"]},
            {"id": "c", "answers": ["z"]},
        ],
    )
    assert errors(item) == {}
    assert judge(item, {"a": "x"}).fraction == pytest.approx(0.5)
    assert judge(item, {"b": "y", "c": "z"}).fraction == pytest.approx(0.5)
    assert judge(item, {"a": "x", "b": "y"}).fraction == pytest.approx(0.75)


def test_cloze_per_gap_text_options() -> None:
    item = make(
        "cloze",
        stem="[[a]] [[b]]",
        case_sensitive=True,
        gaps=[
            {"id": "a", "answers": ["Kör"]},
            {"id": "b", "answers": ["Kör"], "case_sensitive": False, "ignore_accents": True},
        ],
    )
    j = judge(item, {"a": "kör", "b": "kor"})
    assert j.detail["gaps"] == {"a": False, "b": True}


def test_cloze_validation() -> None:
    item = make(
        "cloze",
        stem="[[a]] és [[nincs]] és [[a]]",
        gaps=[
            {"id": "a", "answers": ["x"]},
            {"id": "b", "answers": ["y"]},
            {"id": "c", "options": ["p", "q"], "correct": "r"},
            {"id": "d", "answers": ["y"], "options": ["p", "q"]},
        ],
    )
    found = [(e.field, e.reason) for e in TYPES["cloze"].validate(item)]
    fields = [f for f, _ in found]
    assert any(f == "stem" and "[[nincs]] has no gap" in r for f, r in found)
    assert any(f == "stem" and "more than once" in r for f, r in found)
    assert "gaps[2].id" in fields and "gaps[3].correct" in fields and "gaps[4]" in fields
    over = make(
        "cloze",
        points=2,
        stem="[[a]] [[b]]",
        gaps=[
            {"id": "a", "answers": ["x"], "points": 1},
            {"id": "b", "answers": ["y"], "points": 3},
        ],
    )
    assert "add up to 4" in errors(over)["gaps"]


# --- essay ---------------------------------------------------------------------------------


def test_essay_needs_marking() -> None:
    item = SAMPLES["essay"]
    assert isinstance(TYPES["essay"].judge(item, "Ez egy rövid esszé."), NeedsMarking)
    assert TYPES["essay"].human_marked is True
    assert judge(item, "   ").answered is False
    bad = judge(item, ["text"])
    assert bad.answered and bad.right == 0


def test_essay_render_response_counts_words() -> None:
    text = TYPES["essay"].render_response(SAMPLES["essay"], "egy kettő  három\nnégy")
    assert "4 szó" in text
    short = TYPES["essay"].render_response(SAMPLES["essay"], "egy")
    assert "1 szó" in short and "minimum 3" in short


def test_essay_validation() -> None:
    found = errors(
        make(
            "essay",
            points=10,
            word_limit=0,
            rubric=[{"criterion": "a", "points": 6}, {"criterion": "b", "points": 3}],
        )
    )
    assert "word_limit" in found
    assert "add up to 9" in found["rubric"]
    assert "min_words" in errors(make("essay", word_limit=10, min_words=20))
    assert "rubric[1].criterion" in errors(make("essay", points=1, rubric=[{"points": 1}]))


# --- presentation and rendering ------------------------------------------------------------


def test_shuffle_keeps_fixed_options_and_is_deterministic() -> None:
    item = SAMPLES["single_choice"]
    qtype = TYPES["single_choice"]
    orders = set()
    for seed in range(40):
        pres = qtype.presentation(item, random.Random(seed), True)
        assert pres["options"][3] == "4"  # "Egyik sem" is fixed last
        assert sorted(pres["options"]) == ["1", "2", "3", "4"]
        assert pres == qtype.presentation(item, random.Random(seed), True)
        orders.add(tuple(pres["options"]))
    assert len(orders) == 6  # every order of the three free options occurs
    assert qtype.presentation(item, random.Random(1), False) == {"options": ["1", "2", "3", "4"]}


def test_render_item_letters_in_presentation_order() -> None:
    item = SAMPLES["single_choice"]
    text = TYPES["single_choice"].render_item(item, {"options": ["3", "1", "2", "4"]})
    assert text.splitlines()[-4:] == ["A. Excel", "B. Linux", "C. Word", "D. Egyik sem"]
    assert text.startswith("Kérdés?")
    plain = TYPES["single_choice"].render_item(item)
    assert plain.splitlines()[-4] == "A. Linux"


def test_render_cloze_and_matching() -> None:
    cloze = TYPES["cloze"].render_item(
        SAMPLES["cloze"], {"gaps": {"layer": ["hálózati", "szállítási"]}}
    )
    assert cloze == "A [proto: ________] a [layer: A. hálózati / B. szállítási] rétegben működik."
    matching = TYPES["matching"].render_item(
        SAMPLES["matching"], {"right": ["53", "21", "80", "22"]}
    )
    assert "1. HTTP" in matching and "A. 53" in matching and "D. 22" in matching


def test_render_response() -> None:
    assert TYPES["single_choice"].render_response(SAMPLES["single_choice"], "1") == "Linux"
    assert (
        TYPES["multiple_response"].render_response(SAMPLES["multiple_response"], ["a", "c"])
        == "TCP; HTML"
    )
    matching = TYPES["matching"].normalise(SAMPLES["matching"])
    assert TYPES["matching"].render_response(matching, {"1": "80"}) == "HTTP → 80"
    assert (
        TYPES["ordering"].render_response(SAMPLES["ordering"], ["béta", "alfa"])
        == "1. béta\n2. alfa"
    )
    assert "malformed" in TYPES["numeric"].render_response(SAMPLES["numeric"], 3.14)


# --- properties ----------------------------------------------------------------------------

json_like = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | st.sampled_from(["1", "a", "b", "80", "kernel", "3,14", "alfa", "TCP", "proto", "layer"]),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.text(max_size=8) | st.sampled_from(["1", "2", "proto", "layer"]),
            children,
            max_size=5,
        )
    ),
    max_leaves=12,
)


PROPERTY_ITEMS = [
    *SAMPLES.values(),
    make(
        "single_choice",
        options=[
            {"text": "a", "weight": 1},
            {"text": "b", "weight": 0.5},
            {"text": "c", "weight": -1},
        ],
    ),
    make(
        "multiple_response",
        options=[{"id": "a", "text": "a", "correct": True}, {"id": "b", "text": "b"}],
        penalty=5,
        mapping={"entries": {"a": 3, "b": -4}, "default": 1, "lower_bound": -1},
    ),
    make(
        "numeric",
        answers=[{"min": 0, "max": 1, "weight": 1}, {"value": 80, "weight": 0.3}],
        unit="kg",
    ),
    make(
        "cloze",
        points=3,
        stem="[[1]] [[2]]",
        gaps=[
            {"answers": [{"text": "a*", "weight": 1}, {"text": "b", "weight": 0.4}], "points": 2},
            {"options": ["x", "y"], "correct": "y"},
        ],
        mapping={"entries": {"1": 5}},
    ),
]


@settings(max_examples=400, deadline=None)
@given(
    index=st.integers(0, len(PROPERTY_ITEMS) - 1),
    response=json_like,
    rule=st.sampled_from(sorted(RULES)),
)
def test_judge_never_raises_and_score_stays_in_range(index: int, response: Any, rule: str) -> None:
    raw = PROPERTY_ITEMS[index]
    assert TYPES[raw.type].validate(raw) == []
    qtype = TYPES[raw.type]
    item = qtype.normalise(raw)
    result = qtype.judge(item, response)
    assert isinstance(result, Judgement | NeedsMarking)
    qtype.is_answered(item, response)
    assert isinstance(qtype.render_response(item, response), str)
    score = score_item(item, response, qtype, RULES[rule])
    assert 0 <= score.points <= item.points
