"""Seeded paper assembly: quotas, enemies, determinism, exclusion of seen items."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kiosk.domain.assembly import (
    AssemblyError,
    Paper,
    assemble,
    paper_max_points,
    trial_errors,
)
from kiosk.domain.banks import Bank, all_items
from kiosk.domain.exams import DrawRule, Exam, Part
from kiosk.domain.items import Item
from kiosk.loading import load_banks, load_exam
from kiosk.plugins import registry

QTYPES = registry().question_types


def sc_item(item_id: str, topic: str, points: float = 1, enemies: tuple[str, ...] = ()) -> Item:
    qtype = QTYPES["single_choice"]
    item = Item(id=item_id, type="single_choice", topic=topic, points=points, stem="?",
                spec={"options": [{"text": "a", "correct": True}, {"text": "b"},
                                  {"text": "c"}, {"text": "d"}]},
                enemies=enemies, bank="b")
    assert qtype.validate(item) == []
    return qtype.normalise(item)


def make_bank(sizes: list[int], enemy_pairs: list[tuple[int, int]] = ()) -> Bank:
    items = [sc_item(f"t{t}-{i}", f"T{t}", points=1 + (i % 2))
             for t, n in enumerate(sizes) for i in range(n)]
    enemies: dict[str, set[str]] = {}
    for a, b in enemy_pairs:
        if a != b and a < len(items) and b < len(items):
            enemies.setdefault(items[a].id, set()).add(items[b].id)
    items = [replace(it, enemies=tuple(sorted(enemies.get(it.id, ())))) for it in items]
    return Bank("b", "B", items={it.id: it for it in items})


def make_exam(rules_per_part: list[list[DrawRule]], shuffle: bool = True) -> Exam:
    parts = tuple(Part(id=str(n + 1), title=f"P{n + 1}", minutes=10, draw=tuple(rules))
                  for n, rules in enumerate(rules_per_part))
    return Exam(id="x", title="X", parts=parts, shuffle_questions=shuffle, shuffle_options=shuffle)


def rule(label: str, **kw: object) -> DrawRule:
    return DrawRule(label=label, **kw)  # type: ignore[arg-type]


def topic_counts(paper: Paper, bank: Bank) -> Counter[str]:
    return Counter(bank.items[k.split(":", 1)[1]].topic for k in paper.item_keys)


sizes_st = st.lists(st.integers(min_value=1, max_value=8), min_size=1, max_size=4)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(sizes=sizes_st, data=st.data())
def test_quotas_hold_and_no_item_twice(sizes: list[int], data: st.DataObject) -> None:
    bank = make_bank(sizes)
    counts = [data.draw(st.integers(0, n)) for n in sizes]
    assume(sum(counts) > 0)
    # split the topics over two parts
    rules = [[], []]
    for t, c in enumerate(counts):
        if c:
            rules[t % 2].append(rule(f"r{t}", topic=f"T{t}", count=c))
    exam = make_exam([r for r in rules if r])
    seed = data.draw(st.one_of(st.integers(), st.text(max_size=8)))
    paper = assemble(exam, [bank], seed, question_types=QTYPES)
    assert len(paper.item_keys) == len(set(paper.item_keys)) == sum(counts)
    got = topic_counts(paper, bank)
    assert {t: got[f"T{t}"] for t in range(len(sizes))} == dict(enumerate(counts))
    for part in paper.parts:
        for pi in part.items:
            assert sorted(pi.presentation["options"]) == ["1", "2", "3", "4"]


@settings(max_examples=80, suppress_health_check=[HealthCheck.too_slow])
@given(sizes=sizes_st,
       pairs=st.lists(st.tuples(st.integers(0, 31), st.integers(0, 31)), max_size=25),
       seed=st.integers())
def test_enemies_never_share_a_paper(sizes: list[int], pairs: list[tuple[int, int]],
                                     seed: int) -> None:
    bank = make_bank(sizes, pairs)
    rules = [[rule(f"r{t}", topic=f"T{t}", count=max(1, n // 2))] for t, n in enumerate(sizes)]
    exam = make_exam(rules)
    try:
        paper = assemble(exam, [bank], seed, question_types=QTYPES)
    except AssemblyError as exc:
        assert "cannot assemble a paper" in str(exc)
        return
    on_paper = {k.split(":", 1)[1] for k in paper.item_keys}
    for item_id in on_paper:
        assert not set(bank.items[item_id].enemies) & on_paper


@settings(max_examples=40)
@given(seed=st.one_of(st.integers(), st.text(max_size=10)))
def test_deterministic_by_seed(seed: int | str) -> None:
    bank = make_bank([6, 6, 6])
    exam = make_exam([[rule("a", topic="T0", count=3), rule("b", equal_share=4,
                                                             topics=("T1", "T2"))]])
    first = assemble(exam, [bank], seed, question_types=QTYPES)
    again = assemble(exam, {"b": bank}, str(seed), question_types=QTYPES)
    assert first.to_dict() == again.to_dict()
    assert Paper.from_dict(first.to_dict()) == first


def test_seeds_give_different_papers() -> None:
    bank = make_bank([10, 10])
    exam = make_exam([[rule("a", topic="T0", count=3), rule("b", topic="T1", count=3)]])
    papers = {tuple(assemble(exam, [bank], s, question_types=QTYPES).item_keys)
              for s in range(20)}
    assert len(papers) >= 15
    orders = {tuple(assemble(exam, [bank], s, question_types=QTYPES).parts[0].items[0]
                    .presentation["options"]) for s in range(20)}
    assert len(orders) > 1


@settings(max_examples=60)
@given(n=st.integers(2, 10), data=st.data())
def test_seen_items_excluded_while_enough_others(n: int, data: st.DataObject) -> None:
    bank = make_bank([n])
    keys = sorted(f"b:{i}" for i in bank.items)
    seen = set(data.draw(st.lists(st.sampled_from(keys), unique=True)))
    count = data.draw(st.integers(1, n))
    seed = data.draw(st.integers())
    exam = make_exam([[rule("a", topic="T0", count=count)]])
    paper = assemble(exam, [bank], seed, exclude=seen, question_types=QTYPES)
    drawn = set(paper.item_keys)
    unseen = set(keys) - seen
    if len(unseen) >= count:
        assert not drawn & seen
    else:
        assert unseen <= drawn  # every fresh item is used before any seen one
        assert len(drawn & seen) == count - len(unseen)
    # the fallback to seen items is deterministic too
    assert assemble(exam, [bank], seed, exclude=seen, question_types=QTYPES) == paper


def test_unshuffled_order_follows_rules_and_fixed_items() -> None:
    bank = make_bank([4, 4])
    exam = make_exam([[rule("f", fixed=("t1-3",)), rule("a", topic="T0", count=2),
                       rule("b", topic="T1", count=2)]], shuffle=False)
    paper = assemble(exam, [bank], 7, question_types=QTYPES)
    keys = paper.item_keys
    assert keys[0] == "b:t1-3"
    assert [k.split(":")[1][:2] for k in keys] == ["t1", "t0", "t0", "t1", "t1"]
    assert "b:t1-3" not in keys[1:]
    assert all(pi.presentation["options"] == ["1", "2", "3", "4"]
               for pi in paper.parts[0].items)
    items = all_items([bank])
    assert paper_max_points(paper, items) == sum(items[k].points for k in keys)


def test_enemies_across_parts() -> None:
    bank = make_bank([1, 2])
    bank.items["t0-0"] = replace(bank.items["t0-0"], enemies=("t1-0",))
    exam = make_exam([[rule("a", topic="T0", count=1)], [rule("b", topic="T1", count=1)]])
    for seed in range(20):
        paper = assemble(exam, [bank], seed, question_types=QTYPES)
        assert paper.parts[1].item_keys == ["b:t1-1"]


def test_impossible_because_of_enemies() -> None:
    bank = make_bank([2])
    bank.items["t0-0"] = replace(bank.items["t0-0"], enemies=("t0-1",))
    exam = make_exam([[rule("parts[0].draw[0]", topic="T0", count=2)]])
    with pytest.raises(AssemblyError) as err:
        assemble(exam, [bank], 1, question_types=QTYPES)
    assert str(err.value) == (
        "cannot assemble a paper for exam 'x' with seed 1: parts[0].draw[0] (topic 'T0', "
        "count 2): only 1 of 2 items can be drawn once enemies and items taken by other rules "
        "are left out")
    assert trial_errors(exam, [bank], seeds=[1, 2], question_types=QTYPES) == [
        "trial assembly failed for 2 of 2 seeds (1, 2): parts[0].draw[0] (topic 'T0', count 2): only 1 "
        "of 2 items can be drawn once enemies and items taken by other rules are left out"]


def test_from_files(tmp_path: Path) -> None:
    (tmp_path / "bank.toml").write_text('[bank]\nid = "k"\ntitle = "K"\n' + "".join(
        f'[[items]]\nid = "q{i}"\ntype = "true_false"\ntopic = "{"AB"[i % 2]}"\npoints = 2\n'
        f'stem = "?"\nanswer = true\n' for i in range(6)), encoding="utf-8")
    (tmp_path / "exam.toml").write_text(
        '[exam]\nid = "ex"\ntitle = "Ex"\nbanks = ["bank.toml"]\n[[parts]]\nid = "1"\n'
        'minutes = 5\n[[parts.draw]]\nfixed = ["k:q0"]\n[[parts.draw]]\nequal_share = 4\n',
        encoding="utf-8")
    exam = load_exam(tmp_path / "exam.toml")
    banks = load_banks(exam.banks)
    paper = assemble(exam, banks, "abc", question_types=QTYPES)
    assert "k:q0" in paper.item_keys and len(paper.item_keys) == 5
    assert paper_max_points(paper, all_items(banks.values())) == 10
    topics = Counter(banks["k"].items[k.split(":")[1]].topic for k in paper.item_keys
                     if k != "k:q0")
    assert topics == {"A": 2, "B": 2}
